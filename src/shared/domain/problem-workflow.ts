/**
 * The closed loop of a problem (DOMAIN.md "Problems (事件 / 诉求) and the closed loop") as a status
 * machine. Pure and isomorphic: the device uses it to offer and apply actions offline, and the server
 * runs the same function on every synced event, so both refuse the same things with the same words.
 */
import { z } from 'zod';
import { epochMsSchema } from '../schemas/common.ts';
import {
  HANDLING_LEVELS,
  HANDLING_PATHS,
  PROBLEM_ACTIONS,
  PROBLEM_STATUSES,
  ROLES,
  SEVERITIES,
  problemEventSchema,
  type Actor,
  type Assignee,
  type Problem,
  type ProblemEvent,
} from '../schemas/problem.ts';

import {
  PROBLEM_TRANSITIONS,
  TRANSITION_ACTIONS,
  nextEscalation,
  type PayloadRequirement,
  type TransitionAction,
  type TransitionRule,
} from './problem-transitions.ts';

export * from './problem-transitions.ts';

/**
 * What the actor sends with an action. Field rules come from the event schema so a payload that
 * passes here makes an event that passes there. Fields an action does not use are ignored.
 */
export const transitionPayloadSchema = problemEventSchema
  .pick({
    note: true,
    assignee: true,
    reporterAnswer: true,
    isSatisfied: true,
    score: true,
    publicReply: true,
  })
  .extend({ photoIds: problemEventSchema.shape.photoIds.default([]) });
/** The input shape: photoIds may be left out. */
export type TransitionPayload = z.input<typeof transitionPayloadSchema>;
type ParsedPayload = z.output<typeof transitionPayloadSchema>;

export type TransitionFailureReason = 'illegal-transition' | 'forbidden' | 'missing-field' | 'invalid';
export type TransitionResult =
  | { ok: true; problem: Problem; event: ProblemEvent }
  | { ok: false; reason: TransitionFailureReason; message: string };

/**
 * Whether the actor is the one the problem is assigned to. Department staff act for their
 * department; a worker or helper can be assigned by user id. Leaders, the center and admins are
 * never "the assignee": they act through their own roles.
 */
export function isCurrentAssignee(actor: Actor, assignee: Assignee | undefined): boolean {
  if (assignee === undefined) return false;
  if (actor.role === 'department')
    return assignee.kind === 'department' && actor.departmentId === assignee.id;
  if (actor.role === 'worker' || actor.role === 'helper')
    return assignee.kind === 'worker' && actor.userId === assignee.id;
  return false;
}

/** A report a resident made through the public page: its reporter alone may answer on it as resident. */
export function isOwnResidentReport(problem: Pick<Problem, 'source' | 'reporter'>, actor: Actor): boolean {
  return actor.role === 'resident' && problem.source === 'resident' && problem.reporter.role === 'resident';
}

function sameAssignee(a: Assignee | undefined, b: Assignee): boolean {
  return a !== undefined && a.kind === b.kind && a.id === b.id;
}

type Failure = Extract<TransitionResult, { ok: false }>;
const fail = (reason: TransitionFailureReason, message: string): Failure => ({ ok: false, reason, message });

/** Status rules, including the top of the escalation ladder (a state the problem is in, not a role). */
function checkStatus(problem: Problem, action: TransitionAction): Failure | undefined {
  const rule: TransitionRule = PROBLEM_TRANSITIONS[action];
  if (!rule.from.includes(problem.status))
    return fail(
      'illegal-transition',
      `“${PROBLEM_STATUSES[problem.status].zh}”的问题不能“${PROBLEM_ACTIONS[action].zh}”`,
    );
  if (action === 'escalate' && nextEscalation(problem.path, problem.level) === undefined)
    return fail(
      'illegal-transition',
      `问题已在最高层级（${HANDLING_LEVELS[problem.level].zh}，${HANDLING_PATHS[problem.path].zh}），不能再上报上级`,
    );
  if (rule.residentReportsOnly === true && problem.source !== 'resident')
    return fail('illegal-transition', `只有居民上报的问题才能“${PROBLEM_ACTIONS[action].zh}”`);
  return undefined;
}

