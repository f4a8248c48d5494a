import { parseArgs } from 'node:util';
import { runAppBench } from './app-bench.ts';
import { runDashboardBench } from './dashboard-bench.ts';
import { runLoadBench } from './load-bench.ts';
import { elapsedSeconds, progress } from './progress.ts';
import { attempt, hasFailures, markdownTable, writeJsonReport, type MeasuredFigure } from './report.ts';
import { runProblemBench } from './problem-bench.ts';
import { runResidentBench } from './resident-bench.ts';
import { runRoundBench } from './round-bench.ts';
import { POUCH_TOWN_HOUSEHOLDS, runStorageBench } from './storage-bench.ts';
import { runStoreBench } from './store-bench.ts';
import { runSyncBench } from './sync-bench.ts';
import { runTaskBench } from './task-bench.ts';

/**
 * `npm run bench -- [--json FILE] [--rounds N] [--pouch-households N] [--investigate] [--only storage|app|round|problems|sync|tasks|store|dashboard|resident|load]`
 * Prints one markdown table on stdout. Never judges: a missed target is a row, not an exit code; only a
 * measurement that crashed makes the exit code 1.
 */
const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    'pouch-households': { type: 'string', default: String(POUCH_TOWN_HOUSEHOLDS) },
    investigate: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}
// One round by default: a demo-town load takes about a minute under throttling, and the whole bench
// should stay near six minutes. More rounds narrow the noise (--investigate uses them too).
const rounds = positiveInteger('rounds', values.rounds);
const pouchHouseholds = positiveInteger('pouch-households', values['pouch-households']);
const GROUPS = [
  'storage',
  'app',
  'round',
  'problems',
  'sync',
  'tasks',
  'store',
  'dashboard',
  'resident',
  'load',
] as const;
if (values.only !== undefined && !(GROUPS as readonly string[]).includes(values.only))
  throw new Error(`--only must be one of ${GROUPS.join(', ')}`);
// The load test (1,000 devices, about two minutes) runs only when asked for by name.
const wants = (group: (typeof GROUPS)[number]) =>
  values.only === group || (values.only === undefined && group !== 'load');

const figures: MeasuredFigure[] = [];
if (wants('storage'))
  figures.push(
    ...(await attempt('Storage bench page', () =>
      runStorageBench({ rounds, pouchHouseholds, investigate: values.investigate }),
    )),
  );
if (wants('app')) figures.push(...(await attempt('App bench', () => runAppBench({ rounds }))));
// The daily round, problems and sync (issues 3-5), in the same report.
const more = { investigate: values.investigate };
if (wants('round')) figures.push(...(await attempt('Round bench', () => runRoundBench(more))));
if (wants('problems')) figures.push(...(await attempt('Problem bench', () => runProblemBench(more))));
if (wants('sync')) figures.push(...(await attempt('Sync bench', () => runSyncBench(more))));
if (wants('tasks')) figures.push(...(await attempt('Task bench', runTaskBench)));
if (wants('store')) figures.push(...(await attempt('Store bench', runStoreBench)));
if (wants('dashboard')) figures.push(...(await attempt('Dashboard bench', runDashboardBench)));
if (wants('resident')) figures.push(...(await attempt('Resident bench', runResidentBench)));
if (wants('load')) figures.push(...(await attempt('Load bench', runLoadBench)));

console.log(markdownTable(figures));
if (values.json) {
  await writeJsonReport(values.json, figures);
  progress(`figures written to ${values.json}`);
}
progress(`done in ${elapsedSeconds().toFixed(0)} s`);
process.exitCode = hasFailures(figures) ? 1 : 0;
