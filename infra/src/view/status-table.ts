import { paint, table } from '@workshop/shared/terminal';
import type { ServiceState } from '../profiles/profile.js';

/** The status table of `stack:status`, `stack:up` and `npm start`: service, port, where it runs, state, log. */
export function renderStatusTable(states: ServiceState[]): string[] {
  const rows = [['service', 'port', 'runs', 'state', 'log']];
  for (const s of states) rows.push([s.service, s.port ? String(s.port) : '-', s.runs, s.working ? 'up' : 'down', s.log]);
  const lines = [table(rows)];
  for (const s of states.filter((state) => !state.working)) lines.push(paint('dim', `  ${s.service}: ${s.problem ?? 'does not answer'}`));
  return lines;
}
