/**
 * The table of the closed loop: which action moves a problem from which status, who may take it,
 * what it must carry, and the escalation ladder. problem-workflow.ts applies it.
 */
import {
  PROBLEM_ACTIONS,
  type HandlingLevel,
  type HandlingPath,
  type ProblemAction,
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
  /**
   * Roles that may take the action only on a report of their own: the resident who reported it,
   * reached through the tracking code only that resident holds (see isOwnResidentReport).
   */
  reporterRoles?: readonly Role[];
  /** Only on what a resident reported through the public page (the abuse mark). */
  residentReportsOnly?: boolean;
  requires: readonly PayloadRequirement[];
  /** One sentence naming everything the action needs, shown when something is missing. */
  missingMessage: string;
  /** Resolving actions stamp resolvedAt: the response-rate report counts from it. */
  setsResolvedAt: boolean;
}

/**
 * The rules, one entry per action. Admin may do everything the grid leader may do, so every entry
 * that lists 'leader' lists 'admin' too (a unit test keeps it so). A resident reports, and on their own
 * report says whether it was solved (feedback) and rates it (evaluate), nothing else.
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
    reporterRoles: ['resident'],
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
    reporterRoles: ['resident'],
    requires: ['score'],
    missingMessage: '评价需要打分（1 到 5 分）',
    setsResolvedAt: false,
  },
  // A resident's report that is malicious or void (insults, advertising, a prank): closed with a
  // reason, out of the inbox and the figures. Only what came through the public page.
  'mark-abuse': {
    from: ['reported', 'dispatched', 'accepted', 'in-progress'],
    to: 'closed-abuse',
    roles: ['leader', 'center', 'admin'],
    assigneeRoles: [],
    residentReportsOnly: true,
    requires: ['note'],
    missingMessage: '标记为无效反映需要填写理由',
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
