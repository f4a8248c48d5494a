/**
 * When a household never visited falls due for the first time. A register comes in whole, on the day
 * of its import, and "never visited, so due today" put every household of the grid on that day's list
 * ("今日 0 / 366"). Instead a household's first visit falls on one day of the first period of its
 * cadence after it entered the register: a quarterly household on some day of its first quarter, a
 * monthly one of its first month, a weekly one of its first week; a daily one on the day it entered.
 * The day is a stable hash of the household id modulo the period's length in days: the phone and the
 * server (the dashboard) find the same day from the record alone, a household keeps its day whatever
 * else the grid holds, and a grid's households spread evenly over the period.
 */
import type { Household } from '../schemas/household.ts';
import { addCalendarDays, cadencePeriodDays, shanghaiDay, type RecurringCadence } from '../time.ts';

/** What the rule reads of a household. */
export type RegisterEntry = Pick<Household, 'id' | 'updatedAt'>;

const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * When a household entered the register, in epoch ms. A household record carries no creation time of
 * its own (only id, updatedAt, isDeleted and its address; its people likewise), but its id is a UUIDv7
 * (ids.ts newId) minted when the record was made, by the register import or by the worker adding the
 * household, and a v7 id's first 48 bits are that instant. updatedAt would move the day with every
 * later edit, so it stands in only for an id that is not a v7 (the schema takes any UUID): for such a
 * record it is the earliest, and only, time we have.
 */
export function enteredRegisterAt(household: RegisterEntry): number {
  const { id } = household;
  if (!UUID_V7_PATTERN.test(id)) return household.updatedAt;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * A stable 32-bit hash of a household id: FNV-1a, then murmur3's finalizer, so that the low bits the
 * modulo keeps depend on every character (v7 ids minted in one import share most of theirs).
 */
export function spreadHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

const HOUR_MS = 3_600_000;

/** A baseline day, with the date work on it done once: its period lengths and the days after it. */
interface Baseline {
  day: string;
  periodDays: Partial<Record<RecurringCadence, number>>;
  /** `day` plus n days, at index n. */
  daysAfter: string[];
}

/**
 * The first due day of households never visited, as seen on `today` (Asia/Shanghai). A grid's register
 * comes in within minutes, so its thousands of households share a baseline day: the date work is done
 * once per baseline (its period lengths, at most a quarter of days after it), not per household.
 */
export function firstDueDays(today: string): (household: RegisterEntry, cadence: RecurringCadence) => string {
  const byHour = new Map<number, Baseline>();
  const byDay = new Map<string, Baseline>();
  const baselineOf = (enteredAt: number): Baseline => {
    // Shanghai has been a whole number of hours off UTC since 1901, so a UTC hour lies in one town day.
    const hour = Math.floor(enteredAt / HOUR_MS);
    let baseline = byHour.get(hour);
    if (baseline === undefined) {
      const entered = shanghaiDay(hour * HOUR_MS);
      // Entered "after" today (a phone clock set behind the one that minted the id, or a past day's
      // list): it is in the register now, so as far as this list knows it came in today, and 日必访
      // people stay on it.
      const day = entered > today ? today : entered;
      baseline = byDay.get(day) ?? { day, periodDays: {}, daysAfter: [day] };
      byDay.set(day, baseline);
      byHour.set(hour, baseline);
    }
    return baseline;
  };
  return (household, cadence) => {
    const baseline = baselineOf(enteredRegisterAt(household));
    const days = (baseline.periodDays[cadence] ??= cadencePeriodDays(baseline.day, cadence));
    const offset = spreadHash(household.id) % days;
    return (baseline.daysAfter[offset] ??= addCalendarDays(baseline.day, offset));
  };
}

/** The first due day of one household never visited; see firstDueDays for many. */
export function firstDueDay(household: RegisterEntry, cadence: RecurringCadence, today: string): string {
  return firstDueDays(today)(household, cadence);
}
