/**
 * The daily problem list (每日问题清单, DOMAIN.md "Problems"): which problems belong on a day's list and
 * the plain rows that the XLSX, CSV and print writers all render. Pure and DOM-free so Node tests run it;
 * it lives under src/app/export/ because the UI lazy-loads this whole folder only when someone exports.
 */
import { tzOffset } from '@date-fns/tz';
import { VISIT_FIGURES, visitBreakdown, type DaySummary } from '../../shared/domain/day-summary.ts';
import { problemPlaceLabel, type PlaceNames } from '../../shared/domain/problem-place.ts';
import {
  HANDLING_LEVELS,
  HANDLING_PATHS,
  PROBLEM_ACTIONS,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  PROBLEM_STATUSES,
  ROLES,
  SEVERITIES,
  type Actor,
  type Assignee,
  type HandlingLevel,
  type Problem,
  type ProblemEvent,
  type ProblemStatus,
  type Severity,
} from '../../shared/schemas/problem.ts';
import { VISIT_OUTCOMES, type VisitOutcome } from '../../shared/schemas/visit.ts';
import { addCalendarDays, shanghaiDayStart, TOWN_TIME_ZONE } from '../../shared/time.ts';

export const DAILY_LIST_TITLE = '每日问题清单';

/** Red first: the order of SEVERITIES is the order of urgency. */
const SEVERITY_RANK = Object.fromEntries(Object.keys(SEVERITIES).map((key, rank) => [key, rank])) as Record<
  Severity,
  number
>;

/** Start (inclusive) and end (exclusive) of a town day, as epoch ms. */
function dayBounds(day: string): { start: number; end: number } {
  return { start: shanghaiDayStart(day), end: shanghaiDayStart(addCalendarDays(day, 1)) };
}

/**
 * Problems in the given grids (null = every grid) that were reported on the town day or have any
 * history event on it; deleted ones are left out. Sorted red first, then by report time, then by id so
 * two exports of the same data list rows in the same order.
 */
