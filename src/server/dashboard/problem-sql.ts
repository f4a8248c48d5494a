/**
 * The dashboard's problem figures as SQL conditions on the typed columns (record-columns.ts), each the
 * column form of one rule of shared/domain/dashboard/problem-rules.ts. A figure is the count of rows
 * meeting its conditions: the dashboard sums `CASE WHEN <conditions>` over an index range that holds
 * them all, and the list behind the figure selects `WHERE <conditions>`, so the two cannot differ.
 */
import {
  FEEDBACK_GIVEN_STATUSES,
  RESPONSE_HOURS,
  UNCOUNTED_STATUSES,
  type DashboardPeriods,
} from '../../shared/domain/dashboard/index.ts';
import { PROBLEM_STATUSES, type ProblemStatus } from '../../shared/schemas/problem.ts';
import type { SqlFilter } from '../store/store.ts';

const HOUR_MS = 3_600_000;
const quoted = (values: Iterable<string>) => `(${[...values].map((v) => `'${v}'`).join(', ')})`;
const OPEN_STATUSES = (Object.keys(PROBLEM_STATUSES) as ProblemStatus[]).filter(
  (s) => PROBLEM_STATUSES[s].isOpen,
);

/** responseDueAt: reported_at plus the colour's RESPONSE_HOURS. */
const RESPONSE_DUE = `(reported_at + CASE severity ${Object.entries(RESPONSE_HOURS)
  .map(([severity, hours]) => `WHEN '${severity}' THEN ${hours * HOUR_MS}`)
  .join(' ')} END)`;

const fixed = (sql: string): SqlFilter => ({ sql, params: [] });

/** Conditions joined with AND (none: always true). */
export function all(...conditions: SqlFilter[]): SqlFilter {
  if (conditions.length === 0) return fixed('1 = 1');
  return {
    sql: conditions.map((c) => `(${c.sql})`).join(' AND '),
    params: conditions.flatMap((c) => c.params),
  };
}

/** `SUM(CASE WHEN … THEN 1 ELSE 0 END)`: how many rows of the range meet the conditions. */
export function countIf(condition: SqlFilter, as: string): SqlFilter {
  return { sql: `SUM(CASE WHEN ${condition.sql} THEN 1 ELSE 0 END) AS ${as}`, params: condition.params };
}

/** The problem conditions for one moment's periods. */
export function problemConditions(p: DashboardPeriods) {
  const since = (column: string, from: number): SqlFilter => ({
    sql: `${column} >= ? AND ${column} <= ?`,
    params: [from, p.now],
  });
  const within = (column: string, from: number, to: number): SqlFilter => ({
    sql: `${column} >= ? AND ${column} < ?`,
    params: [from, to],
  });
  const closed = fixed(`status NOT IN ${quoted(OPEN_STATUSES)} AND resolved_at IS NOT NULL`);
  const resolvedOnTime = fixed('resolved_at IS NOT NULL AND resolved_at <= due_at');
  const respondedInTime = fixed(`responded_at IS NOT NULL AND responded_at <= ${RESPONSE_DUE}`);
  return {
    newToday: since('reported_at', p.dayStart),
    newWeek: since('reported_at', p.weekStart),
    newMonth: since('reported_at', p.monthStart),
    respondedInTime,
    /** isResponseKnown, and not respondedInTime. */
    responseMissed: {
      sql: `(responded_at IS NOT NULL OR ? > ${RESPONSE_DUE}) AND NOT (${respondedInTime.sql})`,
      params: [p.now],
    },
    /** onTimeSettledAt in this month, on time. */
    resolvedOnTimeThisMonth: all(resolvedOnTime, since('resolved_at', p.monthStart)),
    /** onTimeSettledAt in this month, late: the due time passed this month before a resolution. */
    resolvedLateThisMonth: all(fixed(`NOT (${resolvedOnTime.sql})`), {
      sql: 'due_at >= ? AND due_at < ?',
      params: [p.monthStart, p.now],
    }),
    open: fixed(`status IN ${quoted(OPEN_STATUSES)}`),
    /** isOverdue: open and now > due_at. */
    overdue: { sql: `status IN ${quoted(OPEN_STATUSES)} AND due_at < ?`, params: [p.now] },
    /** closedAtOf: resolved or closed on the spot. */
    closed,
    closedThisMonth: all(closed, since('resolved_at', p.monthStart)),
    feedbackGiven: fixed(`status IN ${quoted(FEEDBACK_GIVEN_STATUSES)}`),
    evaluated: fixed('score IS NOT NULL'),
    reportedOn: (day: number) => within('reported_at', p.trendBounds[day]!, p.trendBounds[day + 1]!),
    closedOn: (day: number) =>
      all(closed, within('resolved_at', p.trendBounds[day]!, p.trendBounds[day + 1]!)),
  };
}
export type ProblemConditions = ReturnType<typeof problemConditions>;

/** Live problems of the town that figures count (isCountedProblem): every problem query starts here. */
export const problemRows = (townId: string): SqlFilter => ({
  sql: `town_id = ? AND kind = 'problems' AND is_deleted = 0 AND status NOT IN ${quoted(UNCOUNTED_STATUSES)}`,
  params: [townId],
});
