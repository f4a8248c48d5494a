/**
 * task.create, task.update and taskItem.complete as the shared planner sees them: who may, what
 * they write, what they refuse. Grid scope is the server's (tests/server/tasks.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  planMutation,
  readsFromLoaded,
  readsOf,
  refKey,
  type Plan,
  type PlanActor,
  type RecordWrite,
} from '../../src/shared/domain/apply-mutation.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { taskItemId } from '../../src/shared/domain/task-ids.ts';
import { mutationArgsSchemas, type MutationName } from '../../src/shared/mutations.ts';
import type { RecordKind } from '../../src/shared/records.ts';
import type { Building, Grid, Household, Task, TaskItem } from '../../src/shared/schemas/index.ts';
import { T0 } from './harness.ts';

const base = { updatedAt: T0, isDeleted: false };
const grid = (code: string): Grid => ({
  id: newId(),
  ...base,
  parentId: null,
  kind: 'grid',
  name: `${code}网格`,
  code,
});
const XF = grid('XF-01');
const HK = grid('HK-01');
const building = (g: Grid, name: string): Building => ({
  id: newId(),
  ...base,
  gridId: g.id,
  name,
  estate: '幸福家园',
  floors: 6,
  units: 2,
  facilities: { elevators: 0, fireHydrants: 2, hasGasPipes: true, hasWaterPipes: true },
});
const B1 = building(XF, '1栋');
const B2 = building(HK, '2栋');
const GONE = { ...building(XF, '3栋'), isDeleted: true };
const H1: Household = {
  id: newId(),
  ...base,
  gridId: XF.id,
  villageGroup: '王家组',
  address: '王家组 12 号',
};
const WORLD = [
  ...[XF, HK].map((record) => ({ kind: 'grids' as const, record })),
  ...[B1, B2, GONE].map((record) => ({ kind: 'buildings' as const, record })),
  { kind: 'households' as const, record: H1 },
];

const actor = (role: PlanActor['role'], userId = `u-${role}`): PlanActor => ({ role, userId, name: role });
const LEADER = actor('leader');
const TODAY = '2026-03-01';
const TASK = {
  id: newId(),
  title: '燃气安全专项排查',
  kind: 'special-inspection',
  dueDate: '2026-03-08',
  targetKind: 'building',
};

type World = { kind: RecordKind; record: { id: string } }[];

/** Plans over the world as the server would: exactly the records MUTATION_READS names. */
function plan(
  name: MutationName,
  raw: unknown,
  who: PlanActor,
  world: World = WORLD,
  writers: Record<string, string> = {},
): Plan {
  const args = mutationArgsSchemas[name].parse(raw);
  const held = new Map(world.map((r) => [refKey(r.kind, r.record.id), r.record]));
  const loaded = new Map(
    readsOf(name, args).map((ref) => [refKey(ref.kind, ref.id), held.get(refKey(ref.kind, ref.id))]),
  );
  return planMutation(
    name,
    args,
    readsFromLoaded(loaded, (_kind, id) => writers[id]),
    who,
    T0 + 1000,
    { writer: 'me' },
  );
}

const create = (ids: string[], overrides: object = {}, who = LEADER) =>
  plan('task.create', { task: { ...TASK, ...overrides }, targets: { kind: 'building', ids }, at: T0 }, who);

function written(result: Plan): RecordWrite[] {
  if (!result.ok) throw new Error(result.message);
  return result.writes;
}

/** The world after a create (the task and its items stored). */
function issued(ids = [B1.id, B2.id]): World {
  return [...WORLD, ...written(create(ids, {}, actor('center')))];
}

