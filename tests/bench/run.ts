import { parseArgs } from 'node:util';
import { runAppBench } from './app-bench.ts';
import { elapsedSeconds, progress } from './progress.ts';
import { attempt, hasFailures, markdownTable, writeJsonReport, type MeasuredFigure } from './report.ts';
import { POUCH_TOWN_HOUSEHOLDS, runStorageBench } from './storage-bench.ts';

/**
 * `npm run bench -- [--json FILE] [--rounds N] [--pouch-households N] [--investigate] [--only storage|app]`
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
if (values.only !== undefined && values.only !== 'storage' && values.only !== 'app')
  throw new Error('--only must be storage or app');

const figures: MeasuredFigure[] = [];
if (values.only !== 'app')
  figures.push(
    ...(await attempt('Storage bench page', () =>
      runStorageBench({ rounds, pouchHouseholds, investigate: values.investigate }),
    )),
  );
if (values.only !== 'storage') figures.push(...(await attempt('App bench', () => runAppBench({ rounds }))));

console.log(markdownTable(figures));
if (values.json) {
  await writeJsonReport(values.json, figures);
  progress(`figures written to ${values.json}`);
}
progress(`done in ${elapsedSeconds().toFixed(0)} s`);
process.exitCode = hasFailures(figures) ? 1 : 0;
