/**
 * Pushed tasks (上级任务) as the screens read them: live views over the phone's tasks and task items,
 * so an item done here, or a task extended on another phone and synced, shows at once. Call during
 * component initialisation (they are Dexie live queries).
 */
import { canManageTask } from '../../shared/domain/tasks.ts';
import type {
  Building,
  Grid,
  Household,
  Task,
  TaskItem,
  TaskTargetKind,
} from '../../shared/schemas/index.ts';
import { appDb } from '../db/index.ts';
import {
  itemsOfTarget,
  openItemsOfGrid,
  progressOf,
  resolveTargets,
  taskItemDetail,
  visibleTasks,
  type TaskItemWithTask,
  type TargetFilter,
  type TaskProgressView,
} from '../db/task-queries.ts';
import { live, type Live } from './live.svelte.ts';
import { round } from './round.svelte.ts';
import { session } from './session.svelte.ts';
import { settings } from './settings.svelte.ts';
import { distinctCount } from './task-draft.ts';
import { taskGroups, type TaskGroup } from './task-sections.ts';

/** Which task folds are open; kept while the app runs, so coming back from an item keeps them. */
export const taskFolds = $state({ today: true });

const groupsOf = (pairs: readonly TaskItemWithTask[], today: string) =>
  taskGroups(
    pairs.map((p) => p.task),
    pairs.map((p) => p.item),
    today,
  );

/** Today's 上级任务: the open items of the worker's grid, by task. */
export function liveTaskGroups(): Live<TaskGroup[]> {
  return live(
    () => ({ gridId: settings.gridId, today: round.today }),
    async ({ gridId, today }) => (gridId ? groupsOf(await openItemsOfGrid(appDb, gridId), today) : []),
    [] as TaskGroup[],
  );
}

/** The open items of one household or building (its page shows them). */
export function liveTargetTaskGroups(target: () => { kind: TaskTargetKind; id: string }): Live<TaskGroup[]> {
  return live(
    () => ({ ...target(), today: round.today }),
    async ({ kind, id, today }) => groupsOf(await itemsOfTarget(appDb, kind, id), today),
    [] as TaskGroup[],
  );
}

export interface TaskItemView {
  item: TaskItem;
  task: Task;
  grid: Grid | undefined;
  household: Household | undefined;
  building: Building | undefined;
}

/** One item with its task and what it is about (the item page); null when it is not on the phone. */
export function liveTaskItem(id: () => string): Live<TaskItemView | null | undefined> {
  return live(
    id,
    async (itemId): Promise<TaskItemView | null> => {
      const detail = await taskItemDetail(appDb, itemId);
      if (!detail) return null;
      const { item } = detail;
      const [grid, household, building] = await Promise.all([
        appDb.grids.get(item.gridId),
        item.target.kind === 'household' ? appDb.households.get(item.target.id) : undefined,
        item.target.kind === 'building' ? appDb.buildings.get(item.target.id) : undefined,
      ]);
      return { ...detail, grid, household, building };
    },
    undefined,
  );
}

/**
 * The task list of 上级任务: the tasks this user may manage (issued by them; every task for the
 * center), and the others that have items on this phone (a leader following the center's campaign
 * in her grids). Open tasks first, each group newest first.
 */
export function liveTaskList(): Live<TaskProgressView[]> {
  return live(
    () => ({ today: round.today, actor: session.actor }),
    async ({ today, actor }) => {
      const rows = await Promise.all(
        (await visibleTasks(appDb)).map((task) => progressOf(appDb, task.id, today)),
      );
      const rank = (task: Task) => (task.status === 'open' ? 0 : 1);
      return rows
        .filter((row): row is TaskProgressView => !!row && (canManageTask(actor, row.task) || row.total > 0))
        .sort((a, b) => rank(a.task) - rank(b.task) || b.task.createdAt - a.task.createdAt);
    },
    [] as TaskProgressView[],
  );
}

export interface TaskPageView {
  progress: TaskProgressView;
  /** The items still to do and those found impossible (the page lists them). */
  items: TaskItem[];
}

/** One task's progress page: counts per grid and per worker, and the items to list. */
export function liveTaskProgress(id: () => string): Live<TaskPageView | null | undefined> {
  return live(
    () => ({ id: id(), today: round.today }),
    async ({ id, today }): Promise<TaskPageView | null> => {
      const progress = await progressOf(appDb, id, today);
      if (!progress) return null;
      const items = await appDb.taskItems
        .where('taskId')
        .equals(id)
        .filter((item) => !item.isDeleted && item.status !== 'done')
        .toArray();
      return { progress, items };
    },
    undefined,
  );
}

export interface TargetCount {
  ids: string[];
  /** How many grids the items fall in ("涉及 M 个网格"). */
  gridCount: number;
}

/** What a new task's choice names right now, for "将下发 N 项，涉及 M 个网格" before confirming. */
export function liveTargetCount(filter: () => TargetFilter): Live<TargetCount | undefined> {
  return live(
    filter,
    async (current): Promise<TargetCount> => {
      if (current.gridIds.length === 0) return { ids: [], gridCount: 0 };
      const ids = await resolveTargets(appDb, current);
      if (current.targetKind === 'grid') return { ids, gridCount: ids.length };
      const records =
        current.targetKind === 'building'
          ? await appDb.buildings.bulkGet(ids)
          : await appDb.households.bulkGet(ids);
      return { ids, gridCount: distinctCount(records.map((r) => r?.gridId)) };
    },
    undefined,
  );
}
