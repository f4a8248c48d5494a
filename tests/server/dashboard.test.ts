/**
 * The dashboard against a brute-force count (dashboard-expected.ts) over a generated town with a year
 * of problems, visits, runs and needs (tests/support/dashboard-town.ts, the bench's generator at a
 * small scale), on the backend the run selects (SQLite in memory, or PostgreSQL with
 * TEST_DATABASE=postgres): every figure, for the town, a leader's grids and one grid; who may see
 * it; and the list behind every figure counting exactly the figure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/auth.ts';
import { createServerApp } from '../../src/server/http/app.ts';
import type { Store } from '../../src/server/store/store.ts';
import {
  DASHBOARD_FIGURE_KEYS,
  DASHBOARD_FIGURES,
  figureValue,
  type FigureParams,
} from '../../src/shared/domain/dashboard/index.ts';
import { dashboardListSchema, dashboardSchema, type Dashboard } from '../../src/shared/dashboard.ts';
import { generateDashboardTown, seedDashboardTown, type DashboardTown } from '../support/dashboard-town.ts';
import { openTestStore, TEST_BACKEND } from '../support/test-store.ts';
import { expectedDashboard } from './dashboard-expected.ts';
import { PASSWORD, TEST_KDF } from './harness.ts';

/** 2 % of the seeds' town and district rate: 460 households, ~1,200 problems and ~25,000 visits. */
const SCALE = 0.02;

let data: DashboardTown;
let store: Store;
let app: ReturnType<typeof createServerApp>;
const tokens = new Map<string, string>();

async function token(username: string): Promise<string> {
  let found = tokens.get(username);
  if (found === undefined) {
    const response = await app.request('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    found = ((await response.json()) as { token: string }).token;
    tokens.set(username, found);
  }
  return found;
}

async function get(username: string, path: string): Promise<Response> {
  return app.request(path, { headers: { authorization: `Bearer ${await token(username)}` } });
}

async function dashboardOf(username: string, gridId?: string): Promise<Dashboard> {
  const response = await get(username, `/api/dashboard${gridId ? `?gridId=${gridId}` : ''}`);
  expect(response.status).toBe(200);
  return dashboardSchema.parse(await response.json());
}

const account = (username: string) => data.accounts.find((a) => a.username === username)!;

beforeAll(async () => {
  data = generateDashboardTown({ scale: SCALE });
  store = await openTestStore();
  await seedDashboardTown(store, data, await hashPassword(PASSWORD, TEST_KDF));
  app = createServerApp({ store, now: () => data.now, kdf: TEST_KDF });
}, 240_000);

describe(`the dashboard on ${TEST_BACKEND}`, () => {
  it('has a town worth counting: a year of problems, visits, runs and needs, and figures of every kind', () => {
    expect(data.problems.length).toBeGreaterThan(1_000);
    expect(data.visits.length).toBeGreaterThan(10_000);
    expect(data.runs.length).toBeGreaterThan(20);
    expect(data.needs.length).toBeGreaterThan(50);
    const expected = expectedDashboard(data, null, 'center');
    const p = expected.problems;
    // Each figure has something to count, and each share has both outcomes.
    for (const value of [
      p.newToday,
      p.newThisWeek,
      p.openNow,
      p.feedbackGiven,
      p.evaluated,
      p.closedThisMonth,
    ])
      expect(value).toBeGreaterThan(0);
    expect(p.responded.part).toBeGreaterThan(0);
    expect(p.responded.whole).toBeGreaterThan(p.responded.part);
    expect(p.resolvedOnTime.whole).toBeGreaterThan(p.resolvedOnTime.part);
    expect(Object.values(p.overdueByLevel).filter((n) => n > 0).length).toBeGreaterThan(1);
    const round = expected.round.perGrid;
    for (const figure of [
      'dailyDue',
      'done',
      'overdue',
      'catchUpTonight',
      'catchUpDone',
      'failedItems',
    ] as const)
      expect(round.reduce((sum, row) => sum + row[figure], 0)).toBeGreaterThan(0);
    expect(round.some((row) => row.checksDone.night > 0 && row.checksDone.night < row.checksDue.night)).toBe(
      true,
    );
    expect(expected.workers.some((w) => w.visits > 0 && w.problemsFound > 0 && w.resolvedOnTime > 0)).toBe(
      true,
    );
  });

  it('gives the center every figure of the town, as counted by hand', async () => {
    expect(await dashboardOf('dcenter')).toEqual(expectedDashboard(data, null, 'center'));
  });

  it('gives the administrator the town too, with the sensitive care tags the center may not see', async () => {
    const admin = await dashboardOf('dadmin');
    expect(admin).toEqual(expectedDashboard(data, null, 'admin'));
    const center = await dashboardOf('dcenter');
    expect(Object.keys(admin.round.overdueByTag)).toContain('key-person');
    expect(Object.keys(center.round.overdueByTag)).not.toContain('key-person');
    expect(Object.keys(center.round.overdueByTag)).toContain('elderly-alone');
  });

  it('gives a leader her grids only', async () => {
    const leader = account('dleader');
    const mine = new Set(leader.gridIds);
    const dashboard = await dashboardOf('dleader');
    expect(dashboard).toEqual(expectedDashboard(data, mine, 'leader'));
    expect(dashboard.round.perGrid.map((row) => row.gridId).every((id) => mine.has(id))).toBe(true);
    expect(dashboard.round.perGrid.length).toBe(mine.size);
    expect(dashboard.problems.newThisMonth).toBeLessThan(
      (await dashboardOf('dcenter')).problems.newThisMonth,
    );
    const workerGrids = (userId: string) => data.accounts.find((a) => a.id === userId)!.gridIds;
    expect(dashboard.workers.length).toBeGreaterThan(0);
    expect(dashboard.workers.every((w) => workerGrids(w.userId).some((id) => mine.has(id)))).toBe(true);
  });

  it('narrows to one grid inside the scope, and refuses one outside it', async () => {
    const leader = account('dleader');
    const gridId = leader.gridIds[1]!;
    expect(await dashboardOf('dleader', gridId)).toEqual(
      expectedDashboard(data, new Set([gridId]), 'leader'),
    );
    expect(await dashboardOf('dcenter', gridId)).toEqual(
      expectedDashboard(data, new Set([gridId]), 'center'),
    );
    const outside = data.workGridIds.find((id) => !leader.gridIds.includes(id))!;
    const refused = await get('dleader', `/api/dashboard?gridId=${outside}`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { reason: string } }).error.reason).toBe('forbidden');
  });

  it('refuses workers, helpers and departments with 403 JSON, and anyone signed out with 401', async () => {
    for (const username of ['dw1', 'dhelper', 'dstaff1']) {
      for (const path of ['/api/dashboard', '/api/dashboard/list?figure=problems.open']) {
        const response = await get(username, path);
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ error: { reason: 'forbidden' } });
      }
    }
    expect((await app.request('/api/dashboard')).status).toBe(401);
  });

  it('answers 400 for a figure it does not know, a cell the figure has not, or a missing parameter', async () => {
    expect((await get('dcenter', '/api/dashboard/list?figure=problems.nope')).status).toBe(400);
    expect((await get('dcenter', '/api/dashboard/list?figure=problems.open&severity=red')).status).toBe(400);
    expect((await get('dcenter', '/api/dashboard/list?figure=problems.overdue&severity=purple')).status).toBe(
      400,
    );
    expect((await get('dcenter', '/api/dashboard/list?figure=trend.visits')).status).toBe(400);
  });
});

