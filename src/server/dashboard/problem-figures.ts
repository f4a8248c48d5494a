/**
 * The problem figures of a dashboard: a handful of aggregate queries, each over one index range
 * (reported, resolved, due, open), each counting the conditions of problem-sql.ts.
 */
import { hoursToClose, median, type DashboardPeriods } from '../../shared/domain/dashboard/index.ts';
import type { DashboardProblems } from '../../shared/dashboard.ts';
import {
  HANDLING_LEVELS,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  SEVERITIES,
} from '../../shared/schemas/problem.ts';
import type { SqlExecutor } from '../store/sql.ts';
import type { SqlFilter } from '../store/store.ts';
import { gridCondition, type DashboardScope } from './grids.ts';
import { all, countIf, problemConditions, problemRows } from './problem-sql.ts';

export interface Ratio {
  part: number;
  whole: number;
}

/** Per grid, what the ranking needs of its problems. */
export interface GridProblemShares {
  responded: Ratio;
  resolvedOnTime: Ratio;
}

export interface ProblemFigures {
  problems: DashboardProblems;
  perGrid: Map<string, GridProblemShares>;
  trend: { reported: number[]; resolved: number[] };
  /** This month, by user id. */
  foundBy: Map<string, number>;
  resolvedOnTimeBy: Map<string, number>;
}

const zeros = (table: Record<string, unknown>): Record<string, number> =>
  Object.fromEntries(Object.keys(table).map((key) => [key, 0]));

const n = (value: unknown): number => Number(value ?? 0);

/** One SELECT of aggregates over the live problems of the scope that meet `range`. */
async function aggregate<T>(
  sql: SqlExecutor,
  scope: DashboardScope,
  columns: SqlFilter[],
  range: SqlFilter,
  groupBy: string,
): Promise<T[]> {
  const where = all(problemRows(scope.townId), gridCondition(scope), range);
  return sql.all<T>(
    `SELECT ${groupBy ? `${groupBy}, ` : ''}${columns.map((c) => c.sql).join(', ')}
     FROM records WHERE ${where.sql}${groupBy ? ` GROUP BY ${groupBy}` : ''}`,
    [...columns.flatMap((c) => c.params), ...where.params],
  );
}

export async function problemFigures(
  sql: SqlExecutor,
  scope: DashboardScope,
  p: DashboardPeriods,
): Promise<ProblemFigures> {
  const c = problemConditions(p);
  const earliest = Math.min(p.weekStart, p.monthStart);
  const perGrid = new Map<string, GridProblemShares>();
  const shares = (gridId: string) => {
    let found = perGrid.get(gridId);
    if (!found) {
      found = { responded: { part: 0, whole: 0 }, resolvedOnTime: { part: 0, whole: 0 } };
      perGrid.set(gridId, found);
    }
    return found;
  };

  // Reported since the earlier of this week's and this month's start.
  const reported = await aggregate<{
    grid_id: string;
    category: string;
    source: string;
    new_today: number;
    new_week: number;
    new_month: number;
    responded: number;
    missed: number;
  }>(
    sql,
    scope,
    [
      countIf(c.newToday, 'new_today'),
      countIf(c.newWeek, 'new_week'),
      countIf(c.newMonth, 'new_month'),
      countIf(all(c.newMonth, c.respondedInTime), 'responded'),
      countIf(all(c.newMonth, c.responseMissed), 'missed'),
    ],
    { sql: 'reported_at >= ? AND reported_at <= ?', params: [earliest, p.now] },
    'grid_id, category, source',
  );
  const byCategory = zeros(PROBLEM_CATEGORIES);
  const bySource = zeros(PROBLEM_SOURCES);
  let newToday = 0;
  let newThisWeek = 0;
  let newThisMonth = 0;
  const responded = { part: 0, whole: 0 };
  for (const row of reported) {
    newToday += n(row.new_today);
    newThisWeek += n(row.new_week);
    newThisMonth += n(row.new_month);
    byCategory[row.category] = (byCategory[row.category] ?? 0) + n(row.new_month);
    bySource[row.source] = (bySource[row.source] ?? 0) + n(row.new_month);
    const grid = shares(row.grid_id);
    grid.responded.part += n(row.responded);
    grid.responded.whole += n(row.responded) + n(row.missed);
    responded.part += n(row.responded);
    responded.whole += n(row.responded) + n(row.missed);
  }

  // Resolved this month: closed, on time, told and scored.
  const resolved = await aggregate<{
    grid_id: string;
    on_time: number;
    closed: number;
    feedback: number;
    evaluated: number;
    score_sum: number | null;
  }>(
    sql,
    scope,
    [
      countIf(c.resolvedOnTimeThisMonth, 'on_time'),
      countIf(c.closedThisMonth, 'closed'),
      countIf(all(c.closedThisMonth, c.feedbackGiven), 'feedback'),
      countIf(all(c.closedThisMonth, c.evaluated), 'evaluated'),
      {
        sql: `SUM(CASE WHEN ${all(c.closedThisMonth, c.evaluated).sql} THEN score ELSE 0 END) AS score_sum`,
        params: all(c.closedThisMonth, c.evaluated).params,
      },
    ],
    { sql: 'resolved_at >= ? AND resolved_at <= ?', params: [p.monthStart, p.now] },
    'grid_id',
  );
  const late = await aggregate<{ grid_id: string; late: number }>(
    sql,
    scope,
    [countIf(c.resolvedLateThisMonth, 'late')],
    { sql: 'due_at >= ? AND due_at < ?', params: [p.monthStart, p.now] },
    'grid_id',
  );
  const resolvedOnTime = { part: 0, whole: 0 };
  let closedThisMonth = 0;
  let feedbackGiven = 0;
  let evaluated = 0;
  let scoreSum = 0;
  for (const row of resolved) {
    const grid = shares(row.grid_id);
    grid.resolvedOnTime.part += n(row.on_time);
    grid.resolvedOnTime.whole += n(row.on_time);
    resolvedOnTime.part += n(row.on_time);
    resolvedOnTime.whole += n(row.on_time);
    closedThisMonth += n(row.closed);
    feedbackGiven += n(row.feedback);
    evaluated += n(row.evaluated);
    scoreSum += n(row.score_sum);
  }
  for (const row of late) {
    shares(row.grid_id).resolvedOnTime.whole += n(row.late);
    resolvedOnTime.whole += n(row.late);
  }
  // The median needs the values themselves: a month's closed problems, two numbers each.
  const closedWhere = all(problemRows(scope.townId), gridCondition(scope), c.closedThisMonth);
  const closings = await sql.all<{ reported_at: number; resolved_at: number }>(
    `SELECT reported_at, resolved_at FROM records WHERE ${closedWhere.sql}`,
    closedWhere.params,
  );
  const medianHoursToClose = median(
    closings.map((row) => hoursToClose(n(row.reported_at), n(row.resolved_at))),
  );

  // Open now, by colour and level.
  const open = await aggregate<{ severity: string; level: number; open: number; overdue: number }>(
    sql,
    scope,
    [countIf(c.open, 'open'), countIf(c.overdue, 'overdue')],
    c.open,
    'severity, level',
  );
  const overdueBySeverity = zeros(SEVERITIES);
  const overdueByLevel = zeros(HANDLING_LEVELS);
  let openNow = 0;
  for (const row of open) {
    openNow += n(row.open);
    overdueBySeverity[row.severity] = (overdueBySeverity[row.severity] ?? 0) + n(row.overdue);
    overdueByLevel[String(row.level)] = (overdueByLevel[String(row.level)] ?? 0) + n(row.overdue);
  }

  const trend = await trendOf(sql, scope, p);
  const foundBy = await countBy(sql, scope, 'reporter_id', c.newMonth);
  const resolvedOnTimeBy = await countBy(sql, scope, 'resolver_id', c.resolvedOnTimeThisMonth);
  return {
    problems: {
      newToday,
      newThisWeek,
      newThisMonth,
      responded,
      resolvedOnTime,
      openNow,
      overdueBySeverity,
      overdueByLevel,
      byCategory,
      bySource,
      closedThisMonth,
      medianHoursToClose,
      feedbackGiven,
      evaluated,
      meanScore: evaluated === 0 ? null : scoreSum / evaluated,
    },
    perGrid,
    trend,
    foundBy,
    resolvedOnTimeBy,
  };
}