describe('task.create', () => {
  it('writes the task and one item per target, in the target’s grid, named in words', () => {
    const writes = written(create([B1.id, B2.id, B1.id], {}, actor('center')));
    const task = writes[0]!.record as Task;
    expect(task).toEqual({
      ...TASK,
      ...base,
      gridIds: [XF.id, HK.id],
      itemCount: 2,
      status: 'open',
      createdBy: { role: 'center', userId: 'u-center', name: 'center' },
      createdAt: T0,
      history: [{ at: T0, action: 'create', actor: { role: 'center', userId: 'u-center', name: 'center' } }],
    });
    expect(writes.slice(1).map((w) => w.record as TaskItem)).toEqual([
      {
        id: taskItemId(TASK.id, B1.id),
        ...base,
        taskId: TASK.id,
        gridId: XF.id,
        target: { kind: 'building', id: B1.id },
        label: '幸福家园 1栋',
        status: 'open',
        photoIds: [],
      },
      expect.objectContaining({
        gridId: HK.id,
        label: '幸福家园 2栋',
        target: { kind: 'building', id: B2.id },
      }),
    ]);
  });

  it('names a household by its address and a grid target by itself', () => {
    const household = plan(
      'task.create',
      { task: { ...TASK, targetKind: 'household' }, targets: { kind: 'household', ids: [H1.id] }, at: T0 },
      LEADER,
    );
    expect(written(household)[1]!.record).toMatchObject({ gridId: XF.id, label: '王家组 12 号' });
    const whole = plan(
      'task.create',
      { task: { ...TASK, targetKind: 'grid' }, targets: { kind: 'grid', ids: [XF.id] }, at: T0 },
      LEADER,
    );
    expect(written(whole)[1]!.record).toMatchObject({
      gridId: XF.id,
      label: 'XF-01网格',
      target: { kind: 'grid', id: XF.id },
    });
  });

  it.each(['worker', 'helper', 'department', 'resident'] as const)('%s may not issue one', (role) => {
    expect(create([B1.id], {}, actor(role))).toEqual({
      ok: false,
      reason: 'forbidden',
      message: '上级任务由网格长或指挥中心下发',
    });
  });

  it('refuses no targets, a missing or deleted one, a past due date, and a kind that does not match', () => {
    expect(create([])).toMatchObject({ ok: false, message: '请至少选择一个任务对象' });
    expect(create([newId()])).toMatchObject({
      ok: false,
      reason: 'not-found',
      message: '楼栋不存在或已被删除',
    });
    expect(create([B1.id, GONE.id])).toMatchObject({ ok: false, reason: 'not-found' });
    expect(create([B1.id], { dueDate: '2026-02-28' })).toMatchObject({
      ok: false,
      message: '截止日期不能早于今天',
      path: 'dueDate',
    });
    expect(written(create([B1.id], { dueDate: TODAY }))).toHaveLength(2);
    expect(create([B1.id], { targetKind: 'household' })).toMatchObject({ ok: false, path: 'targetKind' });
  });

  it('the same create again is the same write; another task under a taken id is refused', () => {
    const world = issued([B1.id]);
    expect(written(create([B1.id], {}, actor('center')))).toEqual(world.slice(WORLD.length));
    const replay = plan(
      'task.create',
      { task: TASK, targets: { kind: 'building', ids: [B1.id] }, at: T0 },
      actor('center'),
      world,
    );
    expect(replay.ok).toBe(true);
    const clash = plan(
      'task.create',
      { task: { ...TASK, title: '别的' }, targets: { kind: 'building', ids: [B1.id] }, at: T0 },
      actor('center'),
      world,
    );
    expect(clash).toMatchObject({ ok: false, message: `上级任务已存在：${TASK.id}` });
  });
});

