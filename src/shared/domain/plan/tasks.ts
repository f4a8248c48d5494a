/**
 * 上级任务: issuing a task over its targets, managing it (extend, cancel, close), and finishing its
 * items. The issuing device resolved its choice into target ids; here each target is read (the
 * server has scope-checked every one), so an item names a real household, building or grid, in the
 * grid it really is in.
 */
import type { MutationArgs } from '../../mutations.ts';
import type { RecordOf } from '../../records.ts';
import {
  TASK_STATUSES,
  taskItemSchema,
  taskSchema,
  type Task,
  type TaskEvent,
  type TaskItem,
  type TaskTargetKind,
} from '../../schemas/task.ts';
import { shanghaiDay } from '../../time.ts';
import { TASK_TARGET_RECORD_KINDS } from '../mutation-reads.ts';
import { taskItemId } from '../task-ids.ts';
import { canCompleteTaskItem, canCreateTask, canManageTask, isTaskOpen, mayHoldTaskItem } from '../tasks.ts';
import {
  applied,
  check,
  conflictsOf,
  existing,
  isRejection,
  notAfter,
  notFound,
  refuseExisting,
  reject,
  type Context,
  type Plan,
  type RecordWrite,
  type Rejection,
} from './common.ts';

const TASK_FIELDS = ['status', 'dueDate'] as const;
const ITEM_FIELDS = ['status', 'reason', 'note', 'photoIds'] as const;

/** The actor as stored on the records (who issued, who did it). */
const actorOf = (ctx: Context) => ({ role: ctx.actor.role, userId: ctx.actor.userId, name: ctx.actor.name });

interface Target {
  id: string;
  gridId: string;
  label: string;
}

/** One target as read: it must exist; an item is in its grid, and says what it is in words. */
function targetOf(ctx: Context, kind: TaskTargetKind, id: string): Target | Rejection {
  const record = existing(ctx, TASK_TARGET_RECORD_KINDS[kind], id);
  if (isRejection(record)) return record;
  if (kind === 'grid') {
    const grid = record as RecordOf<'grids'>;
    return { id, gridId: grid.id, label: grid.name };
  }
  if (kind === 'building') {
    const building = record as RecordOf<'buildings'>;
    return { id, gridId: building.gridId, label: `${building.estate} ${building.name}` };
  }
  const household = record as RecordOf<'households'>;
  return { id, gridId: household.gridId, label: household.address };
}

export function planTaskCreate(args: MutationArgs<'task.create'>, ctx: Context): Plan {
  if (!canCreateTask(ctx.actor.role)) return reject('forbidden', '上级任务由网格长或指挥中心下发');
  const { task: fields, targets } = args;
  if (fields.targetKind !== targets.kind)
    return reject('invalid', '任务对象的类型与任务不一致', 'targetKind');
  const ids = [...new Set(targets.ids)];
  if (ids.length === 0) return reject('invalid', '请至少选择一个任务对象', 'targets');
  const at = notAfter(args.at, ctx);
  if (fields.dueDate < shanghaiDay(at)) return reject('invalid', '截止日期不能早于今天', 'dueDate');

  const found: Target[] = [];
  for (const id of ids) {
    const target = targetOf(ctx, targets.kind, id);
    if (isRejection(target)) return target;
    found.push(target);
  }
  const actor = actorOf(ctx);
  const task = check(taskSchema, {
    ...fields,
    updatedAt: at,
    isDeleted: false,
    gridIds: [...new Set(found.map((t) => t.gridId))],
    itemCount: found.length,
    status: 'open',
    createdBy: actor,
    createdAt: at,
    history: [{ at, action: 'create', actor }],
  } satisfies Task);
  if (!task.ok) return task;

  const items: TaskItem[] = [];
  for (const target of found) {
    const item = check(taskItemSchema, {
      id: taskItemId(fields.id, target.id),
      updatedAt: at,
      isDeleted: false,
      taskId: fields.id,
      gridId: target.gridId,
      target: { kind: targets.kind, id: target.id },
      label: target.label,
      status: 'open',
      photoIds: [],
      ...(fields.isSensitive === true ? { isSensitive: true } : {}),
    } satisfies TaskItem);
    if (!item.ok) return item;
    items.push(item.value);
  }
  const taken = refuseExisting(ctx, 'tasks', [task.value]) ?? refuseExisting(ctx, 'taskItems', items);
  if (taken) return taken;
  const writes: RecordWrite[] = [{ kind: 'tasks', record: task.value }];
  for (const record of items) writes.push({ kind: 'taskItems', record });
  return applied(writes);
}

