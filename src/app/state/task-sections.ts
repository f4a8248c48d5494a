/**
 * How a worker's pushed tasks (上级任务) are cut for Today and for the household and building pages:
 * the open items of tasks still open, grouped by task, the task due first at the top, each with its
 * due date in words ("12月5日前", or "已逾期 2 天" once the date is past). Pure, so the cut is tested
 * without a screen or a database.
 */
import { isPastDue, isTaskOpen } from '../../shared/domain/tasks.ts';
import type { Task, TaskItem } from '../../shared/schemas/task.ts';
import { daysBetween } from '../../shared/time.ts';

export interface TaskDue {
  dueDate: string;
  /** Whole days past the due date; 0 on and before it (the due date itself is still in time). */
  overdueDays: number;
  isDueToday: boolean;
  month: number;
  day: number;
}

export function dueOf(dueDate: string, today: string): TaskDue {
  return {
    dueDate,
    overdueDays: isPastDue({ dueDate }, today) ? daysBetween(dueDate, today) : 0,
    isDueToday: dueDate === today,
    month: Number(dueDate.slice(5, 7)),
    day: Number(dueDate.slice(8, 10)),
  };
}

export interface TaskGroup {
  task: Task;
  due: TaskDue;
  /** Still to do, in the order a worker walks them (by the target's words: building, room). */
  items: TaskItem[];
}

const byLabel = new Intl.Collator('zh-CN', { numeric: true });

/**
 * The items still to do, by task. An item of a task that was ended or cancelled is no longer asked
 * for, and one whose task has not arrived on the phone yet cannot be shown with its title: both are
 * left out. Groups: the earliest due date first (the overdue ones on top), then the older task.
 */
export function taskGroups(tasks: readonly Task[], items: readonly TaskItem[], today: string): TaskGroup[] {
  const taskOf = new Map(tasks.map((task) => [task.id, task]));
  const groups = new Map<string, TaskGroup>();
  for (const item of items) {
    if (item.isDeleted || item.status !== 'open') continue;
    const task = taskOf.get(item.taskId);
    if (!task || !isTaskOpen(task)) continue;
    let group = groups.get(task.id);
    if (!group) {
      group = { task, due: dueOf(task.dueDate, today), items: [] };
      groups.set(task.id, group);
    }
    group.items.push(item);
  }
  const result = [...groups.values()];
  for (const group of result) group.items.sort((a, b) => byLabel.compare(a.label, b.label));
  return result.sort(
    (a, b) =>
      a.task.dueDate.localeCompare(b.task.dueDate) ||
      a.task.createdAt - b.task.createdAt ||
      a.task.id.localeCompare(b.task.id),
  );
}

/** How many items there are to do in all (the section's count). */
export function openItemCount(groups: readonly TaskGroup[]): number {
  return groups.reduce((sum, group) => sum + group.items.length, 0);
}

/** Items already in grid order, cut into one run per grid (a list under each grid's name). */
export function runsByGrid<T extends { gridId: string }>(
  items: readonly T[],
): Array<{ gridId: string; items: T[] }> {
  const runs: Array<{ gridId: string; items: T[] }> = [];
  for (const item of items) {
    const last = runs.at(-1);
    if (last?.gridId === item.gridId) last.items.push(item);
    else runs.push({ gridId: item.gridId, items: [item] });
  }
  return runs;
}