/**
 * Reported and closed per trend day: each row's day by one CASE over the day bounds (the
 * reportedOn / closedOn conditions of the list, as one expression), counted per day.
 */
async function trendOf(sql: SqlExecutor, scope: DashboardScope, p: DashboardPeriods) {
  const c = problemConditions(p);
  const bounds = p.trendBounds;
  const perDay = async (column: 'reported_at' | 'resolved_at', only: SqlFilter) => {
    const day = `CASE ${bounds
      .slice(1, -1)
      .map((_, i) => `WHEN ${column} < ? THEN ${i}`)
      .join(' ')} ELSE ${bounds.length - 2} END`;
    const where = all(problemRows(scope.townId), gridCondition(scope), only, {
      sql: `${column} >= ? AND ${column} < ?`,
      params: [bounds[0], bounds.at(-1)],
    });
    // GROUP BY 1: the CASE once (PostgreSQL would take a repeated CASE, with its own parameters, for
    // another expression).
    const rows = await sql.all<{ day: number; n: number }>(
      `SELECT ${day} AS day, COUNT(*) AS n FROM records WHERE ${where.sql} GROUP BY 1`,
      [...bounds.slice(1, -1), ...where.params],
    );
    const counts = p.trendDays.map(() => 0);
    for (const row of rows) counts[n(row.day)] = n(row.n);
    return counts;
  };
  return {
    reported: await perDay('reported_at', { sql: '1 = 1', params: [] }),
    resolved: await perDay('resolved_at', c.closed),
  };
}

/** How many problems meeting `condition` each user (reporter, resolver) has. */
async function countBy(
  sql: SqlExecutor,
  scope: DashboardScope,
  column: 'reporter_id' | 'resolver_id',
  condition: SqlFilter,
): Promise<Map<string, number>> {
  const where = all(problemRows(scope.townId), gridCondition(scope), condition, {
    sql: `${column} IS NOT NULL`,
    params: [],
  });
  const rows = await sql.all<{ user_id: string; n: number }>(
    `SELECT ${column} AS user_id, COUNT(*) AS n FROM records WHERE ${where.sql} GROUP BY ${column}`,
    where.params,
  );
  return new Map(rows.map((row) => [row.user_id, n(row.n)]));
}
