/**
 * A household never visited: its first visit falls on one day of its cadence's first period after it
 * entered the register, so a freshly imported grid opens on a day's work (the 日必访 people and a fair
 * share of the rest), not on every household at once ("今日 0 / 366").
 */
import { describe, expect, it } from 'vitest';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { deterministicId } from '../../src/shared/domain/ids.ts';
import {
  computeDueList,
  DEFAULT_CADENCE_CONFIG,
  type CadencePerson,
  type CadenceVisit,
  type DueItem,
  type DueList,
  type ScheduledCadence,
} from '../../src/shared/domain/visit-cadence.ts';
import type { Household } from '../../src/shared/schemas/household.ts';
import type { Person } from '../../src/shared/schemas/person.ts';
import { addCadence, addCalendarDays, daysBetween, shanghaiDay, shiftAt } from '../../src/shared/time.ts';

type Entered = Pick<Household, 'id' | 'isDeleted' | 'updatedAt'>;

/** An instant given as Shanghai wall-clock time, e.g. '2026-03-10T23:30:00'. */
const atShanghai = (wallClock: string) => Date.parse(`${wallClock}+08:00`);

/** The register import: 09:00 in the town on 2026-03-10 (a Tuesday), every record stamped then. */
const IMPORTED_AT = atShanghai('2026-03-10T09:00:00');
const DAY_ONE = shanghaiDay(IMPORTED_AT);
const config = DEFAULT_CADENCE_CONFIG;

/**
 * A grid's register as the import writes it: households and people of the demo town (its tag rates
 * are those of seed 000), each household given a fresh UUIDv7 id minted at the import, as newId does.
 */
function importedGrid(
  households: number,
  importedAt = IMPORTED_AT,
): { households: Entered[]; people: Person[] } {
  const town = generateDemoTown({ households, comprehensiveGrids: 1, specialGrids: 0, enterprises: 0 });
  const bytes = new Uint8Array(16);
  const newIds = new Map<string, string>();
  const imported = town.households.map((household, i) => {
    new DataView(bytes.buffer).setUint32(12, i * 2_654_435_761);
    const id = deterministicId(importedAt + i, bytes);
    newIds.set(household.id, id);
    return { ...household, id, updatedAt: importedAt };
  });
  const people = town.people.map((p) => ({
    ...p,
    householdId: newIds.get(p.householdId)!,
    updatedAt: importedAt,
  }));
  return { households: imported, people };
}

const grid = importedGrid(366);
const dueOn = (today: string, visits: CadenceVisit[] = [], g = grid): DueList =>
  computeDueList({ households: g.households, people: g.people, visits, config, today });
const dayOne = dueOn(DAY_ONE);
const byCadence = (list: DueList, cadence: ScheduledCadence) =>
  list.items.filter((i) => i.cadence === cadence);
const periodDays = (cadence: ScheduledCadence) => daysBetween(DAY_ONE, addCadence(DAY_ONE, cadence));

function visit(householdId: string, wallClock: string): CadenceVisit {
  const visitedAt = atShanghai(wallClock);
  return {
    householdId,
    visitedAt,
    day: shanghaiDay(visitedAt),
    shift: shiftAt(visitedAt),
    outcome: 'met',
    isDeleted: false,
  };
}

describe('a freshly imported grid', () => {
  it('opens on a day’s work: the daily households and about a day’s share of each longer cadence', () => {
    const count = (cadence: ScheduledCadence) => byCadence(dayOne, cadence).length;
    expect(dayOne.items.length).toBeGreaterThan(300);
    expect(count('daily')).toBeGreaterThan(0);
    // Every cadence is represented, so the bound below says something about each.
    for (const cadence of ['weekly', 'monthly', 'quarterly'] as const)
      expect(count(cadence)).toBeGreaterThan(10);
    const share =
      count('daily') +
      count('weekly') / periodDays('weekly') +
      count('monthly') / periodDays('monthly') +
      count('quarterly') / periodDays('quarterly');
    const { todayTotal } = dayOne;
    expect(todayTotal).toBeGreaterThanOrEqual(count('daily'));
    expect(todayTotal).toBeLessThanOrEqual(count('daily') + 2 * (share - count('daily')) + 4);
    expect(todayTotal).toBeLessThan(dayOne.items.length / 4);
    // Nothing is overdue on the day the register came in, and every daily household is due.
    expect(dayOne.counts.overdue).toBe(0);
    for (const item of byCadence(dayOne, 'daily')) expect(item.status).toBe('due');
  });

  it('gives every household exactly one due day in its first period: upcoming before it, overdue after', () => {
    const quarter = periodDays('quarterly');
    const days = Array.from({ length: quarter }, (_, n) => addCalendarDays(DAY_ONE, n));
    const lists = days.map((day) => dueOn(day));
    for (const [index, item] of dayOne.items.entries()) {
      const statuses = lists.map((list) => list.items[index]!);
      const period = periodDays(item.cadence);
      const dueDays = statuses.flatMap((s, n) => (s.status === 'due' && n < period ? [n] : []));
      expect(dueDays, `${item.householdId} (${item.cadence})`).toHaveLength(1);
      const firstDue = dueDays[0]!;
      statuses.forEach((s: DueItem, n) => {
        expect(s.nextDueDay).toBe(days[firstDue]);
        expect(s.isNeverVisited).toBe(true);
        if (n < firstDue) expect(s.status).toBe('upcoming');
        if (n > firstDue) expect(s).toMatchObject({ status: 'overdue', overdueDays: n - firstDue });
      });
    }
  });

  it('spreads each cadence evenly over its period', () => {
    // Many households of one cadence at a time, so the counts per day are large enough to judge.
    const big = importedGrid(3_000);
    for (const cadence of ['weekly', 'monthly', 'quarterly'] as const) {
      const cadenceConfig = { byTag: {}, everyoneElse: cadence };
      const list = computeDueList({ ...big, visits: [], config: cadenceConfig, today: DAY_ONE });
      const perDay = new Map<string, number>();
      for (const item of list.items) perDay.set(item.nextDueDay, (perDay.get(item.nextDueDay) ?? 0) + 1);
      const period = periodDays(cadence);
      expect(perDay.size, cadence).toBe(period);
      const mean = list.items.length / period;
      for (const [day, n] of perDay) {
        expect(daysBetween(DAY_ONE, day)).toBeGreaterThanOrEqual(0);
        expect(daysBetween(DAY_ONE, day)).toBeLessThan(period);
        // Binomial spread around the mean: a bad hash would heap days far beyond this.
        expect(n, `${cadence} ${day}`).toBeLessThan(mean + 5 * Math.sqrt(mean) + 1);
        expect(n, `${cadence} ${day}`).toBeGreaterThan(mean - 5 * Math.sqrt(mean) - 1);
      }
    }
  });

  it('is deterministic: the same day for a household whatever the order, the neighbours or the run', () => {
    const shuffled = [...grid.households].reverse();
    const fewer = grid.households.filter((_, i) => i % 3 === 0);
    const dayOf = (list: DueList) => new Map(list.items.map((i) => [i.householdId, i.nextDueDay]));
    const again = dayOf(dueOn(DAY_ONE));
    expect(again).toEqual(dayOf(dayOne));
    expect(dayOf(dueOn(DAY_ONE, [], { ...grid, households: shuffled }))).toEqual(again);
    for (const [id, day] of dayOf(dueOn(DAY_ONE, [], { ...grid, households: fewer }))) {
      expect(day).toBe(again.get(id));
    }
  });
});

