/**
 * GET /api/dashboard: every figure for a leader's grids or the whole town, computed in one read-only
 * snapshot of the store, so the figures agree with each other whatever is pushed meanwhile.
 */
import { dashboardPeriods, gridScore, rankGrids } from '../../shared/domain/dashboard/index.ts';
import type { Dashboard } from '../../shared/dashboard.ts';
import type { Store } from '../store/store.ts';
import { needFigures, visitDays, workersOf } from './activity.ts';
import type { DashboardScope } from './grids.ts';
import { problemFigures, type GridProblemShares } from './problem-figures.ts';
import { gridRoundCache } from './round-cache.ts';
import { readRoundData } from './round-data.ts';
import { overdueByTag, roundFigures, type GridRound } from './round-figures.ts';

/** Accounts in the order people read names (网格员2 before 网格员10). */
function byName<T extends { name: string }>(rows: readonly T[]): T[] {
  const collator = new Intl.Collator('zh', { numeric: true });
  return [...rows].sort((a, b) => collator.compare(a.name, b.name));
}

const NO_SHARES: GridProblemShares = {
  responded: { part: 0, whole: 0 },
  resolvedOnTime: { part: 0, whole: 0 },
};

/** The round of the scope's grids today (also what the round figures' lists are made of). */
export async function gridRounds(store: Store, scope: DashboardScope, today: string): Promise<GridRound[]> {
  const data = await readRoundData(store, scope, today);
  return roundFigures(scope, data, gridRoundCache<GridRound>(store, scope.townId));
}

export async function computeDashboard(store: Store, scope: DashboardScope, now: number): Promise<Dashboard> {
  const p = dashboardPeriods(now);
  return store.transaction(
    async (tx) => {
      const problems = await problemFigures(tx.sql, scope, p);
      const rounds = await gridRounds(tx, scope, p.today);
      const needs = await needFigures(tx.sql, scope, p);
      const firstDay = p.trendDays[0]! < p.monthStartDay ? p.trendDays[0]! : p.monthStartDay;
      const visitRows = await visitDays(tx.sql, scope, firstDay, p.today);
      const workers = await workersOf(tx, scope);

      const visitsOnDay = new Map<string, number>();
      const visitsOfDevice = new Map<string, number>();
      for (const row of visitRows) {
        visitsOnDay.set(row.day, (visitsOnDay.get(row.day) ?? 0) + Number(row.counted));
        if (row.day >= p.monthStartDay)
          visitsOfDevice.set(row.written_by, (visitsOfDevice.get(row.written_by) ?? 0) + Number(row.counted));
      }

      const ranking = rankGrids(
        rounds.map(({ figures, items }) => {
          const shares = problems.perGrid.get(figures.gridId) ?? NO_SHARES;
          const overdue = items.filter((item) => item.status === 'overdue').length;
          const visitsDone = { part: items.length - overdue, whole: items.length };
          return {
            gridId: figures.gridId,
            name: figures.name,
            score: gridScore({ visitsDone, ...shares }),
            visitsDone,
            resolvedOnTime: shares.resolvedOnTime,
            responded: shares.responded,
          };
        }),
      );

      return {
        asOf: now,
        today: p.today,
        gridIds: scope.gridIds === null ? null : [...scope.gridIds].sort(),
        problems: problems.problems,
        round: { perGrid: rounds.map((round) => round.figures), overdueByTag: overdueByTag(scope, rounds) },
        needs,
        trend: p.trendDays.map((day, i) => ({
          day,
          reported: problems.trend.reported[i]!,
          resolved: problems.trend.resolved[i]!,
          visits: visitsOnDay.get(day) ?? 0,
        })),
        ranking,
        workers: byName(workers).map((worker) => ({
          userId: worker.userId,
          name: worker.name,
          visits: worker.clientIds.reduce((sum, id) => sum + (visitsOfDevice.get(id) ?? 0), 0),
          problemsFound: problems.foundBy.get(worker.userId) ?? 0,
          resolvedOnTime: problems.resolvedOnTimeBy.get(worker.userId) ?? 0,
        })),
      };
    },
    { readOnlySnapshot: true },
  );
}