const NOT_OPEN = (task: Task) => `任务${TASK_STATUSES[task.status].zh}，不能再更改`;

export function planTaskUpdate(args: MutationArgs<'task.update'>, ctx: Context): Plan {
  const task = existing(ctx, 'tasks', args.id);
  if (isRejection(task)) return task;
  if (!canManageTask(ctx.actor, task)) return reject('forbidden', '只有下发任务的人或指挥中心可以更改任务');
  if (!isTaskOpen(task)) return reject('invalid', NOT_OPEN(task));
  const at = notAfter(args.at, ctx);
  const event: TaskEvent = { at, action: args.action, actor: actorOf(ctx) };
  if (args.note !== undefined) event.note = args.note;
  let next: Task;
  if (args.action === 'extend') {
    if (args.dueDate === undefined) return reject('invalid', '请选择新的截止日期', 'dueDate');
    if (args.dueDate <= task.dueDate) return reject('invalid', '新的截止日期必须晚于原截止日期', 'dueDate');
    if (args.dueDate < shanghaiDay(at)) return reject('invalid', '截止日期不能早于今天', 'dueDate');
    event.dueDate = args.dueDate;
    next = { ...task, dueDate: args.dueDate, updatedAt: at, history: [...task.history, event] };
  } else {
    const status = args.action === 'cancel' ? 'cancelled' : 'closed';
    next = { ...task, status, updatedAt: at, history: [...task.history, event] };
  }
  const checked = check(taskSchema, next);
  if (!checked.ok) return checked;
  return applied(
    [{ kind: 'tasks', record: checked.value }],
    conflictsOf(ctx, 'tasks', task, checked.value, TASK_FIELDS),
  );
}

export function planTaskItemComplete(args: MutationArgs<'taskItem.complete'>, ctx: Context): Plan {
  if (!canCompleteTaskItem(ctx.actor.role)) return reject('forbidden', '任务对象由所在网格的网格员完成');
  // An item the actor may not hold is answered as if it did not exist: a different refusal would
  // tell a helper guessing ids (they are a function of task and household) who carries the tag.
  const held = ctx.reads.get('taskItems', args.id);
  const item =
    held && !mayHoldTaskItem(ctx.actor.role, held)
      ? notFound('taskItems')
      : existing(ctx, 'taskItems', args.id);
  if (isRejection(item)) return item;
  if (item.taskId !== args.taskId) return reject('invalid', '这个任务对象不属于该任务');
  const task = existing(ctx, 'tasks', args.taskId);
  if (isRejection(task)) return task;
  if (!isTaskOpen(task)) return reject('invalid', NOT_OPEN(task));
  const reason = args.result === 'impossible' ? args.reason : undefined;
  if (args.result === 'impossible' && !reason) return reject('invalid', '请填写无法完成的原因', 'reason');
  const at = notAfter(args.at, ctx);
  // A correction replaces what was said before: no reason or note of the first answer stays behind.
  const { reason: _reason, note: _note, ...rest } = item;
  const next = check(taskItemSchema, {
    ...rest,
    status: args.result,
    ...(reason ? { reason } : {}),
    ...(args.note ? { note: args.note } : {}),
    photoIds: args.photoIds,
    doneAt: at,
    doneBy: actorOf(ctx),
    updatedAt: at,
  } satisfies TaskItem);
  if (!next.ok) return next;
  return applied(
    [{ kind: 'taskItems', record: next.value }],
    conflictsOf(ctx, 'taskItems', item, next.value, ITEM_FIELDS),
  );
}