function checkRole(problem: Problem, action: TransitionAction, actor: Actor): Failure | undefined {
  const rule: TransitionRule = PROBLEM_TRANSITIONS[action];
  const actionZh = PROBLEM_ACTIONS[action].zh;
  if (rule.roles.includes(actor.role)) return undefined;
  if (rule.reporterRoles?.includes(actor.role) === true && isOwnResidentReport(problem, actor))
    return undefined;
  if (rule.assigneeRoles.includes(actor.role) && isCurrentAssignee(actor, problem.assignee)) return undefined;
  if (rule.roles.length === 0) return fail('forbidden', `只有承办单位可以${actionZh}`);
  if (rule.assigneeRoles.includes(actor.role))
    return fail('forbidden', `${ROLES[actor.role].zh}只有作为本问题的承办单位时才能${actionZh}`);
  return fail('forbidden', `${ROLES[actor.role].zh}不能${actionZh}`);
}

/** zod's own words for fields whose schemas carry no Chinese message. */
const INVALID_FIELD_MESSAGES: Record<string, string> = {
  score: '评分必须是 1 到 5 的整数',
  photoIds: '照片编号格式不对，或照片超过 9 张',
  isSatisfied: '是否满意只能选“是”或“否”',
  assignee: '承办单位无效',
};

function parsePayload(payload: TransitionPayload): { ok: true; value: ParsedPayload } | Failure {
  const parsed = transitionPayloadSchema.safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  // Text fields (note, reporterAnswer, assignee.name) already say what is wrong in Chinese.
  const isTextIssue = field === 'note' || field === 'reporterAnswer' || issue?.path[1] === 'name';
  const message = isTextIssue
    ? (issue?.message ?? '内容无效')
    : (INVALID_FIELD_MESSAGES[field] ?? issue?.message ?? '内容无效');
  return fail('invalid', message);
}

function checkPayload(
  problem: Problem,
  action: TransitionAction,
  payload: ParsedPayload,
): Failure | undefined {
  const rule: TransitionRule = PROBLEM_TRANSITIONS[action];
  // The schema trims, so a note of spaces counts as no note.
  const hasNote = payload.note !== undefined && payload.note !== '';
  const hasPhoto = payload.photoIds.length > 0;
  const present: Record<PayloadRequirement, boolean> = {
    note: hasNote,
    photo: hasPhoto,
    'note-or-photo': hasNote || hasPhoto,
    assignee: payload.assignee !== undefined,
    'new-assignee': payload.assignee !== undefined,
    'reporter-answer': payload.reporterAnswer !== undefined && payload.reporterAnswer !== '',
    'is-satisfied': payload.isSatisfied !== undefined,
    score: payload.score !== undefined,
  };
  if (rule.requires.some((requirement) => !present[requirement]))
    return fail('missing-field', rule.missingMessage);
  if (
    rule.requires.includes('new-assignee') &&
    payload.assignee !== undefined &&
    sameAssignee(problem.assignee, payload.assignee)
  )
    return fail('invalid', `问题已由“${payload.assignee.name}”承办，请选择其他承办单位`);
  return undefined;
}

/**
 * Applies one action. Checks in a fixed order so the message names the first real obstacle: status
 * (illegal-transition), then role (forbidden), then payload (invalid / missing-field). Never mutates
 * its arguments; on success returns a new problem with one event appended and updatedAt = at.
 */
