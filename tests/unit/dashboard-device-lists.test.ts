/**
 * Offline, the list behind a figure is counted on the phone (db/dashboard-rows.ts) from its synced
 * records: over the dashboard tests' generated town (a year of problems and needs), every figure the
 * phone lists, and each of its cells, counts what the brute-force dashboard (dashboard-expected.ts,
 * which the server's SQL is tested against) shows, for the town, a leader's grids and one grid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppDB } from '../../src/app/db/app-db.ts';
import { figureListOnDevice, isListedOnDevice } from '../../src/app/db/dashboard-rows.ts';
import {
  DASHBOARD_FIGURE_KEYS,
  DASHBOARD_FIGURES,
  figureValue,
  type FigureParams,
} from '../../src/shared/domain/dashboard/index.ts';
import type { Dashboard, DashboardFigure } from '../../src/shared/dashboard.ts';
import { expectedDashboard } from '../server/dashboard-expected.ts';
import { generateDashboardTown, type DashboardTown } from '../support/dashboard-town.ts';

let data: DashboardTown;
/** The center's phone holds the town; the leader's, what her grids' sync brings. */
let townDb: AppDB;
let leaderDb: AppDB;
let leaderGrids: Set<string>;

async function phoneWith(name: string, holds: (gridId: string) => boolean): Promise<AppDB> {
  const db = new AppDB(name);
  await db.problems.bulkPut(data.problems.filter((x) => holds(x.gridId)));
  await db.needs.bulkPut(data.needs.filter((x) => holds(x.gridId)));
  return db;
}

beforeAll(async () => {
  data = generateDashboardTown({ scale: 0.02 });
  leaderGrids = new Set(data.accounts.find((account) => account.role === 'leader')!.gridIds);
  townDb = await phoneWith('dashboard-device-town', () => true);
  leaderDb = await phoneWith('dashboard-device-leader', (gridId) => leaderGrids.has(gridId));
}, 120_000);
afterAll(async () => {
  for (const db of [townDb, leaderDb]) {
    db.close();
    await db.delete();
  }
});

/** The figure's cells as the dashboard shows them: the whole (unless a cell is required) and each. */
function cellsOf(dashboard: Dashboard, figure: DashboardFigure): FigureParams[] {
  const definition = DASHBOARD_FIGURES[figure];
  const cells: FigureParams[] = 'requires' in definition ? [] : [{}];
  const each = (param: keyof FigureParams, values: Iterable<string>) => {
    for (const value of values) cells.push({ [param]: value });
  };
  for (const param of definition.params) {
    if (param === 'severity') each(param, Object.keys(dashboard.problems.overdueBySeverity));
    if (param === 'level') each(param, Object.keys(dashboard.problems.overdueByLevel));
    if (param === 'category') each(param, Object.keys(dashboard.problems.byCategory));
    if (param === 'source') each(param, Object.keys(dashboard.problems.bySource));
    if (param === 'type') each(param, Object.keys(dashboard.needs.openByType));
    if (param === 'day')
      each(
        param,
        dashboard.trend.map((row) => row.day),
      );
    if (param === 'userId')
      each(
        param,
        dashboard.workers.map((row) => row.userId),
      );
  }
  return cells;
}

describe('the lists a phone counts offline', () => {
  it('are the problem and needs figures, not the round (the server lists those)', () => {
    const listed = DASHBOARD_FIGURE_KEYS.filter(isListedOnDevice);
    expect(listed).toContain('problems.open');
    expect(listed).toContain('needs.met');
    expect(listed).toContain('trend.resolved');
    expect(listed).not.toContain('round.due');
    expect(listed).not.toContain('checks.due');
    expect(listed).not.toContain('trend.visits');
  });

  for (const [who, scope] of [
    ['the town', 'town'],
    ["a leader's grids", 'leader'],
  ] as const) {
    it(`count every figure and cell as the dashboard does, for ${who}`, async () => {
      const [db, dashboard] =
        scope === 'town'
          ? [townDb, expectedDashboard(data, null, 'center')]
          : [leaderDb, expectedDashboard(data, leaderGrids, 'leader')];
      const failures: string[] = [];
      let lists = 0;
      for (const figure of DASHBOARD_FIGURE_KEYS.filter(isListedOnDevice)) {
        for (const params of cellsOf(dashboard, figure)) {
          const list = await figureListOnDevice(db, figure, params, data.now);
          const expected = figureValue(dashboard, figure, params);
          if (list?.count !== expected)
            failures.push(`${figure} ${JSON.stringify(params)}: ${list?.count} ≠ ${expected}`);
          lists += 1;
        }
      }
      expect(failures).toEqual([]);
      expect(lists).toBeGreaterThan(60);
    }, 60_000);
  }

  it('narrow to one grid with gridId', async () => {
    const gridId = data.workGridIds[0]!;
    const dashboard = expectedDashboard(data, new Set([gridId]), 'leader');
    for (const figure of ['problems.open', 'problems.new-month', 'needs.open'] as const) {
      const list = await figureListOnDevice(townDb, figure, { gridId }, data.now);
      expect(list?.count).toBe(figureValue(dashboard, figure, {}));
    }
  });
});
