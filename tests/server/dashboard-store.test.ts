/**
 * What the dashboard's figures stand on in the store: the typed columns and the visit summaries follow
 * every write through the real push path (record, correct, withdraw), and schema step 3 fills them for
 * the rows a database already held, on the backend the run selects.
 */
import { describe, expect, it } from 'vitest';
import { computeDashboard } from '../../src/server/dashboard/dashboard.ts';
import { dashboardScope } from '../../src/server/dashboard/grids.ts';
import { scopeFor } from '../../src/server/scope.ts';
import { migrate, migrationsFor } from '../../src/server/store/migrations.ts';
import { PostgresDatabase } from '../../src/server/store/postgres-driver.ts';
import { SqliteDatabase } from '../../src/server/store/sqlite-driver.ts';
import type { SqlDatabase } from '../../src/server/store/sql.ts';
import { MemoryBlobBytes } from '../../src/server/store/blobs.ts';
import { Store } from '../../src/server/store/store.ts';
import { applyProblemAction } from '../../src/shared/domain/problem-workflow.ts';
import { BUILT_IN_TEMPLATES, itemsForBuilding } from '../../src/shared/domain/checklist-templates.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import type { Visit } from '../../src/shared/schemas/index.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import { freshPostgresUrl, TEST_BACKEND } from '../support/test-store.ts';
import { createHarness, newClientId, newHousehold, newPerson, newProblem, T0 } from './harness.ts';

describe(`dashboard columns on ${TEST_BACKEND}`, () => {
  it('follows a visit recorded, corrected and withdrawn through push: the due list, the trend and the worker', async () => {
    const h = await createHarness({ households: 120 });
    const gridId = h.grid('XF-01');
    const [household] = await h.recordsIn('households', gridId);
    const worker = await h.login('wgy01');
    const center = await h.login('zhzx');
    const user = (await h.store.accounts.byUsername('wgy01'))!;
    const scope = await dashboardScope(
      h.store,
      scopeFor(user, await h.store.records.gridTree(h.townId)),
      gridId,
    );
    const figures = async () => {
      const d = await computeDashboard(h.store, scope, h.clock.now);
      const today = d.trend.at(-1)!;
      return {
        done: d.round.perGrid[0]!.done,
        catchUp: d.round.perGrid[0]!.catchUpTonight,
        visits: today.visits,
        byWorker: d.workers.find((w) => w.userId === user.id)?.visits,
      };
    };
    const before = await figures();
    const visit: Visit = {
      id: newId(),
      updatedAt: T0,
      isDeleted: false,
      householdId: household!.id,
      gridId,
      personIds: [],
      visitedAt: T0,
      day: shanghaiDay(T0),
      shift: 'day',
      outcome: 'met',
      fiveSees: {},
      needIds: [],
      photoIds: [],
    };
    const clientId = newClientId();
    const push = async (
      mutationId: number,
      name: 'visit.record' | 'visit.correct' | 'visit.withdraw',
      args: unknown,
    ) => {
      const response = await h.push(worker, clientId, [{ mutationId, name, args }]);
      expect(response.results[0]).toMatchObject({ status: 'applied' });
    };
    await push(1, 'visit.record', { visit, needs: [] });
    expect(await figures()).toEqual({
      ...before,
      done: before.done + 1,
      visits: before.visits + 1,
      byWorker: (before.byWorker ?? 0) + 1,
    });
    const summary = () =>
      h.store.sql.get<{ last_counted_day: string }>(
        'SELECT last_counted_day FROM household_visits WHERE town_id = ? AND household_id = ?',
        [h.townId, household!.id],
      );
    expect(await summary()).toEqual({ last_counted_day: visit.day });

    await push(2, 'visit.correct', { id: visit.id, changes: { outcome: 'nobody-home' }, at: T0 + 60_000 });
    expect(await figures()).toEqual({ ...before, catchUp: before.catchUp + 1 });
    // No visit that counts is left: the row stays, with no day, for a reader's copy to see it go.
    expect(await summary()).toEqual({ last_counted_day: '' });

    await push(3, 'visit.withdraw', { id: visit.id, at: T0 + 120_000 });
    expect(await figures()).toEqual(before);

    // The register is read again when it changes: a resident newly living alone is visited daily.
    const daily = async () => {
      const d = await computeDashboard(h.store, scope, h.clock.now);
      return d.round.perGrid[0]!.dailyDue;
    };
    const dailyBefore = await daily();
    const people = await h.recordsIn('people', gridId);
    const households = await h.recordsIn('households', gridId);
    const dailyHouseholds = new Set(
      people
        .filter((p) => p.status === 'resident' && p.tags.includes('elderly-alone'))
        .map((p) => p.householdId),
    );
    const target = people.find(
      (p) =>
        p.status === 'resident' &&
        !dailyHouseholds.has(p.householdId) &&
        !p.tags.includes('key-person') &&
        households.some((x) => x.id === p.householdId),
    )!;
    const response1 = await h.push(worker, clientId, [
      {
        mutationId: 4,
        name: 'person.update',
        args: { id: target.id, changes: { tags: [...target.tags, 'elderly-alone'] } },
      },
    ]);
    expect(response1.results[0]).toMatchObject({ status: 'applied' });
    expect(await daily()).toBe(dailyBefore + 1);

    // A checklist run saved: the grid's 巡查已查 moves, though no visit did.
    const checked = async () =>
      (await computeDashboard(h.store, scope, h.clock.now)).round.perGrid[0]!.checksDone.day;
    const checkedBefore = await checked();
    const [building] = await h.recordsIn('buildings', gridId);
    const template = BUILT_IN_TEMPLATES[0]!;
    const run = {
      id: newId(),
      updatedAt: T0,
      isDeleted: false,
      templateId: template.id,
      gridId,
      buildingId: building!.id,
      day: shanghaiDay(T0),
      shift: 'day',
      completedAt: T0,
      results: itemsForBuilding(template, building!.facilities).map((item) =>
        item.kind === 'reminder'
          ? { itemId: item.id, result: 'reminded', photoIds: [] }
          : { itemId: item.id, result: 'pass', photoIds: [] },
      ),
    };
    const response2 = await h.push(worker, clientId, [
      { mutationId: 5, name: 'checklist.recordRun', args: { run, hazards: [] } },
    ]);
    expect(response2.results[0]).toMatchObject({ status: 'applied' });
    expect(await checked()).toBe(checkedBefore + 1);
    // The center's list behind the day's visits has nothing of it.
    const response = await h.call(
      'GET',
      `/api/dashboard/list?figure=trend.visits&day=${visit.day}&gridId=${gridId}`,
      { token: center },
    );
    expect(((await response.json()) as { count: number }).count).toBe(before.visits);
  });
});

