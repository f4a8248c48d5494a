/**
 * The calendar periods the dashboard counts in, all Asia/Shanghai (time.ts): today, this week (from
 * Monday, as Chinese work weeks and calendars run) and this month, each from its first instant up to
 * `now`, and the last 30 days for the trends. The server's SQL compares epoch ms to these bounds, so
 * no engine needs to know the town's time zone.
 */
import { addCalendarDays, shanghaiDay, shanghaiDayStart } from '../../time.ts';

export const TREND_DAYS = 30;

export interface DashboardPeriods {
  now: number;
  /** YYYY-MM-DD in Asia/Shanghai. */
  today: string;
  dayStart: number;
  /** The Monday of this week, and its first instant. */
  weekStartDay: string;
  weekStart: number;
  /** The 1st of this month, and its first instant. */
  monthStartDay: string;
  monthStart: number;
  /** The last TREND_DAYS days, oldest first, ending today. */
  trendDays: string[];
  /** First instant of each trend day, and of the day after the last (TREND_DAYS + 1 bounds). */
  trendBounds: number[];
}

/** 0 for Monday … 6 for Sunday: how many days the week has run before `day`. */
export function daysSinceMonday(day: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  // A calendar day's weekday needs no zone: the UTC date of the same numbers falls on the same weekday.
  return (new Date(Date.UTC(year, month - 1, date)).getUTCDay() + 6) % 7;
}

export function dashboardPeriods(now: number): DashboardPeriods {
  const today = shanghaiDay(now);
  const weekStartDay = addCalendarDays(today, -daysSinceMonday(today));
  const monthStartDay = `${today.slice(0, 8)}01`;
  const trendDays = Array.from({ length: TREND_DAYS }, (_, i) => addCalendarDays(today, i - TREND_DAYS + 1));
  const trendBounds = [...trendDays, addCalendarDays(today, 1)].map(shanghaiDayStart);
  return {
    now,
    today,
    dayStart: shanghaiDayStart(today),
    weekStartDay,
    weekStart: shanghaiDayStart(weekStartDay),
    monthStartDay,
    monthStart: shanghaiDayStart(monthStartDay),
    trendDays,
    trendBounds,
  };
}

/** Whether an instant lies in [from, now]: a period so far. */
export const isInPeriod = (at: number | null | undefined, from: number, now: number): boolean =>
  at !== null && at !== undefined && at >= from && at <= now;
