import { benchClickHouseInserts, benchKafkaSends } from '../dev/bench.js';
import { KitError } from '@workshop/shared';
import { runCommand, table } from '@workshop/shared/terminal';
import { everyServiceWorks, openStackProfile } from '@workshop/infra/profiles';

/** npm run bench — speed as ratios measured in one run (the stack must be up). */
async function main(): Promise<void> {
  const profile = await openStackProfile();
  if (!(await everyServiceWorks(profile))) throw new KitError(`the ${profile.name} stack does not answer`, { hint: 'npm run stack:up' });
  const config = profile.config();
  const results = [await benchClickHouseInserts(config), await benchKafkaSends(config)];
  const rows = [['what', 'faster way', 'events/s', 'slower way', 'events/s', 'ratio']];
  for (const r of results) {
    rows.push([r.name, r.fast.label, r.fast.perSecond.toFixed(0), r.slow.label, r.slow.perSecond.toFixed(0), `${(r.fast.perSecond / r.slow.perSecond).toFixed(1)}×`]);
  }
  console.log(table(rows));
  console.log(`bench: ${results.map((r) => `${r.name.split(' (')[0]} ${(r.fast.perSecond / r.slow.perSecond).toFixed(1)}×`).join(', ')} (ratios from one run; absolute numbers vary with the machine)`);
}

runCommand(main);
