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
  type HandlingLevel,
  type HandlingPath,
  type Problem,
  type ProblemAction,
  type ProblemEvent,
  type ProblemStatus,
  type Role,
} from '../schemas/problem.ts';

/** 'report' creates a problem (createProblemReport); every other action moves an existing one. */
export type TransitionAction = Exclude<ProblemAction, 'report'>;

/**
 * What a payload must carry. `note-or-photo` is a progress note: a photo of the work says as much as
 * words. `new-assignee` is an assignee that differs from the current one (a transfer that changes
 * nothing would only add noise to the history).
 */
export type PayloadRequirement =
  | 'note'
  | 'photo'
  | 'note-or-photo'
  | 'assignee'
  | 'new-assignee'
  | 'reporter-answer'
  | 'is-satisfied'
  | 'score';

export interface TransitionRule {
  /** The statuses the action may start from. */
  from: readonly ProblemStatus[];
  /** The resulting status: fixed, or computed from the current one. */
  to: ProblemStatus | ((from: ProblemStatus) => ProblemStatus);
  /** Roles that may take the action on any problem they can see. */
  roles: readonly Role[];
  /**
   * Roles that may take the action only when the actor is the problem's current assignee (see
   * isCurrentAssignee). When `roles` is empty the action is the assignee's alone.
   */
  assigneeRoles: readonly Role[];
  requires: readonly PayloadRequirement[];
  /** One sentence naming everything the action needs, shown when something is missing. */
  missingMessage: string;
  /** Resolving actions stamp resolvedAt: the response-rate report counts from it. */
  setsResolvedAt: boolean;
}

/**
 * The rules, one entry per action. Admin may do everything the grid leader may do, so every entry
 * that lists 'leader' lists 'admin' too (a unit test keeps it so). 'resident' appears nowhere: a
 * resident may only report.
 */
export const PROBLEM_TRANSITIONS = {
  // The worker fixes it there and then (seed 000 "simple -> solved on the spot"); only before anyone
  // has been dispatched, otherwise the assignee's work would be closed behind its back.
  'close-on-spot': {
    from: ['reported'],
    to: 'closed-on-the-spot',
    roles: ['worker', 'helper', 'leader', 'admin'],
    assigneeRoles: [],
    requires: ['note'],
    missingMessage: '现场办结需要填写处置说明',
    setsResolvedAt: true,
  },
  // One rung up the ladder (see ESCALATION_LADDER). Not from 'dispatched': the assignee has not
  // looked at it yet, so it should accept (or the dispatcher transfer) first. The problem goes back to
  // 'reported' so the next level dispatches it afresh; a department may only push up what it holds.
  escalate: {
    from: ['reported', 'accepted', 'in-progress'],
    to: 'reported',
    roles: ['worker', 'helper', 'leader', 'admin'],
    assigneeRoles: ['department'],
    requires: ['note'],
    missingMessage: '上报上级需要填写上报理由',
    setsResolvedAt: false,
  },
  // 中心派单: the leader, the command center or an admin hands it to someone.
  dispatch: {
    from: ['reported'],
    to: 'dispatched',
    roles: ['leader', 'center', 'admin'],
    assigneeRoles: [],
    requires: ['assignee'],
    missingMessage: '派单需要选择承办单位',
    setsResolvedAt: false,
  },
  // 转办: the wrong department may pass it on itself; the reason is kept so nobody plays ping-pong
  // without a trace.
  transfer: {
    from: ['dispatched', 'accepted'],
    to: 'dispatched',
    roles: ['leader', 'center', 'admin'],
    assigneeRoles: ['department'],
    requires: ['new-assignee', 'note'],
    missingMessage: '转办需要选择新的承办单位并填写转办理由',
    setsResolvedAt: false,
  },
  // 部门接单: only the one it was dispatched to can say "this is mine".
  accept: {
    from: ['dispatched'],
    to: 'accepted',
    roles: [],
    assigneeRoles: ['department', 'worker', 'helper'],
    requires: [],
    missingMessage: '',
    setsResolvedAt: false,
  },
  // A note or photo on an open problem. The first one after accepting marks the work as started.
  progress: {
    from: ['reported', 'dispatched', 'accepted', 'in-progress'],
    to: (from) => (from === 'accepted' ? 'in-progress' : from),
    roles: ['worker', 'helper', 'leader', 'center', 'admin'],
    assigneeRoles: ['department'],
    requires: ['note-or-photo'],
    missingMessage: '进展需要填写说明或上传至少一张照片',
    setsResolvedAt: false,
  },
  // 化解结单: proof is required (what was done, and a photo of it), because the evaluation and the
  // reporter's feedback rest on it.
  resolve: {
    from: ['accepted', 'in-progress'],
    to: 'resolved',
    roles: ['leader', 'center', 'admin'],
    assigneeRoles: ['department', 'worker', 'helper'],
    requires: ['note', 'photo'],
    missingMessage: '办结需要填写处置说明并上传至少一张照片',
    setsResolvedAt: true,
  },
  // 信息反馈 / 件件有回音: someone who knows the reporter tells them, and records their answer.
  feedback: {
    from: ['resolved'],
    to: 'feedback-given',
    roles: ['worker', 'helper', 'leader', 'center', 'admin'],
    assigneeRoles: [],
    requires: ['reporter-answer', 'is-satisfied'],
    missingMessage: '反馈需要填写群众意见并选择是否满意',
    setsResolvedAt: false,
  },
  // 考核评价: those who supervise the handling score it.
  evaluate: {
    from: ['feedback-given'],
    to: 'evaluated',
    roles: ['leader', 'center', 'admin'],
    assigneeRoles: [],
    requires: ['score'],
    missingMessage: '评价需要打分（1 到 5 分）',
    setsResolvedAt: false,
  },
} as const satisfies Record<TransitionAction, TransitionRule>;

