/**
 * Departments per town are data: `departments` records, synced to every device of the town. The
 * planner reads the department a dispatch or transfer names (its MUTATION_READS row lists it) and
 * refuses one the town does not have; the device keeps them in their own Dexie table and lists them
 * for the dispatch picker.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { actOnProblem } from '../../src/app/commands/problems.ts';
import { CommandError } from '../../src/app/commands/run-command.ts';
import { AppDB, recordTables, writeTables } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { listDepartments } from '../../src/app/db/problem-queries.ts';
import { putRecords } from '../../src/app/db/write-records.ts';
import {
  planMutation,
  readsFromLoaded,
  readsOf,
  refKey,
  type Plan,
  type PlanActor,
} from '../../src/shared/domain/apply-mutation.ts';
import { DEFAULT_DEPARTMENTS, defaultDepartmentRecords } from '../../src/shared/domain/departments.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { applyProblemAction, createProblemReport } from '../../src/shared/domain/problem-workflow.ts';
import { mutationArgsSchemas, type MutationArgs } from '../../src/shared/mutations.ts';
import { gridIdOf, RECORD_KINDS, recordSchemas, type RecordKind } from '../../src/shared/records.ts';
import type { Assignee, Department, Problem } from '../../src/shared/schemas/index.ts';
import { contextFor, TEST_NOW } from '../support/device-context.ts';

const T0 = TEST_NOW;
const GRID = newId();
const WORKER: PlanActor = { role: 'worker', userId: 'u-worker', name: '王丽' };
const LEADER: PlanActor = { role: 'leader', userId: 'u-leader', name: '刘建华' };
const POLICE_STAFF: PlanActor = { role: 'department', userId: 'u-police', departmentId: 'dept-police' };

const department = (id: string, name: string, isDeleted = false): Department => ({
  id,
  name,
  isDeleted,
  updatedAt: T0,
});
const police = department('dept-police', '派出所');
const market = department('dept-market', '市场监管所');
const toPolice: Assignee = { kind: 'department', id: police.id, name: police.name };
const toMarket: Assignee = { kind: 'department', id: market.id, name: market.name };

const reported: Problem = createProblemReport(
  {
    id: newId(),
    gridId: GRID,
    category: 'environment',
    severity: 'yellow',
    description: '楼道堆物',
    place: { text: '3栋楼道' },
    photoIds: [],
    source: 'snap',
    links: {},
  },
  WORKER,
  T0,
);

type ActArgs = MutationArgs<'problem.act'>;
type ActPayload = z.input<(typeof mutationArgsSchemas)['problem.act']>['payload'];
const act = (problem: Problem, action: ActArgs['action'], payload: ActPayload): ActArgs =>
  mutationArgsSchemas['problem.act'].parse({ id: problem.id, action, payload, at: T0 + 10 }) as ActArgs;

/**
 * Plans over exactly what the mutation's MUTATION_READS row names, from `stored`: a planner reading
 * anything else throws (readsFromLoaded), so these tests also hold the table to the planner.
 */
function plan(args: ActArgs, stored: { kind: RecordKind; record: { id: string } }[], actor: PlanActor): Plan {
  const byKey = new Map(stored.map(({ kind, record }) => [refKey(kind, record.id), record]));
  const loaded = new Map(
    readsOf('problem.act', args).map((ref) => [
      refKey(ref.kind, ref.id),
      byKey.get(refKey(ref.kind, ref.id)),
    ]),
  );
  return planMutation('problem.act', args, readsFromLoaded(loaded), actor, T0 + 1000);
}

const town = (...departments: Department[]) => [
  { kind: 'problems' as const, record: reported },
  ...departments.map((record) => ({ kind: 'departments' as const, record })),
];

describe('departments as records', () => {
  it('are a synced kind of their own, town-wide, with a name of 1 to 40 characters', () => {
    expect(RECORD_KINDS).toContain('departments');
    expect(gridIdOf('departments', police)).toBeNull();
    const schema = recordSchemas.departments;
    expect(schema.safeParse(police).success).toBe(true);
    expect(schema.safeParse({ ...police, id: newId() }).success).toBe(true);
    expect(schema.safeParse({ ...police, name: '  ' }).success).toBe(false);
    expect(schema.safeParse({ ...police, name: '部'.repeat(41) }).success).toBe(false);
    expect(schema.safeParse({ ...police, id: 'dept police' }).success).toBe(false);
    expect(schema.safeParse({ id: police.id, name: police.name }).success).toBe(false);
  });

  it('start a town with the eight default departments, under their old ids', () => {
    const records = defaultDepartmentRecords(T0);
    expect(records.map((d) => d.id)).toEqual(DEFAULT_DEPARTMENTS.map((d) => d.id));
    expect(records).toContainEqual(police);
    expect(new Set(records.map((d) => d.id)).size).toBe(8);
    for (const record of records) expect(recordSchemas.departments.parse(record)).toEqual(record);
  });
});

