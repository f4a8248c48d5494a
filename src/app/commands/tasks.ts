import { newId } from '../../shared/domain/ids.ts';
import type { NewTask, TaskItemResult, TaskTargets, TaskUpdateAction } from '../../shared/schemas/index.ts';
import { runCommand, type CommandContext } from './run-command.ts';

/** What the creator fills in; `targetKind` follows the targets, `id` is made here when absent. */
export type TaskDraft = Omit<NewTask, 'id' | 'targetKind'> & { id?: string };

/**
 * Issues a task (上级任务) over targets already resolved to ids (task-queries.ts resolveTargets):
 * the task and one item per target are written here at once, and reach each grid's workers when
 * they sync. Refused (CommandError, nothing stored) for a worker, no targets, a past due date, or
 * a target outside the creator's grids. Returns the task's id.
 */
export async function createTask(
  ctx: CommandContext,
  input: { task: TaskDraft; targets: TaskTargets },
): Promise<string> {
  const at = ctx.now();
  const { id = newId(), ...fields } = input.task;
  const task: NewTask = { ...fields, id, targetKind: input.targets.kind };
  await runCommand(ctx, 'task.create', { task, targets: input.targets, at }, at);
  return id;
}

/**
 * Extends (a later `dueDate`), cancels or closes a task: only its issuer or the center, only while
 * it is open. The items stay as they are.
 */
export async function updateTask(
  ctx: CommandContext,
  id: string,
  action: TaskUpdateAction,
  options: { dueDate?: string; note?: string } = {},
): Promise<void> {
  const at = ctx.now();
  const note = options.note?.trim() || undefined;
  await runCommand(ctx, 'task.update', { id, action, dueDate: options.dueDate, note, at }, at);
}

export interface TaskItemCompletion {
  id: string;
  taskId: string;
  result: TaskItemResult;
  /** Required when `result` is 'impossible'. */
  reason?: string;
  note?: string;
  photoIds: string[];
}

/**
 * A grid worker's answer for one item (done, or impossible with a reason); sending it again
 * corrects it, while the task is open.
 */
export async function completeTaskItem(ctx: CommandContext, input: TaskItemCompletion): Promise<void> {
  const at = ctx.now();
  await runCommand(
    ctx,
    'taskItem.complete',
    {
      id: input.id,
      taskId: input.taskId,
      result: input.result,
      reason: input.reason?.trim() || undefined,
      note: input.note?.trim() || undefined,
      photoIds: input.photoIds,
      at,
    },
    at,
  );
}
