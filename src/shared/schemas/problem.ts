import { z } from 'zod';
import {
  baseRecordSchema,
  epochMsSchema,
  nonEmptyText,
  optionalText,
  phoneSchema,
  recordIdSchema,
} from './common.ts';
import { gpsFixSchema } from './visit.ts';

/** DOMAIN.md "Problems": the categories the town's command center sorts by. */
export const PROBLEM_CATEGORIES = {
  infrastructure: { zh: '基础设施', en: 'Infrastructure' },
  environment: { zh: '环境卫生', en: 'Environment & sanitation' },
  'safety-hazard': { zh: '安全隐患', en: 'Safety hazard' },
  dispute: { zh: '矛盾纠纷', en: 'Dispute' },
  welfare: { zh: '社会保障', en: 'Social welfare' },
  'public-order': { zh: '治安', en: 'Public order' },
  suggestion: { zh: '意见建议', en: 'Opinion / suggestion' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type ProblemCategory = keyof typeof PROBLEM_CATEGORIES;
export const problemCategorySchema = z.enum(
  Object.keys(PROBLEM_CATEGORIES) as [ProblemCategory, ...ProblemCategory[]],
  { error: '问题类别无效' },
);

/**
 * Severity colour (seed 000): red, orange, yellow, blue. `responseDays` is how long the problem may
 * stay unresolved before it counts as overdue (the town's response rule; configuration later).
 */
export const SEVERITIES = {
  red: { zh: '红', en: 'Red', hex: '#d32f2f', tint: 'FFCDD2', responseDays: 1 },
  orange: { zh: '橙', en: 'Orange', hex: '#ef6c00', tint: 'FFE0B2', responseDays: 3 },
  yellow: { zh: '黄', en: 'Yellow', hex: '#f9a825', tint: 'FFF9C4', responseDays: 7 },
  blue: { zh: '蓝', en: 'Blue', hex: '#1565c0', tint: 'BBDEFB', responseDays: 15 },
} as const;
export type Severity = keyof typeof SEVERITIES;
export const severitySchema = z.enum(Object.keys(SEVERITIES) as [Severity, ...Severity[]], {
  error: '颜色等级只能是红、橙、黄、蓝',
});

/** 三级办理 (seed 001): 3 = village/community itself, 2 = town/street, 1 = district departments. */
export const HANDLING_LEVELS = {
  3: { zh: '三级（村/社区）', en: 'Level 3 (community)' },
  2: { zh: '二级（镇/街道）', en: 'Level 2 (town)' },
  1: { zh: '一级（区级部门）', en: 'Level 1 (district)' },
} as const;
export type HandlingLevel = 1 | 2 | 3;
export const handlingLevelSchema = z.union([z.literal(1), z.literal(2), z.literal(3)], {
  error: '办理层级只能是 1、2、3',
});

/** Seed 000: simple -> solved on the spot; general -> grid leader follows up; complex -> departments together. */
export const HANDLING_PATHS = {
  'on-the-spot': { zh: '现场解决', en: 'Solved on the spot' },
  leader: { zh: '网格长跟进', en: 'Grid leader follows up' },
  departments: { zh: '部门联办（吹哨报到）', en: 'Departments together' },
} as const;
export type HandlingPath = keyof typeof HANDLING_PATHS;
export const handlingPathSchema = z.enum(Object.keys(HANDLING_PATHS) as [HandlingPath, ...HandlingPath[]]);

export const PROBLEM_SOURCES = {
  snap: { zh: '随手拍', en: 'Snap and report' },
  checklist: { zh: '巡查异常', en: 'Failed checklist item' },
  visit: { zh: '走访发现', en: 'Need found on a visit' },
  resident: { zh: '居民上报', en: 'Resident' },
  wechat: { zh: '微信群', en: 'WeChat group message' },
} as const;
export type ProblemSource = keyof typeof PROBLEM_SOURCES;
export const problemSourceSchema = z.enum(
  Object.keys(PROBLEM_SOURCES) as [ProblemSource, ...ProblemSource[]],
);

export const PROBLEM_STATUSES = {
  reported: { zh: '已上报', en: 'Reported', isOpen: true },
  dispatched: { zh: '已派单', en: 'Dispatched', isOpen: true },
  accepted: { zh: '已接单', en: 'Accepted', isOpen: true },
  'in-progress': { zh: '处置中', en: 'In progress', isOpen: true },
  resolved: { zh: '已办结', en: 'Resolved', isOpen: false },
  'feedback-given': { zh: '已反馈', en: 'Feedback given', isOpen: false },
  evaluated: { zh: '已评价', en: 'Evaluated', isOpen: false },
  'closed-on-the-spot': { zh: '现场办结', en: 'Closed on the spot', isOpen: false },
  /** A resident's report a leader judged malicious or void: closed, out of the inbox and the figures. */
  'closed-abuse': { zh: '已关闭（无效反映）', en: 'Closed as abuse', isOpen: false },
} as const;
export type ProblemStatus = keyof typeof PROBLEM_STATUSES;
export const problemStatusSchema = z.enum(
  Object.keys(PROBLEM_STATUSES) as [ProblemStatus, ...ProblemStatus[]],
);

/** Who acts on problems. `resident` is the anonymous QR reporter. */
export const ROLES = {
  worker: { zh: '网格员', en: 'Grid worker' },
  helper: { zh: '兼职网格员', en: 'Helper' },
  leader: { zh: '网格长', en: 'Grid leader' },
  center: { zh: '指挥中心', en: 'Command center' },
  department: { zh: '职能部门', en: 'Department' },
  admin: { zh: '管理员', en: 'Admin' },
  resident: { zh: '居民', en: 'Resident' },
} as const;
export type Role = keyof typeof ROLES;
export const roleSchema = z.enum(Object.keys(ROLES) as [Role, ...Role[]]);

export const actorSchema = z.object({
  role: roleSchema,
  /** Absent for an anonymous resident. */
  userId: z.string().min(1).optional(),
  name: z.string().max(40).optional(),
  /** For department staff: which department they act for (matches Assignee.id of kind department). */
  departmentId: z.string().min(1).optional(),
});
export type Actor = z.infer<typeof actorSchema>;

export const assigneeSchema = z.object({
  kind: z.enum(['department', 'worker']),
  id: z.string().min(1),
  name: nonEmptyText('承办单位', 40),
});
export type Assignee = z.infer<typeof assigneeSchema>;

export const PROBLEM_ACTIONS = {
  report: { zh: '上报', en: 'Report' },
  'close-on-spot': { zh: '现场办结', en: 'Close on the spot' },
  escalate: { zh: '上报上级', en: 'Escalate' },
  dispatch: { zh: '派单', en: 'Dispatch' },
  transfer: { zh: '转办', en: 'Transfer' },
  accept: { zh: '接单', en: 'Accept' },
  progress: { zh: '进展', en: 'Progress note' },
  resolve: { zh: '办结', en: 'Resolve' },
  feedback: { zh: '反馈', en: 'Feedback' },
  evaluate: { zh: '评价', en: 'Evaluate' },
  'mark-abuse': { zh: '标记为无效反映', en: 'Mark as abuse' },
} as const;
export type ProblemAction = keyof typeof PROBLEM_ACTIONS;
export const problemActionSchema = z.enum(
  Object.keys(PROBLEM_ACTIONS) as [ProblemAction, ...ProblemAction[]],
);

/** One dated step of the closed loop, as it happened. */
export const problemEventSchema = z.object({
  at: epochMsSchema,
  action: problemActionSchema,
  actor: actorSchema,
  fromStatus: problemStatusSchema.nullable(),
  toStatus: problemStatusSchema,
  note: optionalText('说明', 1000),
  photoIds: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(9),
  assignee: assigneeSchema.optional(),
  /** Level after an escalation. */
  level: handlingLevelSchema.optional(),
  /** Feedback: what the reporter said, and whether they are satisfied. */
  reporterAnswer: optionalText('群众意见', 500),
  isSatisfied: z.boolean().optional(),
  /** Evaluation score, 1 (poor) to 5 (excellent). */
  score: z.number().int().min(1).max(5).optional(),
  /**
   * On resolve or feedback: the words for the resident who reported it, shown on their tracking page
   * (the note stays internal).
   */
  publicReply: optionalText('给居民的答复', 500),
});
export type ProblemEvent = z.infer<typeof problemEventSchema>;

export const problemPlaceSchema = z.object({
  buildingId: recordIdSchema.optional(),
  householdId: recordIdSchema.optional(),
  enterpriseId: recordIdSchema.optional(),
  /**
   * The place in words: "3栋2单元楼道", "村口桥头". A problem made from a record names that record here
   * too, for readers without the register (a department); labels say each name once (problem-place.ts).
   */
  text: optionalText('位置描述', 200),
});
export type ProblemPlace = z.infer<typeof problemPlaceSchema>;

export const problemLinksSchema = z.object({
  hazardId: recordIdSchema.optional(),
  checklistRunId: recordIdSchema.optional(),
  needId: recordIdSchema.optional(),
  visitId: recordIdSchema.optional(),
});

export const problemSchema = baseRecordSchema.extend({
  gridId: recordIdSchema,
  category: problemCategorySchema,
  severity: severitySchema,
  level: handlingLevelSchema,
  path: handlingPathSchema,
  description: nonEmptyText('问题描述', 1000),
  place: problemPlaceSchema,
  gps: gpsFixSchema.optional(),
  photoIds: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(9),
  source: problemSourceSchema,
  links: problemLinksSchema,
  reporter: actorSchema,
  /**
   * A resident's own number, left on the public form for a call back. Only the server keeps it
   * whole: devices are sent `reporterPhoneMasked` instead (visible.ts), and the whole number only
   * through the audited 显示 endpoint, so no phone holds a number nobody was logged looking at.
   */
  reporterPhone: phoneSchema.optional(),
  /** The number as devices hold it (138****5678): set by the server on the wire, never by a write. */
  reporterPhoneMasked: z
    .string()
    .regex(/^[0-9*]{4,20}$/)
    .optional(),
  reportedAt: epochMsSchema,
  status: problemStatusSchema,
  assignee: assigneeSchema.optional(),
  /** reportedAt + the severity's response days: after this an open problem is overdue. */
  dueAt: epochMsSchema,
  resolvedAt: epochMsSchema.optional(),
  /** Oldest first; the first event is the report. */
  history: z.array(problemEventSchema).min(1),
});
export type Problem = z.infer<typeof problemSchema>;
