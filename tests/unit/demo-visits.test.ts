import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { AppDB } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { todayView } from '../../src/app/db/round-queries.ts';
import { generateDemoTown, type DemoTown } from '../../src/shared/domain/demo-town.ts';
import { generateDemoVisits } from '../../src/shared/domain/demo-visits.ts';
import {
  computeDueList,
  DEFAULT_CADENCE_CONFIG,
  householdCadence,
  type DueList,
} from '../../src/shared/domain/visit-cadence.ts';
import { VISIT_OUTCOMES, visitSchema, type Person, type Visit } from '../../src/shared/schemas/index.ts';
import { addCalendarDays, shanghaiDay, shiftAt } from '../../src/shared/time.ts';

/**
 * The demo's past visits: a fresh demo must open on a day's work, as a working grid would (the 日必访
 * households, a fair share of the rest, a few overdue), not on every household "never visited".
 */
// 10:00 in the town on 2026-03-10; the history ends on the 9th.
const NOW = Date.UTC(2026, 2, 10, 2, 0, 0);
const TODAY = shanghaiDay(NOW);
const YESTERDAY = addCalendarDays(TODAY, -1);
/** Grids of ~300 households, the size of a real one (the default 71 grids would make them tiny). */
const town = generateDemoTown({ households: 3_000, comprehensiveGrids: 10, specialGrids: 1, enterprises: 5 });
const history = generateDemoVisits({ households: town.households, people: town.people, now: NOW });
const config = DEFAULT_CADENCE_CONFIG;

function membersOf(people: readonly Person[]): Map<string, Person[]> {
  const members = new Map<string, Person[]>();
  for (const person of people) {
    const list = members.get(person.householdId);
    if (list) list.push(person);
    else members.set(person.householdId, [person]);
  }
  return members;
}
const members = membersOf(town.people);
const cadenceOf = (householdId: string) => householdCadence(members.get(householdId) ?? [], config).cadence;

function dueListOf(t: DemoTown, visits: readonly Visit[], today: string, gridId?: string): DueList {
  const households = t.households.filter((h) => gridId === undefined || h.gridId === gridId);
  return computeDueList({ households, people: t.people, visits, config, today });
}

