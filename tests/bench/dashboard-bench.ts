/**
 * The command center's dashboard, server side (issue 12): computeDashboard for the whole town of
 * seed 000 (23,000 households, ~85,000 people) with a year of visits on each household's cadence and
 * seed 001's district rate of 60,000 problems a year, on SQLite (a database file) and on PostgreSQL
 * (a throwaway cluster, when the machine has the server binaries). The town is made once by the
 * tests' generator (tests/support/dashboard-town.ts) and seeded through the store API.
 *
 * Timed as the screen uses it: refreshed while the town works, so before each timed call a minute of
 * the town's writes lands (visits across the grids, a problem): the server reads what moved since the
 * last call and computes again the grids it moved. The first call after start (nothing kept yet) is
 * its own row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeDashboard } from '../../src/server/dashboard/dashboard.ts';
import { dashboardScope } from '../../src/server/dashboard/grids.ts';
import { dashboardList } from '../../src/server/dashboard/lists.ts';
import { scopeFor } from '../../src/server/scope.ts';
import { openStore, type Store } from '../../src/server/store/store.ts';
import { dashboardListQuerySchema } from '../../src/shared/dashboard.ts';
import { deterministicId } from '../../src/shared/domain/ids.ts';
import type { Visit } from '../../src/shared/schemas/index.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import { generateDashboardTown, seedDashboardTown, type DashboardTown } from '../support/dashboard-town.ts';
import { createDatabase, startPostgres, type PgCluster } from '../support/postgres.ts';
import { progress } from './progress.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { median, percentile, round } from './stats.ts';

const RUNS = 9;
const TARGET_MS = 200;
/** A minute of the town's round at its busiest: ~3,800 visits a day, most of them in 8 hours. */
const VISITS_PER_MINUTE = 10;

type Backend = 'SQLite' | 'PostgreSQL';

const list = (samples: readonly number[]) => samples.map((s) => s.toFixed(0)).join(', ');
const count = (n: number) => n.toLocaleString('en-US');

/** Visits of today by the grids' workers, as their phones push them, one minute's worth per call. */
function minuteOfWork(store: Store, townId: string, town: DashboardTown) {
  let minute = 0;
  const households = town.town.households;
  const worker = new Map(town.accounts.filter((a) => a.clientId).map((a) => [a.gridIds[0]!, a.clientId!]));
  return async () => {
    minute += 1;
    for (let i = 0; i < VISITS_PER_MINUTE; i++) {
      const household = households[(minute * 7919 + i * 104_729) % households.length]!;
      const at = town.now - 60_000 + minute * 10 + i;
      const visit: Visit = {
        id: deterministicId(at, new Uint8Array(16).fill((minute + i) % 256)),
        updatedAt: at,
        isDeleted: false,
        householdId: household.id,
        gridId: household.gridId,
        personIds: [],
        visitedAt: at,
        day: shanghaiDay(at),
        shift: 'night',
        outcome: 'met',
        fiveSees: {},
        needIds: [],
        photoIds: [],
      };
      await store.appendRecords(
        townId,
        [{ kind: 'visits', record: visit }],
        worker.get(household.gridId) ?? null,
        at,
      );
    }
  };
}

async function timed<T>(runs: number, before: () => Promise<void>, work: () => Promise<T>) {
  const samples: number[] = [];
  const cpu: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    await before();
    const started = performance.now();
    const used = process.cpuUsage();
    last = await work();
    const spent = process.cpuUsage(used);
    samples.push(performance.now() - started);
    cpu.push((spent.user + spent.system) / 1000);
  }
  return { samples, cpu, last: last! };
}