export function applyProblemAction(
  problem: Problem,
  action: TransitionAction,
  actor: Actor,
  payload: TransitionPayload,
  at: number,
): TransitionResult {
  const statusFailure = checkStatus(problem, action);
  if (statusFailure) return statusFailure;
  const roleFailure = checkRole(problem, action, actor);
  if (roleFailure) return roleFailure;
  const parsed = parsePayload(payload);
  if (!parsed.ok) return parsed;
  const payloadFailure = checkPayload(problem, action, parsed.value);
  if (payloadFailure) return payloadFailure;
  if (!epochMsSchema.safeParse(at).success) return fail('invalid', '操作时间无效');

  const rule: TransitionRule = PROBLEM_TRANSITIONS[action];
  const data = parsed.value;
  const toStatus = typeof rule.to === 'function' ? rule.to(problem.status) : rule.to;

  let assignee = problem.assignee;
  let { level, path } = problem;
  if (action === 'dispatch' || action === 'transfer') assignee = data.assignee;
  if (action === 'escalate') {
    // checkStatus has already refused the top rung.
    const next = nextEscalation(problem.path, problem.level);
    if (next) ({ level, path } = next);
    assignee = undefined;
  }

  // The event keeps only what this action means, so the history reads cleanly.
  const event: ProblemEvent = {
    at,
    action,
    actor: { ...actor },
    fromStatus: problem.status,
    toStatus,
    ...(data.note !== undefined && data.note !== '' ? { note: data.note } : {}),
    photoIds: [...data.photoIds],
    ...((action === 'dispatch' || action === 'transfer') && data.assignee
      ? { assignee: { ...data.assignee } }
      : {}),
    ...(action === 'escalate' ? { level } : {}),
    ...(action === 'feedback' ? { reporterAnswer: data.reporterAnswer, isSatisfied: data.isSatisfied } : {}),
    ...(action === 'evaluate' ? { score: data.score } : {}),
    ...((action === 'resolve' || action === 'feedback') && data.publicReply
      ? { publicReply: data.publicReply }
      : {}),
  };

  // Photos taken while handling stay on their events: problem.photoIds are the report's own (max 9).
  const { assignee: _previousAssignee, ...rest } = problem;
  const next: Problem = {
    ...rest,
    ...(assignee ? { assignee: { ...assignee } } : {}),
    status: toStatus,
    level,
    path,
    ...(rule.setsResolvedAt ? { resolvedAt: at } : {}),
    updatedAt: at,
    history: [...problem.history, event],
  };
  return { ok: true, problem: next, event };
}

/** The actions whose status and role rules pass for this actor (payload unchecked), for the UI. */
export function availableActions(problem: Problem, actor: Actor): TransitionAction[] {
  return TRANSITION_ACTIONS.filter(
    (action) => checkStatus(problem, action) === undefined && checkRole(problem, action, actor) === undefined,
  );
}

export type ProblemReportFields = Pick<
  Problem,
  'id' | 'gridId' | 'category' | 'severity' | 'description' | 'place' | 'photoIds' | 'source' | 'links'
> &
  Partial<Pick<Problem, 'level' | 'path' | 'gps' | 'reporterPhone'>>;

const DAY_MS = 86_400_000;

/**
 * A new problem as reported. Anyone may report, residents included. A worker's own report starts on
 * the "solve it on the spot" rung; anyone else's goes to the grid leader. The caller validates the
 * result with problemSchema (this only assembles it).
 */
export function createProblemReport(fields: ProblemReportFields, actor: Actor, at: number): Problem {
  const level = fields.level ?? 3;
  const path = fields.path ?? (actor.role === 'worker' || actor.role === 'helper' ? 'on-the-spot' : 'leader');
  const event: ProblemEvent = {
    at,
    action: 'report',
    actor: { ...actor },
    fromStatus: null,
    toStatus: 'reported',
    photoIds: [...fields.photoIds],
    level,
  };
  return {
    id: fields.id,
    updatedAt: at,
    isDeleted: false,
    gridId: fields.gridId,
    category: fields.category,
    severity: fields.severity,
    level,
    path,
    description: fields.description,
    place: { ...fields.place },
    ...(fields.gps ? { gps: { ...fields.gps } } : {}),
    photoIds: [...fields.photoIds],
    source: fields.source,
    links: { ...fields.links },
    reporter: { ...actor },
    ...(fields.reporterPhone !== undefined ? { reporterPhone: fields.reporterPhone } : {}),
    reportedAt: at,
    status: 'reported',
    dueAt: at + SEVERITIES[fields.severity].responseDays * DAY_MS,
    history: [event],
  };
}

/** Open and past its due time. Resolved and closed problems are never overdue, however late they were. */
export function isProblemOverdue(problem: Pick<Problem, 'status' | 'dueAt'>, now: number): boolean {
  return PROBLEM_STATUSES[problem.status].isOpen && now > problem.dueAt;
}
