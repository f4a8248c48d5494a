/**
 * The command center's dashboard on the wire (GET /api/dashboard): every figure the server computes
 * for a leader's grids or the whole town, with the time it was computed, so the device can cache it
 * and open the screen offline ("数据截至 16:05"). What each figure means (which problems count as
 * "responded in time", which households are "due") is defined once in src/shared/domain/dashboard/,
 * used by the server's SQL and by the device's list behind each figure.
 */
import { z } from 'zod';
import {
  DASHBOARD_FIGURE_KEYS,
  DASHBOARD_ROW_KINDS,
  type DashboardFigure,
  type DashboardRowKind,
} from './domain/dashboard/figures.ts';
import { epochMsSchema, calendarDateSchema } from './schemas/common.ts';

export * from './domain/dashboard/figures.ts';

const count = z.number().int().nonnegative();
/** A share as its parts, so a figure with nothing to divide by says so instead of showing 0%. */
const ratio = z.object({ part: count, whole: count });
const counts = z.record(z.string(), count);

export const dashboardProblemsSchema = z.object({
  newToday: count,
  newThisWeek: count,
  newThisMonth: count,
  /**
   * Of this month's problems whose response is known (answered, or their RESPONSE_HOURS have passed),
   * those dispatched, accepted or closed on the spot within their colour's response time.
   */
  responded: ratio,
  /**
   * Of the problems whose on-time outcome became known this month (resolved by their due time, or
   * their due time passed first), those resolved by dueAt. Each problem counts once, in one month.
   */
  resolvedOnTime: ratio,
  openNow: count,
  /** Open and past due now, by colour (every colour a key) and by handling level ('1' '2' '3'). */
  overdueBySeverity: counts,
  overdueByLevel: counts,
  /** This month's new problems, every category (source) a key. */
  byCategory: counts,
  bySource: counts,
  /** Resolved or closed on the spot this month: what the three figures below are of. */
  closedThisMonth: count,
  /** Of this month's closed problems, reported to closed; null when none closed. */
  medianHoursToClose: z.number().nonnegative().nullable(),
  feedbackGiven: count,
  evaluated: count,
  meanScore: z.number().min(1).max(5).nullable(),
});

/** One grid's round today (the due list of visit-cadence.ts, checklists of checklist-templates.ts). */
export const dashboardGridRoundSchema = z.object({
  gridId: z.string(),
  name: z.string(),
  /** 日必访: households on a daily cadence (all of them are due today). */
  dailyDue: count,
  dailyDone: count,
  /** Due, overdue or done today (the due list's todayTotal), and done. */
  due: count,
  done: count,
  overdue: count,
  /** 白加黑: households the day round found nobody home (catchUpDone of them knocked on tonight). */
  catchUpTonight: count,
  catchUpDone: count,
  /** Buildings and enterprises a template asks to check this shift, and of them those checked. */
  checksDue: z.object({ day: count, night: count }),
  checksDone: z.object({ day: count, night: count }),
  failedItems: count,
});

export const dashboardSchema = z.object({
  /** When the server computed these figures (the "as of" time shown on the screen). */
  asOf: epochMsSchema,
  /** The day (Asia/Shanghai) "today" means in these figures. */
  today: calendarDateSchema,
  /** The grids counted: null for the whole town. */
  gridIds: z.array(z.string()).nullable(),
  problems: dashboardProblemsSchema,
  round: z.object({
    perGrid: z.array(dashboardGridRoundSchema),
    /** Overdue households by each care tag that sets their cadence, or UNTAGGED; sensitive tags only for roles that may see them. */
    overdueByTag: counts,
  }),
  /** Open now, and met this month, every need type a key. */
  needs: z.object({ openByType: counts, metByType: counts }),
  /** The last 30 days, oldest first: problems reported, problems closed, visits that count (已访). */
  trend: z.array(z.object({ day: calendarDateSchema, reported: count, resolved: count, visits: count })),
  /** 考评: one row per grid, best first (score 0-100 by RANKING_WEIGHTS; ties by name). */
  ranking: z.array(
    z.object({
      gridId: z.string(),
      name: z.string(),
      score: z.number(),
      /** Households on a cadence that are not overdue, of all on a cadence. */
      visitsDone: ratio,
      resolvedOnTime: ratio,
      responded: ratio,
    }),
  ),
  /** This month per worker and helper of the grids: visits that count, problems reported, resolved on time by them. */
  workers: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      visits: count,
      problemsFound: count,
      resolvedOnTime: count,
    }),
  ),
});
export type Dashboard = z.infer<typeof dashboardSchema>;
export type DashboardProblems = z.infer<typeof dashboardProblemsSchema>;
export type DashboardGridRound = z.infer<typeof dashboardGridRoundSchema>;

const figureKeySchema = z.enum(DASHBOARD_FIGURE_KEYS as [DashboardFigure, ...DashboardFigure[]], {
  error: '没有这个统计项',
});

/** GET /api/dashboard?gridId=…: one grid inside the caller's scope, or all of it. */
export const dashboardQuerySchema = z.object({ gridId: z.string().min(1).max(64).optional() });

/** GET /api/dashboard/list: the figure, the cell of it (DASHBOARD_FIGURES[figure].params) and a page size. */
export const dashboardListQuerySchema = z.object({
  figure: figureKeySchema,
  gridId: z.string().min(1).max(64).optional(),
  severity: z.string().max(20).optional(),
  level: z.string().max(2).optional(),
  category: z.string().max(40).optional(),
  source: z.string().max(40).optional(),
  tag: z.string().max(40).optional(),
  type: z.string().max(40).optional(),
  shift: z.string().max(10).optional(),
  day: calendarDateSchema.optional(),
  userId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});
export type DashboardListQuery = z.infer<typeof dashboardListQuerySchema>;

export const dashboardListRowSchema = z.object({
  /** Unique within the list (a failed item is its run and item). */
  key: z.string(),
  kind: z.enum(Object.keys(DASHBOARD_ROW_KINDS) as [DashboardRowKind, ...DashboardRowKind[]]),
  /** The record to open: a problem, household, need, checklist run (or building/enterprise not yet checked) or visit. */
  id: z.string(),
  label: z.string(),
  gridId: z.string().nullable(),
  /** The instant the row is about (reported, visited, met), when it has one. */
  at: epochMsSchema.nullable(),
});
export type DashboardListRow = z.infer<typeof dashboardListRowSchema>;

export const dashboardListSchema = z.object({
  asOf: epochMsSchema,
  figure: figureKeySchema,
  /** The whole list's length: equal to the figure. `rows` holds the first `limit` of them. */
  count: count,
  rows: z.array(dashboardListRowSchema),
  isTruncated: z.boolean(),
});
export type DashboardList = z.infer<typeof dashboardListSchema>;
