import { describe, expect, it } from 'vitest';
import {
  ageOf,
  countsInOrder,
  formatAsOf,
  formatHours,
  formatRatio,
  formatRatioParts,
  formatScore,
  ratioFraction,
  totalOf,
} from '../../src/app/ui/dashboard/figure-format.ts';

const at = (iso: string) => Date.parse(iso);

describe('dashboard figures', () => {
  it('shows a share with nothing to divide by as "—", not 0 %', () => {
    expect(formatRatio({ part: 0, whole: 0 })).toBe('—');
    expect(formatRatioParts({ part: 0, whole: 0 })).toBe('—');
    expect(ratioFraction({ part: 0, whole: 0 })).toBe(0);
  });

  it('rounds a share to a whole percentage, keeping 0 % and 100 % for none and all', () => {
    expect(formatRatio({ part: 78, whole: 86 })).toBe('91%');
    expect(formatRatio({ part: 0, whole: 12 })).toBe('0%');
    expect(formatRatio({ part: 12, whole: 12 })).toBe('100%');
    expect(formatRatio({ part: 1, whole: 300 })).toBe('1%');
    expect(formatRatio({ part: 299, whole: 300 })).toBe('99%');
    expect(formatRatioParts({ part: 78, whole: 86 })).toBe('78/86');
    expect(ratioFraction({ part: 3, whole: 4 })).toBe(0.75);
  });

  it('shows hours and scores with one decimal, "—" when there are none', () => {
    expect(formatHours(null)).toBe('—');
    expect(formatHours(19.46)).toBe('19.5');
    expect(formatHours(0)).toBe('0');
    expect(formatHours(131.6)).toBe('132');
    expect(formatScore(null)).toBe('—');
    expect(formatScore(4.36)).toBe('4.4');
    expect(formatScore(5)).toBe('5.0');
  });

  it('says "as of" with the town clock, and the day too when it is not today', () => {
    // 16:05 in Asia/Shanghai is 08:05 UTC.
    const asOf = at('2026-11-23T08:05:00Z');
    expect(formatAsOf(asOf, at('2026-11-23T09:00:00Z'))).toBe('16:05');
    // 00:30 the next morning in Shanghai, though still the 23rd in UTC.
    expect(formatAsOf(asOf, at('2026-11-23T16:30:00Z'))).toBe('11/23 16:05');
  });

  it('tells the age in the largest whole unit', () => {
    const asOf = at('2026-11-23T08:05:00Z');
    expect(ageOf(asOf, asOf + 30_000)).toEqual({ unit: 'now' });
    expect(ageOf(asOf, asOf + 35 * 60_000)).toEqual({ unit: 'minutes', n: 35 });
    expect(ageOf(asOf, asOf + 3 * 3_600_000 + 59 * 60_000)).toEqual({ unit: 'hours', n: 3 });
    expect(ageOf(asOf, asOf + 50 * 3_600_000)).toEqual({ unit: 'days', n: 2 });
    // A phone clock behind the server's is no negative age.
    expect(ageOf(asOf, asOf - 60_000)).toEqual({ unit: 'now' });
  });

  it('lists a count table in the given order, then codes the order lacks', () => {
    expect(countsInOrder({ blue: 3, red: 1, purple: 2 }, ['red', 'orange', 'blue'])).toEqual([
      { code: 'red', count: 1 },
      { code: 'orange', count: 0 },
      { code: 'blue', count: 3 },
      { code: 'purple', count: 2 },
    ]);
    expect(totalOf({ a: 1, b: 2 })).toBe(3);
    expect(totalOf({})).toBe(0);
  });
});
