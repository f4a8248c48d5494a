import { tz } from '@date-fns/tz';
import { addDays, addMonths, differenceInCalendarDays, getHours, lightFormat, parseISO } from 'date-fns';
import type { Shift } from './schemas/visit.ts';

/**
 * The town's clock. Every "day" the app talks about (a visit's day, "today's" due list, the daily
 * problem list) is a calendar day here, whatever zone the phone or the server is set to.
 */
export const TOWN_TIME_ZONE = 'Asia/Shanghai';

/**
 * 白加黑 shift boundaries, in town hours. The seeds name a daytime round and an evening catch-up round
 * but give no clock times, so these are ours: the day round starts when workers start knocking
 * (06:00), and from 18:00 people are home from work, which is what the evening round is for. The
 * small hours (00:00–05:59) also count as night: a late catch-up is still the night round.
 */
export const DAY_SHIFT_START_HOUR = 6;
export const NIGHT_SHIFT_START_HOUR = 18;

const inTown = tz(TOWN_TIME_ZONE);

const CALENDAR_DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const CALENDAR_DAY_FORMAT = 'yyyy-MM-dd';
/** Noon: no time zone moves its clocks at noon, so a day at noon is that day wherever the device is. */
const CALENDAR_NOON_HOUR = 12;

/**
 * A calendar day has no zone, so its arithmetic needs no time zone either: date-fns works on a plain
 * Date at local noon (daylight-saving shifts happen at night, so noon always exists and stays on its
 * day). A TZDate would give the same answers some 20 times slower, since each one asks Intl for the
 * zone's offset, and the due list does this arithmetic for thousands of households.
 */
function calendarNoonOrNull(day: string): Date | null {
  const match = CALENDAR_DAY_PATTERN.exec(day);
  if (match === null) return null;
  const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, dayOfMonth, CALENDAR_NOON_HOUR);
  // Date rolls 2026-02-30 over to March (and years below 100 into the 1900s): not a day we were given.
  const isSameDay =
    date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === dayOfMonth;
  return isSameDay ? date : null;
}

function calendarNoon(day: string): Date {
  const date = calendarNoonOrNull(day);
  // Refuse loudly: a malformed day string would otherwise compare wrongly as a string everywhere else.
  if (date === null) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${day}`);
  return date;
}

/** A real YYYY-MM-DD day (2026-02-30 is not). */
export function isCalendarDay(day: string): boolean {
  return calendarNoonOrNull(day) !== null;
}

/** The Asia/Shanghai calendar day (YYYY-MM-DD) of an instant. */
export function shanghaiDay(epochMs: number): string {
  return lightFormat(inTown(epochMs), CALENDAR_DAY_FORMAT);
}

/** Epoch ms of 00:00 Asia/Shanghai on the given day: compare instants to it instead of formatting each. */
export function shanghaiDayStart(day: string): number {
  calendarNoon(day); // validates
  return parseISO(day, { in: inTown }).getTime();
}

/** Which round of 白加黑 an instant falls in, by the town's clock. */
export function shiftAt(epochMs: number): Shift {
  const hour = getHours(epochMs, { in: inTown });
  return hour >= DAY_SHIFT_START_HOUR && hour < NIGHT_SHIFT_START_HOUR ? 'day' : 'night';
}

/** The calendar day `n` days after `day` (n may be negative). */
export function addCalendarDays(day: string, n: number): string {
  return lightFormat(addDays(calendarNoon(day), n), CALENDAR_DAY_FORMAT);
}

/** Whole calendar days from `fromDay` to `toDay`: positive when `toDay` is later. */
export function daysBetween(fromDay: string, toDay: string): number {
  return differenceInCalendarDays(calendarNoon(toDay), calendarNoon(fromDay));
}

/**
 * How far each recurring visit cadence steps. Months step by the calendar (date-fns clamps to the
 * month's last day: Jan 31 + 1 month = Feb 28), so "monthly" means "by the same date next month".
 */
export const CADENCE_STEPS = {
  daily: { days: 1 },
  weekly: { days: 7 },
  monthly: { months: 1 },
  quarterly: { months: 3 },
} as const satisfies Record<string, { days: number } | { months: number }>;
export type RecurringCadence = keyof typeof CADENCE_STEPS;

/** The day a visit made on `day` is next due under `cadence`. */
export function addCadence(day: string, cadence: RecurringCadence): string {
  const step: { days: number } | { months: number } = CADENCE_STEPS[cadence];
  const start = calendarNoon(day);
  const next = 'days' in step ? addDays(start, step.days) : addMonths(start, step.months);
  return lightFormat(next, CALENDAR_DAY_FORMAT);
}

/** How many days the cadence's period starting on `day` lasts (a quarter from Nov 30 is 90). */
export function cadencePeriodDays(day: string, cadence: RecurringCadence): number {
  return daysBetween(day, addCadence(day, cadence));
}