describe('problem.act reads the department it names', () => {
  it('lists the department in its MUTATION_READS row only when the assignee is a department', () => {
    expect(readsOf('problem.act', act(reported, 'dispatch', { assignee: toPolice }))).toEqual([
      { kind: 'problems', id: reported.id },
      { kind: 'departments', id: 'dept-police' },
    ]);
    const backToWorker: Assignee = { kind: 'worker', id: 'u-worker', name: '王丽' };
    expect(readsOf('problem.act', act(reported, 'dispatch', { assignee: backToWorker }))).toEqual([
      { kind: 'problems', id: reported.id },
    ]);
    expect(readsOf('problem.act', act(reported, 'progress', { note: '已到现场' }))).toEqual([
      { kind: 'problems', id: reported.id },
    ]);
  });

  it('dispatches to a department the town has', () => {
    const result = plan(act(reported, 'dispatch', { assignee: toPolice }), town(police, market), LEADER);
    expect(result).toMatchObject({
      ok: true,
      writes: [{ kind: 'problems', record: { id: reported.id, status: 'dispatched', assignee: toPolice } }],
    });
  });

  it('refuses a department the town does not have, or has closed, with the Chinese message', () => {
    const refusal = {
      ok: false,
      reason: 'invalid',
      message: '没有这个承办部门：派出所',
      path: 'payload.assignee',
    };
    const args = act(reported, 'dispatch', { assignee: toPolice });
    expect(plan(args, town(market), LEADER)).toEqual(refusal);
    expect(plan(args, town(department('dept-police', '派出所', true), market), LEADER)).toEqual(refusal);
    // A department of the same name under another id is not the one named.
    expect(plan(args, town(department('dept-police-2', '派出所'), market), LEADER)).toEqual(refusal);
  });

  it('tells who may not dispatch at all that first, whatever the department', () => {
    const args = act(reported, 'dispatch', { assignee: toPolice });
    expect(plan(args, town(), WORKER)).toMatchObject({ ok: false, reason: 'forbidden' });
  });

  it('lets a department transfer only to a department the town has', () => {
    const dispatched = applyProblemAction(reported, 'dispatch', LEADER, { assignee: toPolice }, T0 + 5);
    if (!dispatched.ok) throw new Error(dispatched.message);
    const problem = dispatched.problem;
    const args = act(problem, 'transfer', { assignee: toMarket, note: '属于市场监管' });
    const stored = (...departments: Department[]) => [
      { kind: 'problems' as const, record: problem },
      ...departments.map((record) => ({ kind: 'departments' as const, record })),
    ];
    expect(plan(args, stored(police, market), POLICE_STAFF)).toMatchObject({
      ok: true,
      writes: [{ record: { status: 'dispatched', assignee: toMarket } }],
    });
    expect(plan(args, stored(police), POLICE_STAFF)).toMatchObject({
      ok: false,
      reason: 'invalid',
      message: '没有这个承办部门：市场监管所',
    });
  });

  it('is pure: the same reads give the same plan, and the reads are left as they were', () => {
    const records = town(police);
    const before = structuredClone(records);
    const args = act(reported, 'dispatch', { assignee: toPolice });
    expect(plan(args, records, LEADER)).toEqual(plan(args, records, LEADER));
    expect(records).toEqual(before);
  });
});

describe('the device keeps the departments', () => {
  let db: AppDB;
  let dbCount = 0;
  beforeEach(() => {
    db = new AppDB(`departments-test-${dbCount++}`);
  });
  afterEach(async () => {
    db.close();
    await db.delete();
  });

  /** As a pull stores records: one transaction over writeTables, with an async callback. */
  async function store(records: { kind: RecordKind; record: unknown }[]) {
    const pinyinOf = await loadPinyin();
    await db.transaction('rw', writeTables(db), async () => {
      await putRecords(db, records, pinyinOf);
    });
  }

  it('in a table of their own, which every write path reaches', async () => {
    await db.open();
    expect(db.tables.map((t) => t.name)).toContain('departments');
    expect(recordTables(db).map((t) => t.name)).toEqual(RECORD_KINDS);
    await store([police, market].map((record) => ({ kind: 'departments' as const, record })));
    expect(await db.departments.toArray()).toEqual([market, police]);
  });

  it('lists the open departments by name for the picker, closed ones left out', async () => {
    await db.departments.bulkPut([
      department('dept-safety', '应急管理办'),
      department('dept-civil', '民政办'),
      department('dept-housing', '住建办', true),
      police,
    ]);
    expect((await listDepartments(db)).map((d) => d.name)).toEqual(['民政办', '派出所', '应急管理办']);
  });

  it('dispatches on the device only to a department it holds, with the words the server uses', async () => {
    await store([{ kind: 'problems', record: reported }]);
    const ctx = contextFor(db, LEADER, () => T0 + 60_000);
    const dispatch = () => actOnProblem(ctx, reported.id, 'dispatch', { assignee: toPolice });
    await expect(dispatch()).rejects.toBeInstanceOf(CommandError);
    await expect(dispatch()).rejects.toThrow('没有这个承办部门：派出所');
    expect(await db.outbox.count()).toBe(0);

    await store([{ kind: 'departments', record: police }]);
    await dispatch();
    expect(await db.problems.get(reported.id)).toMatchObject({ status: 'dispatched', assignee: toPolice });
    expect(await db.outbox.count()).toBe(1);
  });

  it('gets the default departments with the offline demo town', async () => {
    const demo = generateDemoTown({ households: 12, comprehensiveGrids: 1, specialGrids: 1, enterprises: 2 });
    const rows = toRegisterRows({ ...demo, departments: defaultDepartmentRecords(T0) }, await loadPinyin());
    await storeRegister(db, rows, { source: 'demo', loadedAt: T0 });
    expect((await listDepartments(db)).map((d) => d.id).sort()).toEqual(
      DEFAULT_DEPARTMENTS.map((d) => d.id).sort(),
    );
    expect(await db.grids.count()).toBe(demo.grids.length);
  });
});
