import type { WorkshopConfig } from '@workshop/shared';
import { stackStatus } from '../native/stack.js';
import { paint, table } from '@workshop/shared/terminal';

/** The status table of `stack:status`, `stack:up` and `npm start`: service, port, pid, state, log. */
export async function printStatus(config: WorkshopConfig): Promise<boolean> {
  const statuses = await stackStatus(config);
  const rows = [['service', 'port', 'pid', 'state', 'log']];
  for (const s of statuses) rows.push([s.service, String(s.port), s.pid ? String(s.pid) : '-', s.working ? 'up' : 'down', s.log]);
  console.log(table(rows));
  for (const s of statuses.filter((status) => !status.working)) console.log(paint('dim', `  ${s.service}: ${s.problem}`));
  return statuses.every((s) => s.working);
}
