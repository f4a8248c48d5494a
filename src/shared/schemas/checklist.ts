import { z } from 'zod';
import {
  baseRecordSchema,
  calendarDateSchema,
  epochMsSchema,
  nonEmptyText,
  optionalText,
  recordIdSchema,
} from './common.ts';
import { shiftSchema } from './visit.ts';

/** The installation an item checks, so a building without gas pipes skips the gas item. */
export const FACILITY_KINDS = ['elevator', 'gas-pipes', 'fire-hydrant', 'water-pipes'] as const;
export const facilityKindSchema = z.enum(FACILITY_KINDS);
export type FacilityKind = z.infer<typeof facilityKindSchema>;

/**
 * An item's answers. Every code is a stored value: new ones may be added, none renamed or removed, so
 * runs synced before stay valid. 已提醒 / 未完成 came in after the first runs were stored; a reminder
 * answered 正常 before then is still a valid record.
 */
export const CHECK_RESULTS = {
  pass: { zh: '正常', en: 'Pass' },
  fail: { zh: '异常', en: 'Fail' },
  na: { zh: '不适用', en: 'N/A' },
  reminded: { zh: '已提醒', en: 'Reminded' },
  'not-done': { zh: '未完成', en: 'Not done' },
} as const;
export type CheckResult = keyof typeof CHECK_RESULTS;
export const checkResultSchema = z.enum(Object.keys(CHECK_RESULTS) as [CheckResult, ...CheckResult[]]);

/**
 * What kind of answer an item takes: a check of the building (is it sound?) or a reminder the worker
 * gives residents (was it given?). Rules per answer are in checklist-answers.ts.
 */
export const CHECKLIST_ITEM_KINDS = {
  check: { zh: '检查', en: 'Check', answers: ['pass', 'fail', 'na'] },
  reminder: { zh: '提醒', en: 'Reminder', answers: ['reminded', 'not-done'] },
} as const satisfies Record<string, { zh: string; en: string; answers: readonly CheckResult[] }>;
export type ChecklistItemKind = keyof typeof CHECKLIST_ITEM_KINDS;

export const checklistItemSchema = z.object({
  /** Stable within a template: results and hazards refer to it. */
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, { error: '检查项编号只能用小写字母、数字和连字符' }),
  text: nonEmptyText('检查项内容', 100),
  facility: facilityKindSchema.optional(),
  /** Left out on templates saved before reminders existed: those items are all checks. */
  kind: z.enum(Object.keys(CHECKLIST_ITEM_KINDS) as [ChecklistItemKind, ...ChecklistItemKind[]]).optional(),
});
export type ChecklistItem = z.infer<typeof checklistItemSchema>;

export const CHECKLIST_SCOPES = {
  building: { zh: '楼栋', en: 'Building' },
  enterprise: { zh: '企业', en: 'Enterprise' },
} as const;
export type ChecklistScope = keyof typeof CHECKLIST_SCOPES;

export const checklistTemplateSchema = baseRecordSchema
  .extend({
    name: nonEmptyText('模板名称', 40),
    scope: z.enum(Object.keys(CHECKLIST_SCOPES) as [ChecklistScope, ...ChecklistScope[]]),
    /** Which shifts run it: the seeds' round is daily, on the day shift and again at night. */
    shifts: z.array(shiftSchema).min(1, { error: '至少选择一个班次' }),
    items: z.array(checklistItemSchema).min(1, { error: '检查模板至少要有一个检查项' }).max(50),
    /** Built-in templates belong to no grid; a grid's own templates name it. */
    gridId: recordIdSchema.optional(),
    isBuiltIn: z.boolean(),
  })
  .superRefine((template, ctx) => {
    const seen = new Set<string>();
    template.items.forEach((item, index) => {
      if (seen.has(item.id)) {
        ctx.addIssue({ code: 'custom', message: `检查项编号重复：${item.id}`, path: ['items', index, 'id'] });
      }
      seen.add(item.id);
    });
  });
export type ChecklistTemplate = z.infer<typeof checklistTemplateSchema>;

export const checklistItemResultSchema = z
  .object({
    itemId: z.string().min(1),
    result: checkResultSchema,
    /** What was wrong (异常), or why a reminder was not given (未完成, required). */
    note: optionalText('备注', 500),
    photoIds: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(9),
  })
  .refine((answer) => answer.result !== 'not-done' || !!answer.note?.trim(), {
    error: '请写明未完成的原因',
    path: ['note'],
  });
export type ChecklistItemResult = z.infer<typeof checklistItemResultSchema>;

export const checklistRunSchema = baseRecordSchema
  .extend({
    templateId: recordIdSchema,
    gridId: recordIdSchema,
    buildingId: recordIdSchema.optional(),
    enterpriseId: recordIdSchema.optional(),
    /** Asia/Shanghai calendar day and shift the run counts for. */
    day: calendarDateSchema,
    shift: shiftSchema,
    completedAt: epochMsSchema,
    results: z.array(checklistItemResultSchema).min(1, { error: '检查记录不能为空' }),
  })
  .refine((run) => (run.buildingId === undefined) !== (run.enterpriseId === undefined), {
    error: '检查记录必须对应一个楼栋或一个企业',
    path: ['buildingId'],
  });
export type ChecklistRun = z.infer<typeof checklistRunSchema>;

/** A failed item, saved with its run; the problems issue turns it into a tracked problem (keeps the link). */
export const hazardSchema = baseRecordSchema.extend({
  gridId: recordIdSchema,
  runId: recordIdSchema,
  itemId: z.string().min(1),
  buildingId: recordIdSchema.optional(),
  enterpriseId: recordIdSchema.optional(),
  description: nonEmptyText('隐患描述', 500),
  photoIds: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(9),
  reportedAt: epochMsSchema,
  /** Set when a problem is made from it. */
  problemId: recordIdSchema.optional(),
});
export type Hazard = z.infer<typeof hazardSchema>;
