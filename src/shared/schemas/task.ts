import { z } from 'zod';
import {
  baseRecordSchema,
  calendarDateSchema,
  epochMsSchema,
  nonEmptyText,
  optionalText,
  recordIdSchema,
} from './common.ts';
import { actorSchema } from './problem.ts';

/**
 * 上级任务: work a leader or the command center pushes down to the grids (the top-down flow of the
 * seeds' towns). A task is one record the whole town's grid roles read; each target it names becomes
 * one task item in the target's grid, which reaches that grid's workers by the usual grid scope.
 * Every code below is a stored value: new ones may be added, none renamed or removed.
 */
export const TASK_KINDS = {
  'key-person-visit': { zh: '重点人员走访', en: 'Key-person visit' },
  'address-check': { zh: '地址核查', en: 'Address check' },
  'house-check': { zh: '房屋核查', en: 'House check' },
  'policy-outreach': { zh: '政策宣传', en: 'Policy outreach' },
  'special-inspection': { zh: '专项排查', en: 'Special inspection' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type TaskKind = keyof typeof TASK_KINDS;
export const taskKindSchema = z.enum(Object.keys(TASK_KINDS) as [TaskKind, ...TaskKind[]], {
  error: '请选择任务类型',
});

/** What one item of the task is about: a whole grid, a building, or a household. */
export const TASK_TARGET_KINDS = {
  grid: { zh: '整个网格', en: 'Whole grid' },
  building: { zh: '楼栋', en: 'Building' },
  household: { zh: '住户', en: 'Household' },
} as const;
export type TaskTargetKind = keyof typeof TASK_TARGET_KINDS;
export const taskTargetKindSchema = z.enum(
  Object.keys(TASK_TARGET_KINDS) as [TaskTargetKind, ...TaskTargetKind[]],
);

export const TASK_STATUSES = {
  open: { zh: '进行中', en: 'Open' },
  closed: { zh: '已结束', en: 'Closed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const;
export type TaskStatus = keyof typeof TASK_STATUSES;
export const taskStatusSchema = z.enum(Object.keys(TASK_STATUSES) as [TaskStatus, ...TaskStatus[]]);

export const TASK_ACTIONS = {
  create: { zh: '下发', en: 'Issued' },
  extend: { zh: '延期', en: 'Extended' },
  cancel: { zh: '取消', en: 'Cancelled' },
  close: { zh: '结束', en: 'Closed' },
} as const;
export type TaskAction = keyof typeof TASK_ACTIONS;
export const taskActionSchema = z.enum(Object.keys(TASK_ACTIONS) as [TaskAction, ...TaskAction[]]);

export const taskEventSchema = z.object({
  at: epochMsSchema,
  action: taskActionSchema,
  actor: actorSchema,
  /** extend: the new due date. */
  dueDate: calendarDateSchema.optional(),
  note: optionalText('说明', 500),
});
export type TaskEvent = z.infer<typeof taskEventSchema>;

/** The most items one task may fan out to: a town-wide campaign over every household fits. */
export const MAX_TASK_ITEMS = 40_000;

export const taskSchema = baseRecordSchema.extend({
  title: nonEmptyText('任务标题', 60),
  kind: taskKindSchema,
  description: optionalText('任务说明', 1000),
  /** The last day (Asia/Shanghai) by which each item should be done; after it an open item is overdue. */
  dueDate: calendarDateSchema,
  targetKind: taskTargetKindSchema,
  /** How the targets were chosen, in words, for lists ("幸福社区 · 独居老人"). */
  targetSummary: optionalText('任务对象', 200),
  /**
   * Chosen by a care tag PIPL treats as sensitive (重点人员, 残疾人…): the list of its items says who
   * carries that tag, so items reach only the roles that may see such tags (privacy.ts), never a
   * helper, the center or a department. Absent on tasks stored before it existed: not sensitive.
   */
  isSensitive: z.boolean().optional(),
  /** The grids the items fall in (what the creator's progress is broken down by). */
  gridIds: z.array(recordIdSchema).max(5_000),
  itemCount: z.number().int().min(1).max(MAX_TASK_ITEMS),
  status: taskStatusSchema,
  createdBy: actorSchema,
  createdAt: epochMsSchema,
  /** Oldest first; the first event is the creation. */
  history: z.array(taskEventSchema).min(1).max(200),
});
export type Task = z.infer<typeof taskSchema>;

export const TASK_ITEM_RESULTS = {
  open: { zh: '待完成', en: 'To do' },
  done: { zh: '已完成', en: 'Done' },
  impossible: { zh: '无法完成', en: 'Not possible' },
} as const;
export type TaskItemStatus = keyof typeof TASK_ITEM_RESULTS;
export const taskItemStatusSchema = z.enum(
  Object.keys(TASK_ITEM_RESULTS) as [TaskItemStatus, ...TaskItemStatus[]],
);

export const taskItemSchema = baseRecordSchema.extend({
  taskId: recordIdSchema,
  /** The grid whose workers do this item (the target's grid). */
  gridId: recordIdSchema,
  target: z.object({ kind: taskTargetKindSchema, id: recordIdSchema }),
  /** The target in words (a household's address, a building's name), for readers without the register. */
  label: nonEmptyText('任务对象', 200),
  status: taskItemStatusSchema,
  /** Required when the item is impossible: why ("已搬走", "拒绝配合"). */
  reason: optionalText('原因', 200),
  note: optionalText('说明', 1000),
  photoIds: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(9),
  /** Copied from its task, so the server can keep it from roles that may not see it row by row. */
  isSensitive: z.boolean().optional(),
  doneAt: epochMsSchema.optional(),
  doneBy: actorSchema.optional(),
});
export type TaskItem = z.infer<typeof taskItemSchema>;

/** What the creator of a task chooses; the planner adds the rest (counts, grids, status, history). */
export const newTaskSchema = taskSchema.pick({
  id: true,
  title: true,
  kind: true,
  description: true,
  dueDate: true,
  targetKind: true,
  targetSummary: true,
  isSensitive: true,
});
export type NewTask = z.infer<typeof newTaskSchema>;

/** The targets of a new task, already resolved to ids by the creating device (see resolveTargets). */
export const taskTargetsSchema = z.object({
  kind: taskTargetKindSchema,
  ids: z.array(recordIdSchema).max(MAX_TASK_ITEMS, { error: `一个任务最多 ${MAX_TASK_ITEMS} 个对象` }),
});
export type TaskTargets = z.infer<typeof taskTargetsSchema>;

/** What a task's manager may do to it after issuing it. */
export const taskUpdateActionSchema = taskActionSchema.exclude(['create']);
export type TaskUpdateAction = z.infer<typeof taskUpdateActionSchema>;

/** How an item ends: done, or found impossible (with a reason). */
export const taskItemResultSchema = taskItemStatusSchema.exclude(['open']);
export type TaskItemResult = z.infer<typeof taskItemResultSchema>;