/** Action codes in PROBLEM_ACTIONS order, for menus. */
export const TRANSITION_ACTIONS = (Object.keys(PROBLEM_ACTIONS) as ProblemAction[]).filter(
  (action): action is TransitionAction => action !== 'report',
);

/**
 * 三级办理 (seed 001) and the three paths (seed 000) as one ladder, lowest first: solved on the spot
 * in the community, the grid leader in the community, the leader with the town, departments together
 * at district level. Escalating climbs one rung.
 */
export const ESCALATION_LADDER = [
  { path: 'on-the-spot', level: 3 },
  { path: 'leader', level: 3 },
  { path: 'leader', level: 2 },
  { path: 'departments', level: 1 },
] as const satisfies readonly { path: HandlingPath; level: HandlingLevel }[];

const PATH_RANK: Record<HandlingPath, number> = { 'on-the-spot': 0, leader: 1, departments: 2 };

/**
 * The rung above (path, level), or undefined at the top. A pair that is not on the ladder (set by
 * hand, e.g. departments at level 3) goes to the first rung that is higher: a lower level number, or
 * the same level with a heavier path. So escalating never moves a problem down or sideways.
 */
export function nextEscalation(
  path: HandlingPath,
  level: HandlingLevel,
): { path: HandlingPath; level: HandlingLevel } | undefined {
  return ESCALATION_LADDER.find(
    (rung) => rung.level < level || (rung.level === level && PATH_RANK[rung.path] > PATH_RANK[path]),
  );
}

/**
 * What the actor sends with an action. Field rules come from the event schema so a payload that
 * passes here makes an event that passes there. Fields an action does not use are ignored.
 */
export const transitionPayloadSchema = problemEventSchema
  .pick({ note: true, assignee: true, reporterAnswer: true, isSatisfied: true, score: true })
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
  return undefined;
}

function checkRole(problem: Problem, action: TransitionAction, actor: Actor): Failure | undefined {
  const rule: TransitionRule = PROBLEM_TRANSITIONS[action];
  const actionZh = PROBLEM_ACTIONS[action].zh;
  if (rule.roles.includes(actor.role)) return undefined;
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
  Partial<Pick<Problem, 'level' | 'path' | 'gps'>>;

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
