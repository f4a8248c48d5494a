/**
 * The reads the 上级任务 screens need, over what the device has synced: a worker's items come with
 * her grids' records, every task of the town comes to every grid role. Overdue and progress are
 * the shared definitions (src/shared/domain/tasks.ts), given the Asia/Shanghai day by the caller.
 */
import { gridsAtOrBelow } from '../../shared/domain/grid-tree.ts';
import Dexie from 'dexie';
import { taskProgress, type TaskProgress } from '../../shared/domain/tasks.ts';
import type { CareTag, Task, TaskItem, TaskTargetKind } from '../../shared/schemas/index.ts';
import type { AppDB } from './app-db.ts';

/** An item with the task it belongs to (an item whose task has not arrived yet is left out). */
export interface TaskItemWithTask {
  item: TaskItem;
  task: Task;
}

async function withTasks(db: AppDB, items: readonly TaskItem[]): Promise<TaskItemWithTask[]> {
  const taskIds = [...new Set(items.map((item) => item.taskId))];
  const tasks = new Map(
    (await db.tasks.bulkGet(taskIds)).flatMap((t) => (t && !t.isDeleted ? [[t.id, t]] : [])),
  );
  return items.flatMap((item) => {
    const task = tasks.get(item.taskId);
    return task && !item.isDeleted ? [{ item, task }] : [];
  });
}

const byDueDate = (a: TaskItemWithTask, b: TaskItemWithTask) =>
  a.task.dueDate.localeCompare(b.task.dueDate) || a.item.label.localeCompare(b.item.label, 'zh-CN');

/**
 * The grid's items still to do, of its open tasks (Today's 上级任务): soonest due first, then by
 * label. Whether one is overdue: isItemOverdue(item, task, today) from shared/domain/tasks.ts.
 */
export async function openItemsOfGrid(db: AppDB, gridId: string): Promise<TaskItemWithTask[]> {
  const items = await db.taskItems.where('[gridId+status]').equals([gridId, 'open']).toArray();
  return (await withTasks(db, items)).filter(({ task }) => task.status === 'open').sort(byDueDate);
}

/** Every item of the grid, whatever its status or its task's (a grid's task list), soonest due first. */
export async function itemsOfGrid(db: AppDB, gridId: string): Promise<TaskItemWithTask[]> {
  const items = await db.taskItems
    .where('[gridId+status]')
    .between([gridId, Dexie.minKey], [gridId, Dexie.maxKey])
    .toArray();
  return (await withTasks(db, items)).sort(byDueDate);
}

/** The items naming one household, building or grid (its page's 上级任务), newest task first. */
export async function itemsOfTarget(
  db: AppDB,
  kind: TaskTargetKind,
  id: string,
): Promise<TaskItemWithTask[]> {
  const items = await db.taskItems.where('[target.kind+target.id]').equals([kind, id]).toArray();
  return (await withTasks(db, items)).sort((a, b) => b.task.createdAt - a.task.createdAt);
}

/** One item with its task, for the item's form. */
export async function taskItemDetail(db: AppDB, id: string): Promise<TaskItemWithTask | undefined> {
  const item = await db.taskItems.get(id);
  return item ? (await withTasks(db, [item]))[0] : undefined;
}

const newestFirst = (a: Task, b: Task) => b.createdAt - a.createdAt;

/**
 * The town's tasks on this device, newest first; with `gridIds`, only those with items in one of
 * these grids (a worker's list).
 */
export async function visibleTasks(db: AppDB, gridIds?: readonly string[]): Promise<Task[]> {
  const wanted = gridIds ? new Set(gridIds) : undefined;
  const tasks = await db.tasks.filter((t) => !t.isDeleted).toArray();
  return tasks.filter((t) => !wanted || t.gridIds.some((g) => wanted.has(g))).sort(newestFirst);
}

/** The tasks one person issued (a leader's or the center's 我下发的), newest first. */
export async function tasksCreatedBy(db: AppDB, userId: string): Promise<Task[]> {
  const tasks = await db.tasks.filter((t) => !t.isDeleted && t.createdBy.userId === userId).toArray();
  return tasks.sort(newestFirst);
}

export interface TaskProgressView extends TaskProgress {
  task: Task;
  /** Names of the grids in perGrid (empty when the grid is not on this device). */
  gridNames: Record<string, string>;
}

/**
 * A task's progress: totals, per grid and per worker who finished items, with overdue counted for
 * `today` (Asia/Shanghai). The issuer's device holds every item it wrote; another device counts the
 * items it has (its own grids'). Undefined when the task is not on the device.
 */
export async function progressOf(
  db: AppDB,
  taskId: string,
  today: string,
): Promise<TaskProgressView | undefined> {
  const task = await db.tasks.get(taskId);
  if (!task || task.isDeleted) return undefined;
  const items = await db.taskItems.where('taskId').equals(taskId).toArray();
  const progress = taskProgress(task, items, today);
  const grids = await db.grids.bulkGet(progress.perGrid.map((g) => g.gridId));
  const gridNames = Object.fromEntries(grids.flatMap((g) => (g ? [[g.id, g.name]] : [])));
  return { ...progress, task, gridNames };
}

/** How the creator chose the targets; resolveTargets turns it into ids. */
export interface TargetFilter {
  /** The grids to cover (their grids below are included): a leader's own, or any the center picks. */
  gridIds: readonly string[];
  targetKind: TaskTargetKind;
  /** Households only: those with a resident who has one of these tags. */
  careTags?: readonly CareTag[];
  /** Buildings: these only; households: those living in these buildings. */
  buildingIds?: readonly string[];
}

/** The grids given and every grid below them, of the grids on the device. */
async function gridsUnder(db: AppDB, gridIds: readonly string[]): Promise<Set<string>> {
  const grids = (await db.grids.toArray()).filter((g) => !g.isDeleted);
  return gridsAtOrBelow(grids, gridIds);
}

/**
 * The target ids a filter names, from the device's own records (a leader holds their grids, the
 * center the town), for createTask's `targets.ids`: grids (the ones given, not those below them),
 * buildings of the grids, or households of the grids, narrowed by building and by care tag.
 */
export async function resolveTargets(db: AppDB, filter: TargetFilter): Promise<string[]> {
  const grids = await gridsUnder(db, filter.gridIds);
  if (filter.targetKind === 'grid') return filter.gridIds.filter((id) => grids.has(id));
  const buildingIds = filter.buildingIds ? new Set(filter.buildingIds) : undefined;
  if (filter.targetKind === 'building') {
    const buildings = await db.buildings
      .where('gridId')
      .anyOf([...grids])
      .toArray();
    return buildings.filter((b) => !b.isDeleted && (!buildingIds || buildingIds.has(b.id))).map((b) => b.id);
  }
  let households = await db.households
    .where('gridId')
    .anyOf([...grids])
    .toArray();
  households = households.filter(
    (h) => !h.isDeleted && (!buildingIds || (h.buildingId !== undefined && buildingIds.has(h.buildingId))),
  );
  if (filter.careTags && filter.careTags.length > 0) {
    const people = await db.people
      .where('tags')
      .anyOf([...filter.careTags])
      .toArray();
    const tagged = new Set(
      people
        .filter((p) => !p.isDeleted && p.status === 'resident' && grids.has(p.gridId))
        .map((p) => p.householdId),
    );
    households = households.filter((h) => tagged.has(h.id));
  }
  return households.map((h) => h.id);
}
