/**
 * The daily round (issue 3) on a phone-sized CPU: the due list of one large grid with a year of
 * visits, saving a visit, and opening Today on the same data. Everything is generated and stored in
 * the page before the CPU is throttled; only the measured calls run at 4x.
 */
import { CPU_THROTTLING_RATE, throttleCpu } from './browser.ts';
import { callMorePage, loadNote, openMorePage, serveMorePage } from './page-more/host.ts';
import { progress } from './progress.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { median, percentile, round } from './stats.ts';

/** The grid: 3,600 households (the demo town puts ~3.6 people in each, so ~13,000 people). */
export const ROUND_HOUSEHOLDS = 3_600;
/** A year of visits in that grid. */
export const ROUND_VISITS = 150_000;
/** Fixed, so every run sees the same history and the same due list. */
export const ROUND_TODAY = '2026-03-16';
const DUE_LIST_RUNS = 10;
const SAVES = 50;
const TODAY_VIEW_RUNS = 3;

const ms = (value: number) => `${value.toFixed(0)} ms`;
const list = (values: readonly number[]) => values.map((v) => v.toFixed(0)).join(', ');

export interface RoundBenchOptions {
  /** Also time the prototypes behind the suggestions for missed targets. */
  investigate?: boolean;
}

export async function runRoundBench({ investigate = false }: RoundBenchOptions = {}): Promise<
  MeasuredFigure[]
> {
  const server = await serveMorePage();
  const site = await openMorePage(server.origin, 'round');
  const dbName = `bench-round-${process.pid}`;
  try {
    progress(
      `round: ${ROUND_HOUSEHOLDS} households and ${ROUND_VISITS} visits, generated and stored unthrottled`,
    );
    const setup = await callMorePage(
      site.page,
      'prepareRound',
      ROUND_HOUSEHOLDS,
      ROUND_VISITS,
      ROUND_TODAY,
      dbName,
    );
    const { setupMs } = setup;
    progress(
      `round: ${setup.households} households, ${setup.people} people, ${setup.visits} visits ` +
        `(generate ${ms(setupMs.generate)}, search keys ${ms(setupMs.rows)}, ` +
        `store register ${ms(setupMs.storeRegister)}, store visits ${ms(setupMs.storeVisits)})`,
    );
    // Kept attached until the browser closes: throttling ends with the DevTools session.
    await throttleCpu(site.page, CPU_THROTTLING_RATE);
    const grid =
      `${setup.households} households, ${setup.people} people, ${setup.visits} visits ` +
      `(${setup.countedVisits} counted) from ${setup.firstDay} to ${setup.today}`;
    const cadences = Object.entries(setup.scheduled)
      .map(([cadence, count]) => `${cadence} ${count}`)
      .join(' / ');

    const dueList = await attempt('Round: due list', async () => {
      const timing = await callMorePage(site.page, 'timeDueList', DUE_LIST_RUNS);
      const counts = Object.entries(timing.counts)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ');
      progress(`due list: runs ${list(timing.runsMs)} ms, first ${ms(timing.firstMs)}`);
      return [
        figure(
          'due list, 3,600 households / 12,000 people / ~150,000 visits (4x)',
          round(median(timing.runsMs), 1),
          'ms',
          `computeDueList over what todayView reads (the grid's register, ${timing.summaries} per-household ` +
            `visit summaries and today's ${timing.visitsPassed} visits; the result equals the one from the whole ` +
            `year of visits for every household: ${timing.sameAsWholeHistory ? 'yes' : 'NO'}), reads before the clock, ` +
            `p50 of ${DUE_LIST_RUNS} runs after one warm-up ` +
            `(max ${timing.runsMs.length ? ms(Math.max(...timing.runsMs)) : 'n/a'}, first call ${ms(timing.firstMs)}); ` +
            `${grid}; households by cadence ${cadences}; result ${counts}; ` +
            `${CPU_THROTTLING_RATE}x CPU throttling; ${loadNote()}`,
          100,
        ),
      ];
    });

    const saves = await attempt('Round: save a visit', async () => {
      const latencies = await callMorePage(site.page, 'timeRecordVisits', SAVES);
      progress(`save a visit: p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}`);
      return [
        figure(
          'save a visit end to end (tap to stored) (4x)',
          round(percentile(latencies, 95), 1),
          'ms',
          `p95 of ${SAVES} recordVisit() calls, call to resolved promise (validation, visit + outbox row ` +
            `in one transaction), each on another household, with two five-sees fields and a note; ` +
            `p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ` +
            `one untimed save first; AppDB on disk holding the grid (storeRegister) and its ${setup.visits} visits; ` +
            `${CPU_THROTTLING_RATE}x throttling; ${loadNote()}`,
          50,
        ),
      ];
    });

    const today = await attempt('Round: open Today', async () => {
      const timing = await callMorePage(site.page, 'timeTodayView', TODAY_VIEW_RUNS);
      progress(`todayView: runs ${list(timing.runsMs)} ms`);
      return [
        figure(
          'open Today: todayView with a year of visits on the device (4x)',
          round(median(timing.runsMs), 0),
          'ms',
          `context, no target: todayView(db, grid, today), median of ${TODAY_VIEW_RUNS} ` +
            `(runs: ${list(timing.runsMs)} ms); reads the grid's households, people, buildings, ` +
            `${timing.summariesRead} visit summaries and today's ${timing.visitsRead} visits from IndexedDB, ` +
            `counts open needs, then the due list and tonight's catch-up list; ` +
            `${timing.entries} entries on Today; ${CPU_THROTTLING_RATE}x throttling; ${loadNote()}`,
        ),
      ];
    });

    const investigated = investigate
      ? await attempt('Investigate the due list', async () => {
          const parts = await callMorePage(site.page, 'investigateTodayView');
          return [
            figure(
              'Investigate: todayView reads (4x)',
              round(parts.readsMs, 0),
              'ms',
              `readDueListInputs (households, people, buildings, visit summaries, today's visits); ` +
                `counting open needs ${ms(parts.openNeedsMs)}`,
            ),
          ];
        })
      : [];
    await callMorePage(site.page, 'dropDatabase', dbName);
    return [...dueList, ...saves, ...today, ...investigated];
  } finally {
    await site.close();
    await server.close();
  }
}
