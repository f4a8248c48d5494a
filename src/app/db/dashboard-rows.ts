/**
 * The rows behind a dashboard figure from the records synced to this device, for when the server
 * cannot be asked (offline): the same figure keys and cells as GET /api/dashboard/list, counted by the
 * shared rules of src/shared/domain/dashboard/ at the instant the cached figures were computed, so
 * the list matches the "数据截至" figure it was opened from (as far as the device holds the same
 * records). Problems and needs are in every grid role's sync scope; the round's figures (the due
 * list of every grid, each shift's checks) are the server's to list, and answer undefined here.
 */
import type { DashboardFigure, DashboardList, DashboardListRow } from '../../shared/dashboard.ts';
import {
  closedAtOf,
  dashboardPeriods,
  isFeedbackGiven,
  isCountedProblem,
  isInPeriod,
  isOpen,
  isOverdue,
  isResponseKnown,
  metAtOf,
  onTimeSettledAt,
  resolvedOnTime,
  resolverOf,
  respondedInTime,
  scoreOf,
  type DashboardPeriods,
  type FigureParams,
} from '../../shared/domain/dashboard/index.ts';
import {
  OPEN_NEED_STATUSES,
  PROBLEM_CATEGORIES,
  NEED_TYPES,
  type Need,
  type Problem,
} from '../../shared/schemas/index.ts';
import type { AppDB } from './app-db.ts';

type ProblemTest = (problem: Problem, periods: DashboardPeriods, params: FigureParams) => boolean;
type NeedTest = (need: Need, periods: DashboardPeriods) => boolean;

const inMonth = (at: number | null | undefined, p: DashboardPeriods) => isInPeriod(at, p.monthStart, p.now);
/** The bounds of one trend day, or none when the day is not among the 30. */
function inTrendDay(at: number | null | undefined, p: DashboardPeriods, day: string | undefined): boolean {
  const i = day === undefined ? -1 : p.trendDays.indexOf(day);
  return i >= 0 && at !== null && at !== undefined && at >= p.trendBounds[i]! && at < p.trendBounds[i + 1]!;
}

const PROBLEM_FIGURES: Partial<Record<DashboardFigure, ProblemTest>> = {
  'problems.new-today': (x, p) => isInPeriod(x.reportedAt, p.dayStart, p.now),
  'problems.new-week': (x, p) => isInPeriod(x.reportedAt, p.weekStart, p.now),
  'problems.new-month': (x, p) => inMonth(x.reportedAt, p),
  'problems.responded': (x, p) => inMonth(x.reportedAt, p) && isResponseKnown(x, p.now) && respondedInTime(x),
  'problems.response-missed': (x, p) =>
    inMonth(x.reportedAt, p) && isResponseKnown(x, p.now) && !respondedInTime(x),
  'problems.resolved-on-time': (x, p) => inMonth(onTimeSettledAt(x, p.now), p) && resolvedOnTime(x),
  'problems.resolved-late': (x, p) => inMonth(onTimeSettledAt(x, p.now), p) && !resolvedOnTime(x),
  'problems.open': (x) => isOpen(x),
  'problems.overdue': (x, p, params) =>
    isOverdue(x, p.now) &&
    (params.severity === undefined || x.severity === params.severity) &&
    (params.level === undefined || String(x.level) === params.level),
  'problems.by-category': (x, p, params) =>
    inMonth(x.reportedAt, p) && (params.category === undefined || x.category === params.category),
  'problems.by-source': (x, p, params) =>
    inMonth(x.reportedAt, p) && (params.source === undefined || x.source === params.source),
  'problems.closed': (x, p) => inMonth(closedAtOf(x), p),
  'problems.feedback-given': (x, p) => inMonth(closedAtOf(x), p) && isFeedbackGiven(x),
  'problems.evaluated': (x, p) => inMonth(closedAtOf(x), p) && scoreOf(x) !== null,
  'trend.reported': (x, p, params) => inTrendDay(x.reportedAt, p, params.day),
  'trend.resolved': (x, p, params) => inTrendDay(closedAtOf(x), p, params.day),
  'workers.problems-found': (x, p, params) => inMonth(x.reportedAt, p) && x.reporter.userId === params.userId,
  'workers.resolved-on-time': (x, p, params) =>
    inMonth(onTimeSettledAt(x, p.now), p) && resolvedOnTime(x) && resolverOf(x) === params.userId,
};