describe('a household never visited', () => {
  const dailyPerson = (householdId: string): CadencePerson => ({
    id: `p-${householdId}`,
    householdId,
    status: 'resident',
    tags: ['elderly-alone'],
    isDeleted: false,
  });
  const quarterlyItems = byCadence(dayOne, 'quarterly');
  const later = quarterlyItems.find((i) => daysBetween(DAY_ONE, i.nextDueDay) > 10)!;

  it('follows the usual rule after its first visit, on its due day or before it', () => {
    const onTheDay = visit(later.householdId, `${later.nextDueDay}T10:00:00`);
    const item = (list: DueList) => list.items.find((i) => i.householdId === later.householdId)!;
    expect(item(dueOn(later.nextDueDay, [onTheDay]))).toMatchObject({
      status: 'done',
      isNeverVisited: false,
    });
    const nextQuarter = addCadence(later.nextDueDay, 'quarterly');
    expect(item(dueOn(nextQuarter, [onTheDay]))).toMatchObject({ status: 'due', nextDueDay: nextQuarter });
    // Visited on day one, before its day came: due a quarter after that visit.
    const early = visit(later.householdId, `${DAY_ONE}T15:00:00`);
    expect(item(dueOn(addCalendarDays(DAY_ONE, 1), [early]))).toMatchObject({
      status: 'upcoming',
      nextDueDay: addCadence(DAY_ONE, 'quarterly'),
    });
  });

  it('is due from the day it entered the register, as a Shanghai day, when it is daily', () => {
    // 23:30 on the 9th in the town is 15:30 UTC; 00:30 on the 10th is still the 9th in UTC.
    const lateEvening = { id: 'h-late', isDeleted: false, updatedAt: atShanghai('2026-03-09T23:30:00') };
    const afterMidnight = { id: 'h-early', isDeleted: false, updatedAt: atShanghai('2026-03-10T00:30:00') };
    const list = computeDueList({
      households: [lateEvening, afterMidnight],
      people: [dailyPerson('h-late'), dailyPerson('h-early')],
      visits: [],
      config,
      today: '2026-03-11',
    });
    expect(list.items.map((i) => [i.householdId, i.status, i.nextDueDay, i.overdueDays])).toEqual([
      ['h-late', 'overdue', '2026-03-09', 2],
      ['h-early', 'overdue', '2026-03-10', 1],
    ]);
  });

  it('keeps its day when the household is edited later: the id’s own time is when it entered', () => {
    const edited = grid.households.map((h) => ({ ...h, updatedAt: atShanghai('2026-04-20T10:00:00') }));
    const dayOf = (list: DueList) => new Map(list.items.map((i) => [i.householdId, i.nextDueDay]));
    expect(dayOf(dueOn(DAY_ONE, [], { ...grid, households: edited }))).toEqual(dayOf(dayOne));
  });

  it('counts a daily household entered "after" today (a clock set behind) as due today, not upcoming', () => {
    const list = computeDueList({
      households: [{ id: 'h-ahead', isDeleted: false, updatedAt: atShanghai('2026-03-12T09:00:00') }],
      people: [dailyPerson('h-ahead')],
      visits: [],
      config,
      today: DAY_ONE,
    });
    expect(list.items[0]).toMatchObject({ status: 'due', nextDueDay: DAY_ONE, isNeverVisited: true });
  });
});