export function selectDailyProblems(
  problems: readonly Problem[],
  day: string,
  gridIds: ReadonlySet<string> | null,
): Problem[] {
  const { start, end } = dayBounds(day);
  const isOnDay = (epochMs: number) => epochMs >= start && epochMs < end;
  const selected = problems.filter(
    (problem) =>
      !problem.isDeleted &&
      (gridIds === null || gridIds.has(problem.gridId)) &&
      (isOnDay(problem.reportedAt) || problem.history.some((event) => isOnDay(event.at))),
  );
  return selected.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.reportedAt - b.reportedAt ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** One problem on the list: plain values only, so every writer renders the same thing. */
export interface DailyListRow {
  index: number;
  grid: string;
  /** The real instant; writers show it on the town clock (see townWallClock). */
  reportedAt: Date;
  category: string;
  /** Kept as the key so writers can tint the 颜色 cell with SEVERITIES[severity].tint. */
  severity: Severity;
  colour: string;
  level: string;
  path: string;
  status: string;
  place: string;
  description: string;
  source: string;
  reporter: string;
  assignee: string;
  /** The day's events, one "HH:mm 动作 说明" line each, joined with \n. */
  dayActions: string;
  resolvedAt: Date | null;
  photos: string;
}

/**
 * How a writer should render a column: `wrap` marks the long free-text columns, `severity` the tinted
 * colour cell, `dateTime` a Date | null value.
 */
export type DailyListColumnKind = 'number' | 'text' | 'wrap' | 'severity' | 'dateTime';

export interface DailyListColumn {
  key: Exclude<keyof DailyListRow, 'severity'>;
  header: string;
  /** Excel width in characters (a CJK character counts about 2); the print view uses them as proportions. */
  width: number;
  kind: DailyListColumnKind;
}

export const DAILY_LIST_COLUMNS = [
  { key: 'index', header: '序号', width: 6, kind: 'number' },
  { key: 'grid', header: '网格', width: 14, kind: 'text' },
  { key: 'reportedAt', header: '上报时间', width: 17, kind: 'dateTime' },
  { key: 'category', header: '类别', width: 10, kind: 'text' },
  { key: 'colour', header: '颜色', width: 6, kind: 'severity' },
  { key: 'level', header: '层级', width: 16, kind: 'text' },
  { key: 'path', header: '办理方式', width: 20, kind: 'text' },
  { key: 'status', header: '状态', width: 10, kind: 'text' },
  { key: 'place', header: '位置', width: 20, kind: 'text' },
  { key: 'description', header: '问题描述', width: 40, kind: 'wrap' },
  { key: 'source', header: '来源', width: 10, kind: 'text' },
  { key: 'reporter', header: '上报人', width: 16, kind: 'text' },
  { key: 'assignee', header: '承办单位', width: 16, kind: 'text' },
  { key: 'dayActions', header: '当日处置', width: 44, kind: 'wrap' },
  { key: 'resolvedAt', header: '办结时间', width: 17, kind: 'dateTime' },
  { key: 'photos', header: '照片', width: 34, kind: 'text' },
] as const satisfies readonly DailyListColumn[];

// ---- The town clock, fast ----

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/**
 * Offsets by hour: one Intl call per distinct hour instead of one per timestamp (10,000 rows would
 * otherwise spend most of their time in Intl). Asia/Shanghai (like nearly every zone) only ever changed
 * its offset on the hour, so an hour's offset holds for every instant in it.
 */
const offsetByHour = new Map<number, number>();

function townOffsetMs(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    offset = tzOffset(TOWN_TIME_ZONE, new Date(epochMs)) * MINUTE_MS;
    if (offsetByHour.size > 100_000) offsetByHour.clear(); // bound the memory of a long-lived tab
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/**
 * A Date whose UTC fields read as the town's wall clock. XLSX stores dates without a zone (the
 * library converts by UTC), so this is what makes Excel show Shanghai time on any computer.
 */
export function townWallClock(date: Date): Date {
  return wallClockOf(date.getTime());
}

function wallClockOf(epochMs: number): Date {
  return new Date(epochMs + townOffsetMs(epochMs));
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** 'HH:mm' on the town clock. */
export function formatTownTime(epochMs: number): string {
  const wall = wallClockOf(epochMs);
  return `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}`;
}

/** 'YYYY-MM-DD HH:mm' on the town clock; empty for no date. */
export function formatTownDateTime(date: Date | null): string {
  if (date === null) return '';
  const wall = townWallClock(date);
  return (
    `${wall.getUTCFullYear()}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())} ` +
    `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}`
  );
}

// ---- Rows ----

export interface DailyListContext {
  day: string;
  gridNames: ReadonlyMap<string, string>;
  /** The names of a problem's place records the caller knows (building...); its own words alone when left out. */
  placeNames?: (problem: Problem) => PlaceNames;
}

function actorLabel(actor: Actor): string {
  const role = ROLES[actor.role].zh;
  return actor.name === undefined ? role : `${actor.name}（${role}）`;
}

/** A photo's file name in an export bundle: short enough to read, long enough to be unique in practice. */
export function photoFileName(photoId: string): string {
  return `${photoId.slice(0, 12)}.jpg`;
}

function eventLine(event: ProblemEvent): string {
  let line = `${formatTownTime(event.at)} ${PROBLEM_ACTIONS[event.action].zh}`;
  if (event.assignee !== undefined) line += ` → ${event.assignee.name}`;
  if (event.level !== undefined) line += ` → ${HANDLING_LEVELS[event.level].zh}`;
  if (event.isSatisfied !== undefined) line += event.isSatisfied ? ' 满意' : ' 不满意';
  if (event.score !== undefined) line += ` ${event.score} 分`;
  if (event.reporterAnswer !== undefined && event.reporterAnswer !== '')
    line += ` 群众意见：${event.reporterAnswer}`;
  if (event.note !== undefined && event.note !== '') line += ` ${event.note}`;
  return line;
}

/**
 * One row per problem, in the order given (use selectDailyProblems first). Status, level, handler and
 * 办结时间 are as they stood at the end of the day, so re-exporting an old day gives the same list; when
 * nothing happened after the day (always, for today) that is simply the stored state. One pass over
 * each history: this runs for 10,000 rows.
 */
export function buildDailyListRows(problems: readonly Problem[], context: DailyListContext): DailyListRow[] {
  const { start, end } = dayBounds(context.day);
  const rows: DailyListRow[] = new Array<DailyListRow>(problems.length);
  for (let i = 0; i < problems.length; i += 1) {
    const problem = problems[i]!;
    let status = problem.status;
    let level = problem.level;
    let assignee = problem.assignee;
    let hasLaterEvents = false;
    let endStatus: ProblemStatus | undefined;
    let endLevel: HandlingLevel | undefined;
    let endAssignee: Assignee | undefined;
    const lines: string[] = [];
    const photoIds = new Set(problem.photoIds);
    for (const event of problem.history) {
      if (event.at >= end) {
        hasLaterEvents = true;
        continue;
      }
      endStatus = event.toStatus;
      if (event.level !== undefined) endLevel = event.level;
      if (event.assignee !== undefined) endAssignee = event.assignee;
      if (event.at >= start) {
        lines.push(eventLine(event));
        for (const photoId of event.photoIds) photoIds.add(photoId);
      }
    }
    if (hasLaterEvents && endStatus !== undefined) {
      // It moved on after the day: replay the history up to the day's end. A level set before any
      // recorded escalation is not in the history, so the stored one is the best we know.
      status = endStatus;
      level = endLevel ?? problem.level;
      assignee = endAssignee;
    }
    const { resolvedAt } = problem;
    // Only a closed problem shows a time: one reopened by the day's end is not 办结 on this list.
    const shownResolvedAt =
      resolvedAt !== undefined && resolvedAt < end && !PROBLEM_STATUSES[status].isOpen
        ? new Date(resolvedAt)
        : null;
    rows[i] = {
      index: i + 1,
      grid: context.gridNames.get(problem.gridId) ?? '未知网格',
      reportedAt: new Date(problem.reportedAt),
      category: PROBLEM_CATEGORIES[problem.category].zh,
      severity: problem.severity,
      colour: SEVERITIES[problem.severity].zh,
      level: HANDLING_LEVELS[level].zh,
      path: HANDLING_PATHS[problem.path].zh,
      status: PROBLEM_STATUSES[status].zh,
      place: problemPlaceLabel(problem, context.placeNames?.(problem) ?? {}),
      description: problem.description,
      source: PROBLEM_SOURCES[problem.source].zh,
      reporter: actorLabel(problem.reporter),
      assignee: assignee?.name ?? '',
      dayActions: lines.join('\n'),
      resolvedAt: shownResolvedAt,
      photos: Array.from(photoIds, photoFileName).join(', '),
    };
  }
  return rows;
}

// ---- The day's summary on top ----

export interface DailyListSummary {
  day: string;
  /** Who the list is for, e.g. "和谐社区第3网格" or "全部网格". */
  gridLabel: string;
  /** Households due (the due list's today total). */
  visitsDue: number;
  /** The day's visits by outcome: 上门, 已访 and 未遇 are sums of these (VISIT_FIGURES). */
  visitsByOutcome: Record<VisitOutcome, number>;
  checksDone: number;
  failedItems: number;
  /** Reminders not given (提醒未完成): not hazards, counted apart (checklist-answers.ts). */
  remindersNotDone: number;
  problemsNew: number;
  problemsResolved: number;
}

/** New = reported that day; resolved = a 办结 or 现场办结 event that day (counted once per problem). */
export function summarizeProblemsOfDay(
  problems: readonly Problem[],
  day: string,
): { problemsNew: number; problemsResolved: number } {
  const { start, end } = dayBounds(day);
  const isOnDay = (epochMs: number) => epochMs >= start && epochMs < end;
  let problemsNew = 0;
  let problemsResolved = 0;
  for (const problem of problems) {
    if (problem.isDeleted) continue;
    if (isOnDay(problem.reportedAt)) problemsNew += 1;
    const wasResolved = problem.history.some(
      (event) => (event.action === 'resolve' || event.action === 'close-on-spot') && isOnDay(event.at),
    );
    if (wasResolved) problemsResolved += 1;
  }
  return { problemsNew, problemsResolved };
}

/**
 * The summary from the day's work (summarizeDay) and the listed problems. `visitsDue` comes from the due
 * list, which DaySummary does not know.
 */
export function buildDailyListSummary(input: {
  gridLabel: string;
  visitsDue: number;
  daySummary: DaySummary;
  problems: readonly Problem[];
}): DailyListSummary {
  const { daySummary } = input;
  return {
    day: daySummary.day,
    gridLabel: input.gridLabel,
    visitsDue: input.visitsDue,
    visitsByOutcome: daySummary.visitsByOutcome,
    checksDone: daySummary.checklistRunCount,
    failedItems: daySummary.failedItemCount,
    remindersNotDone: daySummary.remindersNotDone,
    ...summarizeProblemsOfDay(input.problems, daySummary.day),
  };
}

/** The title line, also the sheet's first row and the print view's heading. */
export function dailyListTitle(summary: DailyListSummary): string {
  return `${summary.gridLabel} ${DAILY_LIST_TITLE} ${summary.day}`;
}

/**
 * The summary as short Chinese lines, the same in every format. The visit line is 上门 = 已访 + 未遇,
 * each with its outcomes (day-summary.ts defines them), so every number is the sum of those after it.
 */
export function dailyListSummaryLines(summary: DailyListSummary): string[] {
  const groups = visitBreakdown(summary);
  const attempts = groups.reduce((sum, group) => sum + group.count, 0);
  const visitGroups = groups
    .map(({ figure, count, outcomes }) => {
      const parts = outcomes.map((part) => `${VISIT_OUTCOMES[part.outcome].zh} ${part.count}`).join('，');
      return `${VISIT_FIGURES[figure].zh} ${count} 次（${parts}）`;
    })
    .join('，');
  return [
    `走访：应访 ${summary.visitsDue} 户，${VISIT_FIGURES.attempts.zh} ${attempts} 次：${visitGroups}`,
    `巡查：完成 ${summary.checksDone} 次，异常项 ${summary.failedItems} 个，提醒未完成 ${summary.remindersNotDone} 项`,
    `问题：新增 ${summary.problemsNew} 件，办结 ${summary.problemsResolved} 件`,
  ];
}

/** A file name without the extension: "和谐社区第3网格-每日问题清单-2026-11-22", safe on Windows. */
export function dailyListFileStem(summary: DailyListSummary): string {
  return `${summary.gridLabel}-${DAILY_LIST_TITLE}-${summary.day}`.replace(/[\\/:*?"<>|\s]+/g, '_');
}
