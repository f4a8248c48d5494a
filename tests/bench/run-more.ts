/**
 * `npx tsx tests/bench/run-more.ts [--only round|problems|sync] [--investigate]`: the round, problem and sync
 * figures on their own (run.ts runs them with the rest); --investigate adds the prototypes behind the
 * suggestions for missed targets. Prints one markdown table on stdout; only a measurement that crashed
 * makes the exit code 1.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runProblemBench } from './problem-bench.ts';
import { elapsedSeconds, progress } from './progress.ts';
import { attempt, hasFailures, markdownTable, type MeasuredFigure } from './report.ts';
import { runRoundBench } from './round-bench.ts';
import { runSyncBench } from './sync-bench.ts';

const BENCHES = {
  round: ['Round bench', runRoundBench],
  problems: ['Problem bench', runProblemBench],
  sync: ['Sync bench', runSyncBench],
} as const;
type BenchName = keyof typeof BENCHES;

const { values } = parseArgs({
  options: { only: { type: 'string' }, investigate: { type: 'boolean', default: false } },
});
const options = { investigate: values.investigate };
const only = values.only;
if (only !== undefined && !(only in BENCHES))
  throw new Error(`--only must be one of ${Object.keys(BENCHES).join(', ')}`);

// Other work on this 2-core machine moves every figure; the load average says how much there was.
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
progress(`load average ${load()}`);
const figures: MeasuredFigure[] = [];
for (const [name, [label, run]] of Object.entries(BENCHES) as [BenchName, (typeof BENCHES)[BenchName]][]) {
  if (only !== undefined && only !== name) continue;
  const startedAt = elapsedSeconds();
  figures.push(...(await attempt(label, () => run(options))));
  progress(`${label} done in ${(elapsedSeconds() - startedAt).toFixed(0)} s (load average ${load()})`);
}

console.log(markdownTable(figures));
progress(`done in ${elapsedSeconds().toFixed(0)} s`);
process.exitCode = hasFailures(figures) ? 1 : 0;
