/**
 * What the dashboard's problem figures mean, once, for the server's SQL (which reads the typed columns
 * these functions fill: record-columns.ts) and for anyone checking it by hand.
 */
import {
  PROBLEM_STATUSES,
  type Problem,
  type ProblemAction,
  type ProblemStatus,
  type Severity,
} from '../../schemas/problem.ts';
import { isProblemOverdue } from '../problem-workflow.ts';

/**
 * How soon someone must take a problem up, by colour (the response rule; `SEVERITIES.responseDays` is
 * the resolution rule). Seed 000's towns promise 第一时间回应 — an answer "at the first moment" — and
 * 件件有回音, every item answered; its resident saw a blocked drain fixed within half a day of
 * reporting it from the phone. So no colour waits past a day for someone to take it on:
 * - red (a dispute about to turn violent, a hazard that can hurt someone today): within the hour, the
 *   time it takes the center to phone and send someone;
 * - orange: within half a working morning (4 h), well before its 3-day resolution;
 * - yellow: within half a day (12 h), the seed's "半天工夫";
 * - blue (routine, suggestions): by the same time next day (24 h).
 */
export const RESPONSE_HOURS = {
  red: 1,
  orange: 4,
  yellow: 12,
  blue: 24,
} as const satisfies Record<Severity, number>;

const HOUR_MS = 3_600_000;

/**
 * A response is someone taking the problem on: the center or leader dispatching it (中心派单), the one
 * it was sent to accepting it (部门接单), or the worker solving it there and then (现场办结). A progress
 * note or an escalation is not: the problem is still nobody's.
 */
export const RESPONSE_ACTIONS: ReadonlySet<ProblemAction> = new Set<ProblemAction>([
  'dispatch',
  'accept',
  'close-on-spot',
]);

/** Statuses past the reporter being told (信息反馈): only reached from 已办结, and never left. */
export const FEEDBACK_GIVEN_STATUSES: ReadonlySet<ProblemStatus> = new Set<ProblemStatus>([
  'feedback-given',
  'evaluated',
]);

/** Actions that close a problem (they stamp resolvedAt: problem-transitions.ts setsResolvedAt). */
const CLOSING_ACTIONS: ReadonlySet<ProblemAction> = new Set<ProblemAction>(['resolve', 'close-on-spot']);

/** When the problem was first taken up (RESPONSE_ACTIONS), or null while nobody has. */
export function respondedAtOf(problem: Pick<Problem, 'history'>): number | null {
  for (const event of problem.history) if (RESPONSE_ACTIONS.has(event.action)) return event.at;
  return null;
}

/** The instant its colour's response time runs out. */
export function responseDueAt(problem: Pick<Problem, 'reportedAt' | 'severity'>): number {
  return problem.reportedAt + RESPONSE_HOURS[problem.severity] * HOUR_MS;
}

/** Taken up within its colour's response time. */
export function respondedInTime(problem: Pick<Problem, 'history' | 'reportedAt' | 'severity'>): boolean {
  const at = respondedAtOf(problem);
  return at !== null && at <= responseDueAt(problem);
}

/** Whether the response rate can judge it yet: answered, or out of time. */
export function isResponseKnown(
  problem: Pick<Problem, 'history' | 'reportedAt' | 'severity'>,
  now: number,
): boolean {
  return respondedAtOf(problem) !== null || now > responseDueAt(problem);
}

/** Resolved (or closed on the spot) by its due time. */
export function resolvedOnTime(problem: Pick<Problem, 'resolvedAt' | 'dueAt'>): boolean {
  return problem.resolvedAt !== undefined && problem.resolvedAt <= problem.dueAt;
}

/**
 * When it became known whether the problem was resolved on time: its resolution, when that came by
 * the due time; else the due time itself, once passed. Null while it is open and not yet due. The
 * on-time rate counts each problem in the month of this instant, so none counts twice, and an
 * overdue problem counts against the month it fell due in even before anyone resolves it.
 */
export function onTimeSettledAt(problem: Pick<Problem, 'resolvedAt' | 'dueAt'>, now: number): number | null {
  if (resolvedOnTime(problem)) return problem.resolvedAt!;
  return now > problem.dueAt ? problem.dueAt : null;
}

/**
 * Statuses no figure counts: a report the leader marked as abuse (无效反映) is not the town's work,
 * so it neither raises "new" nor lowers a grid's response and on-time shares. Every figure, on the
 * server (problem-sql.ts) and on the device, starts from the problems isCountedProblem keeps.
 */
export const UNCOUNTED_STATUSES: readonly ProblemStatus[] = ['closed-abuse'];
export const isCountedProblem = (problem: Pick<Problem, 'status' | 'isDeleted'>): boolean =>
  !problem.isDeleted && !UNCOUNTED_STATUSES.includes(problem.status);

/** Open and past due now (problem-workflow.ts). */
export const isOverdue = isProblemOverdue;

export const isOpen = (problem: Pick<Problem, 'status'>): boolean => PROBLEM_STATUSES[problem.status].isOpen;

/** Closed (resolved or closed on the spot): when, or null. */
export function closedAtOf(problem: Pick<Problem, 'status' | 'resolvedAt'>): number | null {
  return !isOpen(problem) && problem.resolvedAt !== undefined ? problem.resolvedAt : null;
}

/** Who closed it: the actor of the event that stamped resolvedAt (a department's staff, a worker…). */
export function resolverOf(problem: Pick<Problem, 'history' | 'resolvedAt'>): string | null {
  if (problem.resolvedAt === undefined) return null;
  for (let i = problem.history.length - 1; i >= 0; i--) {
    const event = problem.history[i]!;
    if (CLOSING_ACTIONS.has(event.action)) return event.actor.userId ?? null;
  }
  return null;
}

export const isFeedbackGiven = (problem: Pick<Problem, 'status'>): boolean =>
  FEEDBACK_GIVEN_STATUSES.has(problem.status);

/** The evaluation's score (考核评价, 1-5), the latest if scored again; null before. */
export function scoreOf(problem: Pick<Problem, 'history'>): number | null {
  for (let i = problem.history.length - 1; i >= 0; i--) {
    const event = problem.history[i]!;
    if (event.action === 'evaluate' && event.score !== undefined) return event.score;
  }
  return null;
}

/** Hours from report to close. */
export const hoursToClose = (reportedAt: number, closedAt: number): number =>
  (closedAt - reportedAt) / HOUR_MS;

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The mean, or null for none. */
export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}