export async function measureDashboard(
  backend: Backend,
  store: Store,
  town: DashboardTown,
  townId: string,
  made: { visits: number; problems: number },
) {
  const userOf = async (username: string) => (await store.accounts.byUsername(username))!;
  const tree = await store.records.gridTree(townId);
  const center = await dashboardScope(store, scopeFor(await userOf('dcenter'), tree));
  const leader = await dashboardScope(store, scopeFor(await userOf('dleader'), tree));
  const now = town.now;
  const work = minuteOfWork(store, townId, town);

  const coldStarted = performance.now();
  const first = await computeDashboard(store, center, now);
  const coldMs = performance.now() - coldStarted;
  const whole = await timed(RUNS, work, () => computeDashboard(store, center, now));
  const mine = await timed(RUNS, work, () => computeDashboard(store, leader, now));
  const query = dashboardListQuerySchema.parse({ figure: 'round.due' });
  const due = await timed(RUNS, work, () => dashboardList(store, center, query, now));
  const context =
    `${count(town.town.households.length)} households, ${count(town.town.people.length)} people, ` +
    `${count(made.visits)} visits (a year), ${count(made.problems)} problems (a year), ` +
    `${first.round.perGrid.length} grids; today ${count(first.round.perGrid.reduce((s, r) => s + r.due, 0))} households due, ` +
    `${count(first.problems.newThisMonth)} problems this month`;
  progress(
    `dashboard ${backend}: first ${coldMs.toFixed(0)} ms; town ${list(whole.samples)} ms (cpu ${list(whole.cpu)}); ` +
      `leader ${list(mine.samples)} ms; list ${list(due.samples)} ms`,
  );
  const timing = (t: { samples: number[]; cpu: number[] }) =>
    `median of ${RUNS}, each after a minute of writes (${VISITS_PER_MINUTE} visits); p95 ${percentile(t.samples, 95).toFixed(0)} ms; ` +
    `runs ${list(t.samples)} ms; this process's CPU ${median(t.cpu).toFixed(0)} ms (median)`;
  return [
    figure(
      `dashboard, whole town, server side (${backend})`,
      round(median(whole.samples), 1),
      'ms',
      `${timing(whole)}; computeDashboard in one read-only snapshot; ${context}`,
      TARGET_MS,
    ),
    figure(
      `dashboard, whole town, first after start (${backend})`,
      round(coldMs, 1),
      'ms',
      'one call: the register, every household summary and every grid read and computed (kept for the next calls)',
    ),
    figure(
      `dashboard, a leader's ${leader.gridIds?.size ?? 0} grids (${backend})`,
      round(median(mine.samples), 1),
      'ms',
      timing(mine),
      TARGET_MS,
    ),
    figure(
      `list behind 今日应访, whole town (${backend})`,
      round(median(due.samples), 1),
      'ms',
      `${timing(due)}; ${count(due.last.count)} households, the first 1,000 sent with addresses`,
    ),
  ];
}

async function seed(
  backend: Backend,
  store: Store,
  town: DashboardTown,
): Promise<{ townId: string; seconds: number }> {
  progress(
    `dashboard ${backend}: seeding ${count(town.visits.length)} visits, ${count(town.problems.length)} problems…`,
  );
  const started = performance.now();
  const townId = await seedDashboardTown(store, town, 'not-a-login');
  if (backend === 'PostgreSQL') await store.sql.exec('VACUUM ANALYZE records');
  const seconds = (performance.now() - started) / 1000;
  progress(`dashboard ${backend}: seeded in ${seconds.toFixed(0)} s`);
  return { townId, seconds };
}

/**
 * The town made once, put in both stores, then measured in each with the year of records let go: a
 * heap of 1.3 million visit objects would time the bench's own garbage collection, not the server.
 */
export async function runDashboardBench(): Promise<MeasuredFigure[]> {
  progress('dashboard: generating the town (a year of visits and problems)…');
  const started = performance.now();
  let town = generateDashboardTown({ scale: 1 });
  progress(`dashboard: generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const context = { visits: town.visits.length, problems: town.problems.length };
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-dashboard-bench-'));
  const stores: { backend: Backend; store: Store; townId: string; seconds: number }[] = [];
  let cluster: PgCluster | undefined;
  const figures: MeasuredFigure[] = [];
  try {
    figures.push(
      ...(await attempt('Dashboard bench (SQLite seed)', async () => {
        const store = await openStore({ file: join(dir, 'lianxin.sqlite') });
        stores.push({ backend: 'SQLite', store, ...(await seed('SQLite', store, town)) });
        return [];
      })),
      ...(await attempt('Dashboard bench (PostgreSQL seed)', async () => {
        cluster = await startPostgres();
        const store = await openStore({
          url: await createDatabase(cluster, `bench_dashboard_${process.pid}`),
        });
        stores.push({ backend: 'PostgreSQL', store, ...(await seed('PostgreSQL', store, town)) });
        return [];
      })),
    );
    town = { ...town, visits: [], problems: [], needs: [], runs: [], visitWriter: new Map() };
    for (const { backend, store, townId, seconds } of stores)
      figures.push(
        ...(await attempt(`Dashboard bench (${backend})`, async () => {
          const measured = await measureDashboard(backend, store, town, townId, context);
          measured[0]!.note += `; seeded in ${seconds.toFixed(0)} s`;
          return measured;
        })),
      );
  } finally {
    for (const { store } of stores) await store.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