const NEED_FIGURES: Partial<Record<DashboardFigure, NeedTest>> = {
  'needs.open': (need) => OPEN_NEED_STATUSES.includes(need.status),
  'needs.met': (need, p) => inMonth(metAtOf(need), p),
};

const problemRow = (problem: Problem): DashboardListRow => ({
  key: problem.id,
  kind: 'problems',
  id: problem.id,
  label: `${PROBLEM_CATEGORIES[problem.category].zh}·${problem.description}`,
  gridId: problem.gridId,
  at: problem.reportedAt,
});

const needRow = (need: Need): DashboardListRow => ({
  key: need.id,
  kind: 'needs',
  id: need.id,
  label: `${NEED_TYPES[need.type].zh}·${need.description}`,
  gridId: need.gridId,
  at: metAtOf(need) ?? need.createdAt,
});

/** Whether this device can list the figure itself. */
export const isListedOnDevice = (figure: DashboardFigure): boolean =>
  figure in PROBLEM_FIGURES || figure in NEED_FIGURES;

/**
 * The list behind `figure` as of `asOf`, newest first, or undefined for a figure only the server
 * lists. `gridId` narrows it to one grid, as on the server.
 */
export async function figureListOnDevice(
  db: AppDB,
  figure: DashboardFigure,
  params: FigureParams,
  asOf: number,
): Promise<DashboardList | undefined> {
  const periods = dashboardPeriods(asOf);
  const ofGrid = (record: { gridId: string; isDeleted?: boolean | undefined }) =>
    !record.isDeleted && (params.gridId === undefined || record.gridId === params.gridId);
  const problemTest = PROBLEM_FIGURES[figure];
  const needTest = NEED_FIGURES[figure];
  let rows: DashboardListRow[];
  if (problemTest) {
    const problems = await db.problems.toArray();
    rows = problems
      .filter((x) => ofGrid(x) && isCountedProblem(x) && problemTest(x, periods, params))
      .map(problemRow);
  } else if (needTest) {
    const needs = await db.needs.toArray();
    rows = needs
      .filter(
        (x) => ofGrid(x) && (params.type === undefined || x.type === params.type) && needTest(x, periods),
      )
      .map(needRow);
  } else {
    return undefined;
  }
  rows.sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
  return { asOf, figure, count: rows.length, rows, isTruncated: false };
}

/** What the device knows of a list's rows: the household of a need or visit, and grids' names. */
export interface RowPlaces {
  /** By row key. */
  householdOf: ReadonlyMap<string, string>;
  gridNames: ReadonlyMap<string, string>;
}

export async function placesOfRows(db: AppDB, rows: readonly DashboardListRow[]): Promise<RowPlaces> {
  const needRows = rows.filter((row) => row.kind === 'needs');
  const visitRows = rows.filter((row) => row.kind === 'visits');
  const gridIds = [...new Set(rows.map((row) => row.gridId).filter((id): id is string => id !== null))];
  const [needs, visits, grids] = await Promise.all([
    db.needs.bulkGet(needRows.map((row) => row.id)),
    db.visits.bulkGet(visitRows.map((row) => row.id)),
    db.grids.bulkGet(gridIds),
  ]);
  const householdOf = new Map<string, string>();
  needRows.forEach((row, i) => needs[i] && householdOf.set(row.key, needs[i].householdId));
  visitRows.forEach((row, i) => visits[i] && householdOf.set(row.key, visits[i].householdId));
  const gridNames = new Map(grids.filter((grid) => grid !== undefined).map((grid) => [grid.id, grid.name]));
  return { householdOf, gridNames };
}