/** Every list a figure key can be asked for on this dashboard: the whole figure and each of its cells. */
function listsOf(dashboard: Dashboard, gridId?: string): FigureParams[][] {
  const base: FigureParams = gridId ? { gridId } : {};
  return DASHBOARD_FIGURE_KEYS.map((figure) => {
    const definition = DASHBOARD_FIGURES[figure];
    const cells: FigureParams[] = 'requires' in definition ? [] : [base];
    const each = (param: keyof FigureParams, values: Iterable<string>) => {
      for (const value of values) cells.push({ ...base, [param]: value });
    };
    for (const param of definition.params) {
      if (param === 'severity') each(param, Object.keys(dashboard.problems.overdueBySeverity));
      if (param === 'level') each(param, Object.keys(dashboard.problems.overdueByLevel));
      if (param === 'category') each(param, Object.keys(dashboard.problems.byCategory));
      if (param === 'source') each(param, Object.keys(dashboard.problems.bySource));
      if (param === 'tag' && !gridId) each(param, Object.keys(dashboard.round.overdueByTag));
      if (param === 'type') each(param, Object.keys(dashboard.needs.openByType));
      if (param === 'shift') each(param, ['day', 'night']);
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
    return cells.map((cell) => ({ ...cell, figure }));
  });
}

describe(`the list behind every figure on ${TEST_BACKEND}`, () => {
  for (const [who, narrowed] of [
    ['dcenter', false],
    ['dleader', false],
    ['dleader', true],
  ] as const) {
    it(`counts exactly the figure, for every key and cell (${who}${narrowed ? ', one grid' : ''})`, async () => {
      const gridId = narrowed ? account(who).gridIds[0] : undefined;
      const dashboard = await dashboardOf(who, gridId);
      let lists = 0;
      for (const cells of listsOf(dashboard, gridId)) {
        for (const { figure, ...params } of cells as (FigureParams & {
          figure: (typeof DASHBOARD_FIGURE_KEYS)[number];
        })[]) {
          const expected = figureValue(dashboard, figure, params);
          if (expected === undefined) continue;
          const query = new URLSearchParams({ figure, ...params, limit: '10000' } as Record<string, string>);
          const response = await get(who, `/api/dashboard/list?${query}`);
          expect(response.status, `${query}`).toBe(200);
          const list = dashboardListSchema.parse(await response.json());
          expect(list.count, `${query}`).toBe(expected);
          expect(list.rows.length, `${query}`).toBe(expected);
          expect(new Set(list.rows.map((row) => row.key)).size, `${query}`).toBe(expected);
          lists += 1;
        }
      }
      expect(lists).toBeGreaterThan(100);
    }, 120_000);
  }

  it('sends the first rows only when asked for fewer, and says so', async () => {
    const dashboard = await dashboardOf('dcenter');
    const response = await get('dcenter', '/api/dashboard/list?figure=problems.new-month&limit=5');
    const list = dashboardListSchema.parse(await response.json());
    expect(list.count).toBe(dashboard.problems.newThisMonth);
    expect(list.rows).toHaveLength(5);
    expect(list.isTruncated).toBe(true);
    expect(list.rows[0]!.label).toMatch(/·/);
  });
});