describe('task.update', () => {
  const update = (raw: object, who: PlanActor, world = issued()) =>
    plan('task.update', { id: TASK.id, at: T0 + 500, ...raw }, who, world);

  it('extends to a later date, with the event in the history', () => {
    const result = update({ action: 'extend', dueDate: '2026-03-15', note: '雨天顺延' }, actor('center'));
    const task = written(result)[0]!.record as Task;
    expect(task).toMatchObject({ dueDate: '2026-03-15', status: 'open', updatedAt: T0 + 500 });
    expect(task.history.at(-1)).toEqual({
      at: T0 + 500,
      action: 'extend',
      actor: { role: 'center', userId: 'u-center', name: 'center' },
      dueDate: '2026-03-15',
      note: '雨天顺延',
    });
    expect(update({ action: 'extend', dueDate: TASK.dueDate }, actor('center'))).toMatchObject({
      ok: false,
      path: 'dueDate',
    });
    expect(update({ action: 'extend' }, actor('center'))).toMatchObject({
      ok: false,
      message: '请选择新的截止日期',
    });
  });

  it('only the issuer or the center may change it; a cancelled or closed task takes no more changes', () => {
    expect(update({ action: 'cancel' }, actor('leader', 'someone-else'))).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
    expect(update({ action: 'cancel' }, actor('worker'))).toMatchObject({ ok: false, reason: 'forbidden' });
    const cancelled = [...issued(), ...written(update({ action: 'cancel' }, actor('admin')))];
    expect(update({ action: 'close' }, actor('center'), cancelled)).toEqual({
      ok: false,
      reason: 'invalid',
      message: '任务已取消，不能再更改',
    });
  });

  it('logs a conflict when it overwrites a change its writer had not seen', () => {
    const result = update({ action: 'close' }, actor('center'), issued());
    expect(result).toMatchObject({ ok: true, conflicts: [] });
    const args = { id: TASK.id, action: 'close', at: T0 + 500 };
    const seen = plan('task.update', args, actor('center'), issued(), { [TASK.id]: 'other-device' });
    expect(seen).toMatchObject({
      ok: true,
      conflicts: [{ kind: 'tasks', field: 'status', overwritten: 'open', value: 'closed' }],
    });
  });
});

describe('taskItem.complete', () => {
  const ITEM = taskItemId(TASK.id, B1.id);
  const complete = (raw: object, who: PlanActor = actor('worker'), world = issued(), writers = {}) =>
    plan(
      'taskItem.complete',
      { id: ITEM, taskId: TASK.id, result: 'done', photoIds: [], at: T0 + 700, ...raw },
      who,
      world,
      writers,
    );

  it.each(['worker', 'helper', 'leader'] as const)('%s finishes an item: status, who and when', (role) => {
    const item = written(complete({ note: '已检查' }, actor(role)))[0]!.record as TaskItem;
    expect(item).toMatchObject({ status: 'done', note: '已检查', doneAt: T0 + 700, updatedAt: T0 + 700 });
    expect(item.doneBy).toEqual({ role, userId: `u-${role}`, name: role });
  });

  it.each(['center', 'department'] as const)('%s may not', (role) => {
    expect(complete({}, actor(role))).toMatchObject({ ok: false, reason: 'forbidden' });
  });

  it('impossible needs a reason; a correction replaces the first answer and logs what it overwrote', () => {
    expect(complete({ result: 'impossible' })).toMatchObject({
      ok: false,
      path: 'reason',
      message: '请填写无法完成的原因',
    });
    const first = written(complete({ result: 'impossible', reason: '已搬走', note: '邻居说的' }));
    expect(first[0]!.record).toMatchObject({ status: 'impossible', reason: '已搬走' });
    const world = [...issued(), ...first];
    const corrected = complete({ result: 'done' }, actor('worker'), world, { [ITEM]: 'other-device' });
    if (!corrected.ok) throw new Error(corrected.message);
    expect(corrected.writes[0]!.record).not.toHaveProperty('reason');
    expect(corrected.writes[0]!.record).not.toHaveProperty('note');
    expect(corrected.conflicts.map((c) => [c.field, c.overwritten, c.value])).toEqual([
      ['status', 'impossible', 'done'],
      ['reason', '已搬走', null],
      ['note', '邻居说的', null],
    ]);
  });

  it('refuses an item of another task, and any item once the task is closed', () => {
    expect(complete({ taskId: newId() })).toMatchObject({ ok: false, message: '这个任务对象不属于该任务' });
    const closed = [
      ...issued(),
      ...written(plan('task.update', { id: TASK.id, action: 'close', at: T0 }, actor('center'), issued())),
    ];
    expect(complete({}, actor('worker'), closed)).toMatchObject({
      ok: false,
      message: '任务已结束，不能再更改',
    });
  });
});
