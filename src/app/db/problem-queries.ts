import {
  isCurrentAssignee,
  isProblemOverdue,
  PROBLEM_TRANSITIONS,
} from '../../shared/domain/problem-workflow.ts';
import {
  PROBLEM_STATUSES,
  type Actor,
  type Building,
  type Department,
  type Grid,
  type Hazard,
  type Problem,
  type ProblemCategory,
  type Severity,
  type ProblemStatus,
  type HandlingLevel,
} from '../../shared/schemas/index.ts';
import { addCalendarDays, shanghaiDay, shanghaiDayStart } from '../../shared/time.ts';
import type { AppDB, HouseholdRow } from './app-db.ts';

export const PROBLEM_VIEWS = {
  today: { zh: '今日', en: 'Today' },
  week: { zh: '本周', en: 'This week' },
  open: { zh: '未办结', en: 'Open' },
  overdue: { zh: '已超期', en: 'Overdue' },
  all: { zh: '全部', en: 'All' },
} as const;
export type ProblemView = keyof typeof PROBLEM_VIEWS;

export interface ProblemFilters {
  view: ProblemView;
  category: ProblemCategory | null;
  severity: Severity | null;
  level: HandlingLevel | null;
  status: ProblemStatus | null;
}

/**
 * Problems of a grid for one list view, newest first. "Today" and "this week" mean touched then;
 * `now` is the caller's clock (the app's minute clock), so "overdue" and "today" follow it.
 */
export async function listProblems(
  db: AppDB,
  gridId: string,
  filters: ProblemFilters,
  now: number,
): Promise<Problem[]> {
  const all = await db.problems
    .where('[gridId+reportedAt]')
    .between([gridId, 0], [gridId, Number.MAX_SAFE_INTEGER])
    .toArray();
  const today = shanghaiDay(now);
  const since =
    filters.view === 'today'
      ? shanghaiDayStart(today)
      : filters.view === 'week'
        ? shanghaiDayStart(addCalendarDays(today, -6))
        : 0;
  const lastTouched = (p: Problem) => p.history.at(-1)?.at ?? p.reportedAt;
  return all
    .filter((p) => {
      if (p.isDeleted) return false;
      // A report marked as abuse is out of every list unless that status is asked for by name.
      if (p.status === 'closed-abuse' && filters.status !== 'closed-abuse') return false;
      if (since > 0 && lastTouched(p) < since) return false;
      if (filters.view === 'open' && !PROBLEM_STATUSES[p.status].isOpen) return false;
      if (filters.view === 'overdue' && !isProblemOverdue(p, now)) return false;
      if (filters.category && p.category !== filters.category) return false;
      if (filters.severity && p.severity !== filters.severity) return false;
      if (filters.level && p.level !== filters.level) return false;
      if (filters.status && p.status !== filters.status) return false;
      return true;
    })
    .sort((a, b) => lastTouched(b) - lastTouched(a));
}

/**
 * What the inbox holds: every problem still in the loop, i.e. in a status some step of the shared
 * workflow can still be taken from. Resolved and feedback-given ones wait for the reporter's feedback
 * and the evaluation, so the command center still has work on them.
 */
export const INBOX_STATUSES: readonly ProblemStatus[] = (
  Object.keys(PROBLEM_STATUSES) as ProblemStatus[]
).filter((status) =>
  Object.values<{ from: readonly ProblemStatus[] }>(PROBLEM_TRANSITIONS).some((rule) =>
    rule.from.includes(status),
  ),
);

export type InboxTab = 'new' | 'overdue' | 'mine' | 'open';

/**
 * The inbox's problems, read by status through the index: the closed ones (evaluated, closed on the
 * spot), which pile up over the years, are never read. Every problem on the device is in the user's
 * scope: the server only sends those.
 */
export async function inboxProblems(db: AppDB): Promise<Problem[]> {
  const problems = await db.problems.where('status').anyOf(INBOX_STATUSES).toArray();
  return problems.filter((p) => !p.isDeleted);
}

/** Whether an inbox problem belongs on a tab; the tab's count and its list both ask this. */
export function isInInboxTab(problem: Problem, tab: InboxTab, actor: Actor, now: number): boolean {
  switch (tab) {
    case 'new':
      return problem.status === 'reported';
    case 'overdue':
      return isProblemOverdue(problem, now);
    case 'mine':
      return PROBLEM_STATUSES[problem.status].isOpen && isCurrentAssignee(actor, problem.assignee);
    case 'open':
      return INBOX_STATUSES.includes(problem.status);
  }
}

export interface ProblemDetail {
  problem: Problem;
  grid: Grid | undefined;
  building: Building | undefined;
  household: HouseholdRow | undefined;
}

export async function problemDetail(db: AppDB, id: string): Promise<ProblemDetail | undefined> {
  const problem = await db.problems.get(id);
  if (!problem || problem.isDeleted) return undefined;
  const [grid, building, household] = await Promise.all([
    db.grids.get(problem.gridId),
    problem.place.buildingId ? db.buildings.get(problem.place.buildingId) : undefined,
    problem.place.householdId ? db.households.get(problem.place.householdId) : undefined,
  ]);
  return { problem, grid, building, household };
}

/**
 * The town's departments that take orders, as the server last sent them (closed ones left out), by
 * name in pinyin order: the list a dispatcher picks from and an administrator opens accounts under.
 */
export async function listDepartments(db: AppDB): Promise<Department[]> {
  const all = await db.departments.toArray();
  return all.filter((d) => !d.isDeleted).sort((a, b) => a.name.localeCompare(b.name, 'zh'));
}

/** Failed checklist items not yet turned into problems, newest first. */
export async function openHazards(db: AppDB, gridId: string): Promise<Hazard[]> {
  const hazards = await db.hazards.where('gridId').equals(gridId).toArray();
  return hazards.filter((h) => !h.isDeleted && !h.problemId).sort((a, b) => b.reportedAt - a.reportedAt);
}

/** Every problem of the given grids, for the daily export (which picks the day's own). */
export async function problemsOfGrids(db: AppDB, gridIds: string[]): Promise<Problem[]> {
  const lists = await Promise.all(
    gridIds.map((gridId) =>
      db.problems
        .where('[gridId+reportedAt]')
        .between([gridId, 0], [gridId, Number.MAX_SAFE_INTEGER])
        .toArray(),
    ),
  );
  return lists.flat().filter((p) => !p.isDeleted);
}
