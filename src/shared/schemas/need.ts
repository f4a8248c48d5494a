import { z } from 'zod';
import { baseRecordSchema, epochMsSchema, nonEmptyText, optionalText, recordIdSchema } from './common.ts';

/** 群众需求档案: what a household needs, kept up to date on every visit. */
export const NEED_TYPES = {
  medical: { zh: '就医', en: 'Medical' },
  'daily-living': { zh: '生活照料', en: 'Daily living' },
  repair: { zh: '维修', en: 'Repair' },
  legal: { zh: '法律', en: 'Legal' },
  employment: { zh: '就业', en: 'Employment' },
  benefits: { zh: '救助保障', en: 'Benefits' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type NeedType = keyof typeof NEED_TYPES;
export const needTypeSchema = z.enum(Object.keys(NEED_TYPES) as [NeedType, ...NeedType[]], {
  error: '需求类型无效',
});

export const NEED_URGENCIES = {
  low: { zh: '一般', en: 'Low' },
  normal: { zh: '较急', en: 'Normal' },
  high: { zh: '紧急', en: 'Urgent' },
} as const;
export type NeedUrgency = keyof typeof NEED_URGENCIES;
export const needUrgencySchema = z.enum(Object.keys(NEED_URGENCIES) as [NeedUrgency, ...NeedUrgency[]]);

export const NEED_STATUSES = {
  open: { zh: '待办', en: 'Open' },
  'in-progress': { zh: '办理中', en: 'In progress' },
  met: { zh: '已解决', en: 'Met' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
} as const;
export type NeedStatus = keyof typeof NEED_STATUSES;
export const needStatusSchema = z.enum(Object.keys(NEED_STATUSES) as [NeedStatus, ...NeedStatus[]], {
  error: '需求状态无效',
});
export const OPEN_NEED_STATUSES: readonly NeedStatus[] = ['open', 'in-progress'];

export const needHistoryEntrySchema = z.object({
  at: epochMsSchema,
  status: needStatusSchema,
  note: optionalText('说明', 500),
});
export type NeedHistoryEntry = z.infer<typeof needHistoryEntrySchema>;

export const needSchema = baseRecordSchema.extend({
  householdId: recordIdSchema,
  gridId: recordIdSchema,
  personId: recordIdSchema.optional(),
  type: needTypeSchema,
  description: nonEmptyText('需求描述', 500),
  urgency: needUrgencySchema,
  status: needStatusSchema,
  /** Dated status changes, oldest first; the first entry is when it was recorded. */
  history: z.array(needHistoryEntrySchema).min(1),
  foundInVisitId: recordIdSchema.optional(),
  /** Set when the need is turned into a tracked problem. */
  problemId: recordIdSchema.optional(),
  createdAt: epochMsSchema,
});
export type Need = z.infer<typeof needSchema>;

/** What the visit form collects for each need it finds. */
export const newNeedSchema = needSchema.pick({
  type: true,
  description: true,
  urgency: true,
  personId: true,
});
export type NewNeed = z.infer<typeof newNeedSchema>;
