import { shanghaiDay } from '../../../shared/time.ts';
import { formatClock, formatShortTime } from '../format.ts';

/** What the dashboard shows where a figure has nothing to show: no share of nothing, no mean of none. */
export const NO_FIGURE = '—';

export interface Ratio {
  part: number;
  whole: number;
}

/**
 * A share as a whole percentage, "—" when there is nothing to divide by (no problem this month is
 * not a 0 % response rate). Rounded, except that 0 % and 100 % mean none and all: 1 of 300 shows
 * 1 %, 299 of 300 shows 99 %.
 */
export function formatRatio({ part, whole }: Ratio): string {
  if (whole === 0) return NO_FIGURE;
  const percent = Math.round((part / whole) * 100);
  if (part > 0 && part < whole) return `${Math.min(99, Math.max(1, percent))}%`;
  return `${percent}%`;
}

/** "78/86": the parts of a share, beside its percentage. */
export function formatRatioParts({ part, whole }: Ratio): string {
  return whole === 0 ? NO_FIGURE : `${part}/${whole}`;
}

/** The share as 0…1 for a bar, 0 when there is nothing to divide by. */
export function ratioFraction({ part, whole }: Ratio): number {
  return whole === 0 ? 0 : Math.min(1, part / whole);
}

/** Hours with one decimal ("19.5"), "—" when none closed. */
export function formatHours(hours: number | null): string {
  if (hours === null) return NO_FIGURE;
  return hours >= 100 ? String(Math.round(hours)) : String(Math.round(hours * 10) / 10);
}

/** A mean score of 1 to 5 with one decimal ("4.4"), "—" when nobody evaluated. */
export function formatScore(score: number | null): string {
  return score === null ? NO_FIGURE : (Math.round(score * 10) / 10).toFixed(1);
}

/** "16:05" when the figures are of today (town time), "11/22 16:05" when older. */
export function formatAsOf(asOf: number, now: number): string {
  return shanghaiDay(asOf) === shanghaiDay(now) ? formatClock(asOf) : formatShortTime(asOf);
}

export type Age =
  | { unit: 'now' }
  | { unit: 'minutes'; n: number }
  | { unit: 'hours'; n: number }
  | { unit: 'days'; n: number };

/** How old the figures are, in the largest whole unit: under a minute is "now". */
export function ageOf(asOf: number, now: number): Age {
  const minutes = Math.floor(Math.max(0, now - asOf) / 60_000);
  if (minutes < 1) return { unit: 'now' };
  if (minutes < 60) return { unit: 'minutes', n: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: 'hours', n: hours };
  return { unit: 'days', n: Math.floor(hours / 24) };
}

/** A count table (by category, by colour) in a fixed order of codes, then any code the order lacks. */
export function countsInOrder(
  counts: Record<string, number>,
  order: readonly string[],
): Array<{ code: string; count: number }> {
  const known = order.map((code) => ({ code, count: counts[code] ?? 0 }));
  const others = Object.keys(counts)
    .filter((code) => !order.includes(code))
    .map((code) => ({ code, count: counts[code]! }));
  return [...known, ...others];
}

/** The sum of a count table. */
export const totalOf = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);
