import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { KitError } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { paint, printSummary, runCommand, table } from '@workshop/shared/terminal';
import { everyServiceWorks, openStackProfile } from '@workshop/infra/profiles';
import { benchStages, runBench } from '../bench/run-bench.js';
import { benchJson, benchTable } from '../bench/report.js';

/**
 * npm run bench [-- --quick] [-- --cold] [-- --only produce,http] — each stage of the kit against the fastest
 * tool doing the same work on the same stack, in one run; prints the table and writes it as JSON.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, cold: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const only = values.only ? values.only.split(',').map((id) => id.trim()) : [];
  const unknown = only.filter((id) => !(benchStages as readonly string[]).includes(id));
  if (unknown.length > 0) throw new KitError(`bench: no stage ${unknown.join(', ')}`, { hint: `--only takes ${benchStages.join(', ')}` });

  const profile = await openStackProfile();
  if (!(await everyServiceWorks(profile))) throw new KitError(`the ${profile.name} stack does not answer`, { hint: 'npm run stack:up' });
  console.log(
    paint(
      'dim',
      `bench on the ${profile.name} stack${values.quick ? ' (--quick)' : ''}: ratios hold within one run; absolute rates describe this machine at this minute`,
    ),
  );
  const report = await runBench(profile, { quick: values.quick, cold: values.cold, only }, (line) => console.log(paint('dim', line)));

  const jsonPath = join(repoRoot, '.stack/bench/latest.json');
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFile(jsonPath, benchJson(report));
  console.log(`\n${table(benchTable(report.rows))}\n`);
  console.log(`written: ${relative(process.cwd(), jsonPath)}`);
  for (const failure of report.failures) console.log(paint('red', `✗ ${failure.id}: ${failure.error}`));
  const goals = report.rows.filter((row) => row.met !== undefined);
  const missed = goals.filter((row) => !row.met);
  printSummary({
    ok: report.failures.length === 0,
    pending: missed.length > 0,
    summary: `bench: ${goals.length - missed.length} of ${goals.length} goals met${missed.length ? ` (missed: ${missed.map((row) => row.id).join(', ')})` : ''} in ${report.seconds.toFixed(0)} s${report.failures.length ? `; ${report.failures.length} stage(s) failed` : ''}`,
  });
}

runCommand(main);
