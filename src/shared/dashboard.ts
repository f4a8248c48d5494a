/**
 * The command center's dashboard on the wire (GET /api/dashboard): every figure the server computes
 * for a leader's grids or the whole town, with the time it was computed, so the device can cache it
 * and open the screen offline ("数据截至 16:05"). What each figure means (which problems count as
 * "responded in time", which households are "due") is defined once in src/shared/domain/dashboard/,
 * used by the server's SQL and by the device's list behind each figure.
 */
import { z } from 'zod';
import { epochMsSchema, calendarDateSchema } from './schemas/common.ts';

const count = z.number().int().nonnegative();
/** A share as its parts, so a figure with nothing to divide by says so instead of showing 0%. */
const ratio = z.object({ part: count, whole: count });
const counts = z.record(z.string(), count);

export const dashboardProblemsSchema = z.object({
  newToday: count,
  newThisWeek: count,
  newThisMonth: count,
  /** Dispatched or accepted within the colour's response time, of the problems reported this month. */
  responded: ratio,
  /** Resolved by dueAt, of the problems resolved this month. */
  resolvedOnTime: ratio,
  openNow: count,
  overdueBySeverity: counts,
  overdueByLevel: counts,
  /** This month's problems. */
  byCategory: counts,
  bySource: counts,
  /** Of this month's closed problems; null when none closed. */
  medianHoursToClose: z.number().nonnegative().nullable(),
  feedbackGiven: count,
  evaluated: count,
  meanScore: z.number().min(1).max(5).nullable(),
});

export const dashboardGridRoundSchema = z.object({
  gridId: z.string(),
  name: z.string(),
  dailyDue: count,
  dailyDone: count,
  due: count,
  done: count,
  overdue: count,
  catchUpTonight: count,
  catchUpDone: count,
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
    overdueByTag: counts,
  }),
  needs: z.object({ openByType: counts, metByType: counts }),
  /** The last 30 days, oldest first. */
  trend: z.array(z.object({ day: calendarDateSchema, reported: count, resolved: count, visits: count })),
  /** 考评: one row per grid, best first. */
  ranking: z.array(
    z.object({
      gridId: z.string(),
      name: z.string(),
      score: z.number(),
      visitsDone: ratio,
      resolvedOnTime: ratio,
      responded: ratio,
    }),
  ),
  /** This month per worker. */
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
