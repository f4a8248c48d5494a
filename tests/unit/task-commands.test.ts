/**
 * 上级任务 on the phone: a leader resolves a choice into targets and issues the task over them (the
 * task and its items are written at once, the write waits in the outbox); a worker sees her grid's
 * open items, finishes one, and the progress counts it. What is refused leaves nothing behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTask, completeTaskItem, updateTask } from '../../src/app/commands/tasks.ts';
import { CommandError } from '../../src/app/commands/run-command.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import {
  itemsOfTarget,
  openItemsOfGrid,
  progressOf,
  resolveTargets,
  tasksCreatedBy,
  visibleTasks,
} from '../../src/app/db/task-queries.ts';
import type { PlanActor } from '../../src/shared/domain/apply-mutation.ts';
import { generateOfflineDemoTasks } from '../../src/shared/domain/demo-tasks.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { taskItemId } from '../../src/shared/domain/task-ids.ts';
import { addCalendarDays, shanghaiDay } from '../../src/shared/time.ts';
import { contextFor, TEST_NOW, TEST_WORKER } from '../support/device-context.ts';

const LEADER: PlanActor = { role: 'leader', name: '刘网格长', userId: 'u-leader' };
const town = generateDemoTown({ households: 150 });
const grids = town.grids.filter((g) => g.kind === 'grid');
const grid = grids[0]!;
const today = shanghaiDay(TEST_NOW);
const draft = {
  title: '燃气安全专项排查',
  kind: 'special-inspection' as const,
  dueDate: addCalendarDays(today, 7),
};

let db: AppDB;
let dbCount = 0;

beforeEach(async () => {
  db = new AppDB(`task-commands-test-${dbCount++}`);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe('resolveTargets', () => {
  it("names a grid's buildings, its households, and those with a tagged resident", async () => {
    const buildings = await resolveTargets(db, { gridIds: [grid.id], targetKind: 'building' });
    expect(buildings.sort()).toEqual(
      town.buildings
        .filter((b) => b.gridId === grid.id)
        .map((b) => b.id)
        .sort(),
    );
    const households = await resolveTargets(db, { gridIds: [grid.id], targetKind: 'household' });
    expect(households.length).toBe(town.households.filter((h) => h.gridId === grid.id).length);
    const tag = town.people.find((p) => p.gridId === grid.id && p.tags.length > 0 && p.status === 'resident')!
      .tags[0]!;
    const tagged = await resolveTargets(db, { gridIds: [grid.id], targetKind: 'household', careTags: [tag] });
    const expected = new Set(
      town.people
        .filter(
          (p) => p.gridId === grid.id && p.status === 'resident' && !p.isDeleted && p.tags.includes(tag),
        )
        .map((p) => p.householdId),
    );
    expect(new Set(tagged)).toEqual(expected);
    expect(tagged.length).toBeLessThan(households.length);
    const parent = grid.parentId!;
    expect(await resolveTargets(db, { gridIds: [parent], targetKind: 'grid' })).toEqual([parent]);
    const underParent = await resolveTargets(db, { gridIds: [parent], targetKind: 'building' });
    expect(underParent).toEqual(expect.arrayContaining(buildings));
  });
});

describe('a task on the phone', () => {
  it('a leader issues it: the task and one item per target at once, the write in the outbox', async () => {
    const ids = await resolveTargets(db, { gridIds: [grid.id], targetKind: 'building' });
    const taskId = await createTask(contextFor(db, LEADER), {
      task: draft,
      targets: { kind: 'building', ids },
    });
    const task = (await db.tasks.get(taskId))!;
    expect(task).toMatchObject({ status: 'open', itemCount: ids.length, gridIds: [grid.id] });
    expect(task.createdBy).toEqual({ role: 'leader', userId: 'u-leader', name: '刘网格长' });
    expect(await db.taskItems.count()).toBe(ids.length);
    expect((await db.taskItems.get(taskItemId(taskId, ids[0]!)))!.label).toMatch(/栋|号楼/);
    expect((await db.outbox.toArray()).map((row) => row.name)).toEqual(['task.create']);
    expect((await visibleTasks(db, [grid.id])).map((t) => t.id)).toEqual([taskId]);
    expect(await visibleTasks(db, [grids[1]!.id])).toEqual([]);
    expect((await tasksCreatedBy(db, 'u-leader')).map((t) => t.id)).toEqual([taskId]);
  });

  it('a worker finishes an item: it leaves her open list and counts in the progress', async () => {
    const ids = await resolveTargets(db, { gridIds: [grid.id], targetKind: 'household' });
    const taskId = await createTask(contextFor(db, LEADER), {
      task: { ...draft, title: '重点人员走访', kind: 'key-person-visit' },
      targets: { kind: 'household', ids },
    });
    const open = await openItemsOfGrid(db, grid.id);
    expect(open).toHaveLength(ids.length);
    const first = open[0]!.item;
    await completeTaskItem(contextFor(db), { id: first.id, taskId, result: 'done', photoIds: [] });
    const second = open[1]!.item;
    const refused = completeTaskItem(contextFor(db), {
      id: second.id,
      taskId,
      result: 'impossible',
      photoIds: [],
    });
    await expect(refused).rejects.toThrow('请填写无法完成的原因');
    await completeTaskItem(contextFor(db), {
      id: second.id,
      taskId,
      result: 'impossible',
      reason: '已搬走',
      photoIds: [],
    });
    expect(await openItemsOfGrid(db, grid.id)).toHaveLength(ids.length - 2);
    const [ofHousehold] = await itemsOfTarget(db, 'household', first.target.id);
    expect(ofHousehold!.item).toMatchObject({ status: 'done', doneBy: { userId: TEST_WORKER.userId } });
    const progress = (await progressOf(db, taskId, today))!;
    expect(progress).toMatchObject({
      total: ids.length,
      done: 1,
      impossible: 1,
      open: ids.length - 2,
      overdue: 0,
    });
    expect(progress.perGrid).toEqual([
      { gridId: grid.id, total: ids.length, done: 1, impossible: 1, open: ids.length - 2, overdue: 0 },
    ]);
    expect(progress.gridNames[grid.id]).toBe(grid.name);
    expect(progress.perWorker).toEqual([
      { userId: TEST_WORKER.userId, name: TEST_WORKER.name, done: 1, impossible: 1 },
    ]);
    expect((await progressOf(db, taskId, addCalendarDays(draft.dueDate, 1)))!.overdue).toBe(ids.length - 2);
  });

  it('a cancelled task leaves the open list and takes no more answers', async () => {
    const ids = await resolveTargets(db, { gridIds: [grid.id], targetKind: 'grid' });
    const taskId = await createTask(contextFor(db, LEADER), { task: draft, targets: { kind: 'grid', ids } });
    await updateTask(contextFor(db, LEADER), taskId, 'cancel', { note: '重复下发' });
    expect(await openItemsOfGrid(db, grid.id)).toEqual([]);
    const item = taskItemId(taskId, grid.id);
    const late = completeTaskItem(contextFor(db), { id: item, taskId, result: 'done', photoIds: [] });
    await expect(late).rejects.toThrow('任务已取消，不能再更改');
  });

  it('a worker cannot issue one, and keeps nothing of the attempt', async () => {
    const attempt = createTask(contextFor(db), { task: draft, targets: { kind: 'grid', ids: [grid.id] } });
    await expect(attempt).rejects.toThrow(CommandError);
    await expect(attempt).rejects.toThrow('上级任务由网格长或指挥中心下发');
    expect(await db.tasks.count()).toBe(0);
    expect(await db.taskItems.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });
});

describe('the offline demo', () => {
  it("has open tasks for 幸福社区第1网格's worker, some of them done", async () => {
    // 4,000 households: 幸福社区第1网格 then has three buildings, one of them checked already.
    const demo = generateDemoTown({ households: 4000 });
    const tasks = generateOfflineDemoTasks(demo, TEST_NOW);
    expect(tasks.tasks.map((t) => [t.title, t.status])).toEqual([
      ['燃气安全专项排查', 'open'],
      ['重点人员走访', 'open'],
    ]);
    const demoDb = new AppDB(`task-commands-demo-${dbCount++}`);
    try {
      await storeRegister(demoDb, toRegisterRows({ ...demo, ...tasks }, await loadPinyin()), {
        source: 'demo',
        loadedAt: 0,
      });
      const xf01 = demo.grids.find((g) => g.code === 'XF-01')!;
      const open = await openItemsOfGrid(demoDb, xf01.id);
      expect(new Set(open.map(({ task }) => task.title))).toEqual(
        new Set(['燃气安全专项排查', '重点人员走访']),
      );
      expect(tasks.taskItems.some((item) => item.status === 'done' && item.gridId === xf01.id)).toBe(true);
    } finally {
      demoDb.close();
      await demoDb.delete();
    }
  });
});