/** A database as the release before the dashboard left it: schema steps up to 2. */
async function databaseAtStep2(): Promise<SqlDatabase> {
  const db: SqlDatabase =
    TEST_BACKEND === 'sqlite'
      ? new SqliteDatabase(':memory:')
      : new PostgresDatabase({ url: await freshPostgresUrl(), poolSize: 2, idleTimeoutMs: 500 });
  await db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  for (const step of migrationsFor(db).filter((m) => m.version <= 2)) {
    await db.exec(step.sql);
    await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)', [
      step.version,
      step.name,
    ]);
  }
  return db;
}

describe(`schema step 3 on ${TEST_BACKEND}`, () => {
  it('fills the new columns and the visit summaries from the rows already there', async () => {
    const db = await databaseAtStep2();
    const gridId = newId();
    await db.run("INSERT INTO towns (id, code, name, version, created_at) VALUES ('t', 'T', '镇', 0, 0)");
    const household = newHousehold(gridId);
    const person = newPerson(household, { tags: ['elderly-alone'] });
    const reported = newProblem(gridId, { severity: 'red' });
    const dispatched = applyProblemAction(
      reported,
      'dispatch',
      { role: 'center', userId: 'c' },
      { assignee: { kind: 'department', id: 'd', name: '部门' } },
      reported.reportedAt + 1_000,
    );
    if (!dispatched.ok) throw new Error(dispatched.message);
    const visit = {
      id: newId(),
      updatedAt: T0,
      isDeleted: false,
      householdId: household.id,
      gridId,
      personIds: [],
      visitedAt: T0,
      day: '2026-03-01',
      shift: 'day',
      outcome: 'met',
      fiveSees: {},
      needIds: [],
      photoIds: [],
    };
    const rows: [string, { id: string }][] = [
      ['households', household],
      ['people', person],
      ['problems', dispatched.problem],
      ['visits', visit],
    ];
    for (const [i, [kind, record]] of rows.entries())
      await db.run(
        `INSERT INTO records (town_id, kind, id, grid_id, data, version, is_deleted, written_by, written_at) VALUES ('t', ?, ?, ?, ?, ?, 0, 'phone', 0)`,
        [kind, record.id, gridId, JSON.stringify(record), i + 1],
      );

    expect((await migrate(db))[0]).toBe(3);
    const store = new Store(db, new MemoryBlobBytes());
    const column = (kind: string, names: string) =>
      store.sql.get<Record<string, unknown>>(`SELECT ${names} FROM records WHERE kind = ?`, [kind]);
    expect(await column('problems', 'responded_at, reporter_id')).toEqual({
      responded_at: reported.reportedAt + 1_000,
      reporter_id: reported.reporter.userId ?? null,
    });
    expect(await column('people', 'household_id, status, tags')).toEqual({
      household_id: household.id,
      status: 'resident',
      tags: '["elderly-alone"]',
    });
    expect(await column('visits', 'household_id, day, shift, status')).toEqual({
      household_id: household.id,
      day: '2026-03-01',
      shift: 'day',
      status: 'met',
    });
    expect(await store.sql.all('SELECT household_id, last_counted_day FROM household_visits')).toEqual([
      { household_id: household.id, last_counted_day: '2026-03-01' },
    ]);
    expect(await store.sql.all('SELECT grid_id, day, written_by, counted FROM visit_days')).toEqual([
      { grid_id: gridId, day: '2026-03-01', written_by: 'phone', counted: 1 },
    ]);
    await db.close();
  });
});