describe('generateDemoVisits', () => {
  it('makes real visit records, all before today, each on its day and shift in the town', () => {
    expect(history.visits.length).toBeGreaterThan(town.households.length);
    for (const visit of history.visits) {
      expect(visitSchema.parse(visit)).toEqual(visit);
      expect(visit.visitedAt).toBeLessThan(NOW);
      expect(visit.day < TODAY).toBe(true);
      expect(shanghaiDay(visit.visitedAt)).toBe(visit.day);
      expect(shiftAt(visit.visitedAt)).toBe(visit.shift);
    }
    expect(new Set(history.visits.map((v) => v.id)).size).toBe(history.visits.length);
    // Knocks that found nobody home, some turned away, a few in hospital: not only "met".
    const outcomes = new Set(history.visits.map((v) => v.outcome));
    expect([...outcomes].sort()).toEqual(['in-hospital', 'met', 'nobody-home', 'refused']);
  });

  it('follows the cadence: only the planted households are overdue, and none is never visited', () => {
    const list = dueListOf(town, history.visits, TODAY);
    const overdue = list.items.filter((item) => item.status === 'overdue').map((item) => item.householdId);
    expect(overdue.sort()).toEqual([...history.overdueHouseholdIds].sort());
    expect(list.items.some((item) => item.isNeverVisited)).toBe(false);
    // 日必访: everyone else was seen yesterday, so is due today.
    const planted = new Set(history.overdueHouseholdIds);
    const daily = list.items.filter((item) => item.cadence === 'daily' && !planted.has(item.householdId));
    expect(daily.length).toBeGreaterThan(50);
    expect(daily.every((item) => item.status === 'due' && item.lastVisitDay === YESTERDAY)).toBe(true);
    // A realistic few percent overdue, some after a knock that found nobody home.
    expect(planted.size / list.items.length).toBeGreaterThan(0.02);
    expect(planted.size / list.items.length).toBeLessThan(0.05);
    const lastKnock = new Map(history.visits.map((v) => [v.householdId, v]));
    expect([...planted].some((id) => !VISIT_OUTCOMES[lastKnock.get(id)!.outcome].countsAsVisit)).toBe(true);
  });

  it('leaves a day of work due in a grid of ~300 households, not every household', () => {
    for (const grid of town.grids.filter((g) => g.kind === 'grid')) {
      const list = dueListOf(town, history.visits, TODAY, grid.id);
      const scheduled = list.items.length;
      // Without a past, the register that came in on 2025-12-31 (the town's id stamps) would have every
      // household whose first due day has come by now still to do: all but the quarterly ones whose
      // day lies ahead. With the past: the daily ones (~9%), a seventh of the weekly ones, a month's
      // and a quarter's share of the rest, and the overdue.
      const noPast = dueListOf(town, [], TODAY, grid.id);
      expect(
        noPast.items.filter((i) => i.status === 'upcoming').every((i) => i.cadence === 'quarterly'),
      ).toBe(true);
      expect(noPast.todayTotal).toBeGreaterThan(scheduled * 0.5);
      expect(list.todayTotal).toBeGreaterThan(scheduled * 0.1);
      expect(list.todayTotal).toBeLessThan(scheduled * 0.3);
      // Each grid its few percent overdue: none is spared, none gets an unlucky heap of them.
      expect(list.counts.overdue).toBe(Math.round(scheduled * 0.03));
      expect(list.counts.done).toBe(0);
    }
  });

  it('keeps yesterday whole, and the last counted visit of every household before it', () => {
    const yesterday = dueListOf(town, history.visits, YESTERDAY);
    // Yesterday's list (the export of yesterday) knows every household's visit before it.
    expect(yesterday.items.some((item) => item.isNeverVisited)).toBe(false);
    expect(yesterday.counts.done).toBeGreaterThan(yesterday.items.length * 0.1);
    const dailyDone = yesterday.items.filter((i) => i.cadence === 'daily' && i.status === 'done').length;
    expect(dailyDone).toBeGreaterThan(50);
    // Before yesterday: one visit per household, the last that counted, and for an overdue one
    // perhaps the unanswered knock after it.
    const planted = new Set(history.overdueHouseholdIds);
    const before = history.visits.filter((v) => v.day < YESTERDAY);
    const older = before.filter((v) => VISIT_OUTCOMES[v.outcome].countsAsVisit);
    expect(new Set(older.map((v) => v.householdId)).size).toBe(older.length);
    const unanswered = before.filter((v) => !VISIT_OUTCOMES[v.outcome].countsAsVisit);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(unanswered.every((v) => planted.has(v.householdId))).toBe(true);
    // A monthly household's last visit falls within its month, a quarterly one's within its quarter.
    const monthAgo = addCalendarDays(TODAY, -31);
    const quarterAgo = addCalendarDays(TODAY, -92);
    for (const visit of older) {
      const cadence = cadenceOf(visit.householdId);
      if (planted.has(visit.householdId)) continue;
      if (cadence === 'monthly') expect(visit.day >= monthAgo).toBe(true);
      if (cadence === 'quarterly') expect(visit.day >= quarterAgo).toBe(true);
    }
  });

  it('is the same for the same households, seed and clock, and moves with the clock', () => {
    const again = generateDemoVisits({ households: town.households, people: town.people, now: NOW });
    expect(again).toEqual(history);
    const otherSeed = generateDemoVisits({
      households: town.households,
      people: town.people,
      now: NOW,
      seed: 1,
    });
    expect(otherSeed.visits).not.toEqual(history.visits);
    // A week later the history ends a week later, and the day's work is the same size.
    const weekLater = NOW + 7 * 86_400_000;
    const later = generateDemoVisits({ households: town.households, people: town.people, now: weekLater });
    expect(later.visits.every((v) => v.day < shanghaiDay(weekLater))).toBe(true);
    const laterList = dueListOf(town, later.visits, shanghaiDay(weekLater));
    const list = dueListOf(town, history.visits, TODAY);
    expect(Math.abs(laterList.todayTotal - list.todayTotal)).toBeLessThan(list.todayTotal * 0.1);
  });

  it('gives every grid of a small test town an overdue household to show', () => {
    const small = generateDemoTown({ households: 600 });
    const { visits } = generateDemoVisits({ households: small.households, people: small.people, now: NOW });
    for (const grid of small.grids.filter((g) => g.kind === 'grid'))
      expect(dueListOf(small, visits, TODAY, grid.id).counts.overdue).toBeGreaterThan(0);
  });
});

describe('the on-phone demo stores its past visits', () => {
  let db: AppDB | undefined;
  afterEach(async () => {
    db?.close();
    if (db) await Dexie.delete(db.name);
  });

  it('through storeRegister, with the summaries Today reads kept in step', async () => {
    db = new AppDB(`demo-visits-${Math.random()}`);
    const small = generateDemoTown({ households: 400, comprehensiveGrids: 2, enterprises: 0 });
    const { visits } = generateDemoVisits({ households: small.households, people: small.people, now: NOW });
    await storeRegister(db, toRegisterRows({ ...small, visits }, await loadPinyin()), {
      source: 'demo',
      loadedAt: NOW,
    });
    expect(await db.visits.count()).toBe(visits.length);
    expect(await db.outbox.count()).toBe(0);
    const grid = small.grids.find((g) => g.kind === 'grid')!;
    const view = await todayView(db, grid.id, TODAY);
    const whole = dueListOf(small, visits, TODAY, grid.id);
    expect(whole.todayTotal).toBeLessThan(whole.items.length / 2);
    expect(view.counts).toEqual(whole.counts);
    expect(view.entries.map((e) => e.householdId).sort()).toEqual(
      whole.items
        .filter((i) => i.status !== 'upcoming')
        .map((i) => i.householdId)
        .sort(),
    );
  });
});
