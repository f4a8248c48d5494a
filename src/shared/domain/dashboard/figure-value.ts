/**
 * The number a dashboard shows for a figure key and its cell: what the list behind it must count.
 * Problem, needs and trend figures are the whole dashboard's (ask GET /api/dashboard?gridId=… for one
 * grid's); round, checks and ranking figures pick the grid's row when `gridId` is given.
 */
import type { Dashboard, DashboardGridRound } from '../../dashboard.ts';
import type { DashboardFigure, DashboardListParam } from './figures.ts';

export type FigureParams = Partial<Record<DashboardListParam | 'gridId', string>>;

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

/** A count table's cell, or its total when no cell is asked for. */
const cell = (counts: Record<string, number>, key: string | undefined): number =>
  key === undefined ? sum(Object.values(counts)) : (counts[key] ?? 0);

/** undefined when the figure needs a parameter it was not given, or names a row the dashboard lacks. */
export function figureValue(
  dashboard: Dashboard,
  figure: DashboardFigure,
  params: FigureParams = {},
): number | undefined {
  const p = dashboard.problems;
  const grids = dashboard.round.perGrid.filter(
    (row) => params.gridId === undefined || row.gridId === params.gridId,
  );
  const ranking = dashboard.ranking.filter(
    (row) => params.gridId === undefined || row.gridId === params.gridId,
  );
  const ofGrids = (pick: (row: DashboardGridRound) => number) => sum(grids.map(pick));
  const shifts = (counts: { day: number; night: number }) =>
    params.shift === 'day' || params.shift === 'night' ? counts[params.shift] : counts.day + counts.night;
  const trendDay = dashboard.trend.find((row) => row.day === params.day);
  const worker = dashboard.workers.find((row) => row.userId === params.userId);
  switch (figure) {
    case 'problems.new-today':
      return p.newToday;
    case 'problems.new-week':
      return p.newThisWeek;
    case 'problems.new-month':
      return p.newThisMonth;
    case 'problems.responded':
      return p.responded.part;
    case 'problems.response-missed':
      return p.responded.whole - p.responded.part;
    case 'problems.resolved-on-time':
      return p.resolvedOnTime.part;
    case 'problems.resolved-late':
      return p.resolvedOnTime.whole - p.resolvedOnTime.part;
    case 'problems.open':
      return p.openNow;
    case 'problems.overdue':
      // One breakdown at a time: the dashboard has no cell for a colour and a level together.
      if (params.level !== undefined && params.severity !== undefined) return undefined;
      if (params.level !== undefined) return cell(p.overdueByLevel, params.level);
      return cell(p.overdueBySeverity, params.severity);
    case 'problems.by-category':
      return cell(p.byCategory, params.category);
    case 'problems.by-source':
      return cell(p.bySource, params.source);
    case 'problems.closed':
      return p.closedThisMonth;
    case 'problems.feedback-given':
      return p.feedbackGiven;
    case 'problems.evaluated':
      return p.evaluated;
    case 'round.daily-due':
      return ofGrids((row) => row.dailyDue);
    case 'round.daily-done':
      return ofGrids((row) => row.dailyDone);
    case 'round.due':
      return ofGrids((row) => row.due);
    case 'round.done':
      return ofGrids((row) => row.done);
    case 'round.overdue':
      return ofGrids((row) => row.overdue);
    case 'round.overdue-by-tag':
      // Per grid the breakdown is not sent: only the whole scope's.
      return params.tag === undefined || params.gridId !== undefined
        ? undefined
        : (dashboard.round.overdueByTag[params.tag] ?? 0);
    case 'round.scheduled':
      return sum(ranking.map((row) => row.visitsDone.whole));
    case 'round.up-to-date':
      return sum(ranking.map((row) => row.visitsDone.part));
    case 'round.catch-up':
      return ofGrids((row) => row.catchUpTonight);
    case 'round.catch-up-done':
      return ofGrids((row) => row.catchUpDone);
    case 'checks.due':
      return ofGrids((row) => shifts(row.checksDue));
    case 'checks.done':
      return ofGrids((row) => shifts(row.checksDone));
    case 'checks.failed-items':
      return ofGrids((row) => row.failedItems);
    case 'needs.open':
      return cell(dashboard.needs.openByType, params.type);
    case 'needs.met':
      return cell(dashboard.needs.metByType, params.type);
    case 'trend.reported':
      return trendDay?.reported;
    case 'trend.resolved':
      return trendDay?.resolved;
    case 'trend.visits':
      return trendDay?.visits;
    case 'workers.visits':
      return worker?.visits;
    case 'workers.problems-found':
      return worker?.problemsFound;
    case 'workers.resolved-on-time':
      return worker?.resolvedOnTime;
  }
}
