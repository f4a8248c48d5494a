/**
 * 上级任务 rules every side shares: who may issue, manage and complete a task, when an item is overdue,
 * and how progress is counted. The planner refuses by these, the phone's screens show by these, and
 * the dashboard counts by these, so a figure and the list behind it always agree.
 */
import type { Role } from '../schemas/problem.ts';
import type { Task, TaskItem, TaskItemStatus } from '../schemas/task.ts';
import type { PlanActor } from './plan/common.ts';
import { canSeeSensitive } from './privacy.ts';

/** Who pushes tasks down: a leader to the grids they lead, the center and the administrator to the town's. */
export const TASK_CREATOR_ROLES: ReadonlySet<Role> = new Set<Role>(['leader', 'center', 'admin']);
export const canCreateTask = (role: Role) => TASK_CREATOR_ROLES.has(role);

/** Who does an item: the grid's own people (its grid scope is checked by the server, not here). */
export const TASK_DOER_ROLES: ReadonlySet<Role> = new Set<Role>(['worker', 'helper', 'leader']);
export const canCompleteTaskItem = (role: Role) => TASK_DOER_ROLES.has(role);

/** Extending, cancelling and closing belong to whoever issued the task, and to the center above them. */
export function canManageTask(actor: Pick<PlanActor, 'role' | 'userId'>, task: Pick<Task, 'createdBy'>) {
  if (actor.role === 'center' || actor.role === 'admin') return true;
  return canCreateTask(actor.role) && task.createdBy.userId === actor.userId;
}

/**
 * Whether a role may hold an item at all: an item of a task chosen by a sensitive care tag tells who
 * carries it, so it is only for the roles that see such tags (a helper of the grid does not get it).
 */
export const mayHoldTaskItem = (role: Role, item: Pick<TaskItem, 'isSensitive'>) =>
  item.isSensitive !== true || canSeeSensitive(role);

export const isTaskOpen = (task: Pick<Task, 'status' | 'isDeleted'>) =>
  task.status === 'open' && !task.isDeleted;

/** A task is past due once its due date (Asia/Shanghai) is behind `today`. */
export const isPastDue = (task: Pick<Task, 'dueDate'>, today: string) => today > task.dueDate;

/**
 * An item is overdue when it is still to do after its task's due date, while the task is open (a
 * closed or cancelled task's open items are no longer anyone's work). `today`: the Asia/Shanghai day.
 */
export function isItemOverdue(
  item: Pick<TaskItem, 'status'>,
  task: Pick<Task, 'status' | 'isDeleted' | 'dueDate'>,
  today: string,
): boolean {
  return item.status === 'open' && isTaskOpen(task) && isPastDue(task, today);
}

/** Counts of one slice of a task's items. `finished` = done + impossible. */
export interface TaskCounts {
  total: number;
  open: number;
  done: number;
  impossible: number;
  overdue: number;
}

export interface GridTaskCounts extends TaskCounts {
  gridId: string;
}

/** What one person finished (items are the grid's, so only finished ones have a person). */
export interface WorkerTaskCounts {
  userId: string;
  name: string;
  done: number;
  impossible: number;
}

export interface TaskProgress extends TaskCounts {
  /** One row per grid of the task (task.gridIds order, then any other grid an item names). */
  perGrid: GridTaskCounts[];
  /** One row per person who finished an item, most finished first. */
  perWorker: WorkerTaskCounts[];
}

const emptyCounts = (): TaskCounts => ({ total: 0, open: 0, done: 0, impossible: 0, overdue: 0 });

function count(into: TaskCounts, status: TaskItemStatus, overdue: boolean) {
  into.total += 1;
  into[status] += 1;
  if (overdue) into.overdue += 1;
}

/** A task's progress over its items (deleted items do not count). */
export function taskProgress(
  task: Pick<Task, 'status' | 'isDeleted' | 'dueDate'> & { gridIds: readonly string[] },
  items: readonly Pick<TaskItem, 'status' | 'gridId' | 'doneBy' | 'isDeleted'>[],
  today: string,
): TaskProgress {
  const all = emptyCounts();
  const perGrid = new Map<string, GridTaskCounts>(
    task.gridIds.map((gridId) => [gridId, { gridId, ...emptyCounts() }]),
  );
  const perWorker = new Map<string, WorkerTaskCounts>();
  for (const item of items) {
    if (item.isDeleted) continue;
    const overdue = isItemOverdue(item, task, today);
    count(all, item.status, overdue);
    let grid = perGrid.get(item.gridId);
    if (!grid) perGrid.set(item.gridId, (grid = { gridId: item.gridId, ...emptyCounts() }));
    count(grid, item.status, overdue);
    if (item.status !== 'open' && item.doneBy?.userId) {
      const { userId, name = '' } = item.doneBy;
      let worker = perWorker.get(userId);
      if (!worker) perWorker.set(userId, (worker = { userId, name, done: 0, impossible: 0 }));
      worker[item.status] += 1;
    }
  }
  const finished = (w: WorkerTaskCounts) => w.done + w.impossible;
  return {
    ...all,
    perGrid: [...perGrid.values()],
    perWorker: [...perWorker.values()].sort((a, b) => finished(b) - finished(a)),
  };
}
