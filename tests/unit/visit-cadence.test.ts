import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CADENCE_CODES,
  CADENCES,
  cadenceConfigSchema,
  computeDueList,
  DEFAULT_CADENCE_CONFIG,
  firstDueDay,
  householdCadence,
  lastCountedDays,
  tonightCatchUp,
  type CadenceConfig,
  type CadencePerson,
  type CadenceVisit,
  type DueHousehold,
  type DueItem,
  type DueList,
  type DueStatus,
} from '../../src/shared/domain/visit-cadence.ts';
import { CARE_TAG_CODES, type CareTag } from '../../src/shared/schemas/care-tags.ts';
import { VISIT_OUTCOMES, type VisitOutcome } from '../../src/shared/schemas/visit.ts';
import {
  addCadence,
  addCalendarDays,
  DAY_SHIFT_START_HOUR,
  daysBetween,
  isCalendarDay,
  NIGHT_SHIFT_START_HOUR,
  shanghaiDay,
  shanghaiDayStart,
  shiftAt,
} from '../../src/shared/time.ts';

/** An instant given as Shanghai wall-clock time, e.g. '2026-03-10T23:30:00'. */
function atShanghai(wallClock: string): number {
  return Date.parse(`${wallClock}+08:00`);
}

/** When the test households entered the register: the first visit of one never visited falls after it. */
const REGISTER_IMPORTED_AT = atShanghai('2026-01-05T09:00:00');

let nextPersonNumber = 0;
function household(id: string): DueHousehold {
  return { id, isDeleted: false, updatedAt: REGISTER_IMPORTED_AT };
}
function person(householdId: string, tags: CareTag[], changes: Partial<CadencePerson> = {}): CadencePerson {
  nextPersonNumber += 1;
  return {
    id: `person-${nextPersonNumber}`,
    householdId,
    status: 'resident',
    tags,
    isDeleted: false,
    ...changes,
  };
}
/** A visit as the app records it: `day` and `shift` come from the instant, by the town's clock. */
function visit(householdId: string, wallClock: string, outcome: VisitOutcome = 'met'): CadenceVisit {
  const visitedAt = atShanghai(wallClock);
  return {
    householdId,
    visitedAt,
    day: shanghaiDay(visitedAt),
    shift: shiftAt(visitedAt),
    outcome,
    isDeleted: false,
  };
}

function itemFor(list: DueList, householdId: string): DueItem {
  const item = list.items.find((candidate) => candidate.householdId === householdId);
  if (item === undefined) throw new Error(`${householdId} is not on the due list`);
  return item;
}

/** The due list of one household with the given members and visits. */
function dueOne(
  members: CadencePerson[],
  visits: CadenceVisit[],
  today: string,
  config: CadenceConfig = DEFAULT_CADENCE_CONFIG,
): DueItem {
  return itemFor(
    computeDueList({ households: [household('h1')], people: members, visits, config, today }),
    'h1',
  );
}

describe('town time', () => {
  it('gives the Shanghai calendar day: 23:59:59 is still that day, 00:00:00 is the next', () => {
    // 2026-03-10 23:59:59 in Shanghai is 15:59:59 UTC the same date; one second later is 16:00:00 UTC.
    expect(shanghaiDay(Date.UTC(2026, 2, 10, 15, 59, 59))).toBe('2026-03-10');
    expect(shanghaiDay(Date.UTC(2026, 2, 10, 16, 0, 0))).toBe('2026-03-11');
    // Across a year end, and a morning whose UTC date is still the day before.
    expect(shanghaiDay(Date.UTC(2025, 11, 31, 16, 0, 0))).toBe('2026-01-01');
    expect(shanghaiDay(atShanghai('2026-03-11T07:30:00'))).toBe('2026-03-11');
    expect(new Date(atShanghai('2026-03-11T07:30:00')).toISOString().slice(0, 10)).toBe('2026-03-10');
  });

  it('gives the instant 00:00 Shanghai starts a day', () => {
    expect(shanghaiDayStart('2026-03-11')).toBe(Date.UTC(2026, 2, 10, 16, 0, 0));
  });

  it('splits the day and night shifts at 06:00 and 18:00 Shanghai time', () => {
    expect([DAY_SHIFT_START_HOUR, NIGHT_SHIFT_START_HOUR]).toEqual([6, 18]);
    expect(shiftAt(atShanghai('2026-03-10T05:59:59'))).toBe('night');
    expect(shiftAt(atShanghai('2026-03-10T06:00:00'))).toBe('day');
    expect(shiftAt(atShanghai('2026-03-10T17:59:59'))).toBe('day');
    expect(shiftAt(atShanghai('2026-03-10T18:00:00'))).toBe('night');
    expect(shiftAt(atShanghai('2026-03-10T00:00:00'))).toBe('night');
    // 10:00 UTC is 18:00 in Shanghai: the zone, not UTC, decides.
    expect(shiftAt(Date.UTC(2026, 2, 10, 10, 0, 0))).toBe('night');
  });

  it('adds and counts calendar days across month, year and leap-day ends', () => {
    expect(addCalendarDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2026-02-28', '2026-03-01')).toBe(1);
    expect(daysBetween('2026-03-01', '2026-02-28')).toBe(-1);
    expect(daysBetween('2025-12-31', '2026-12-31')).toBe(365);
    expect(daysBetween('2026-03-10', '2026-03-10')).toBe(0);
  });

  it('steps cadences by the calendar, clamping to month ends', () => {
    expect(addCadence('2026-12-31', 'daily')).toBe('2027-01-01');
    expect(addCadence('2026-12-29', 'weekly')).toBe('2027-01-05');
    expect(addCadence('2026-01-31', 'monthly')).toBe('2026-02-28');
    expect(addCadence('2028-01-31', 'monthly')).toBe('2028-02-29');
    expect(addCadence('2026-03-31', 'monthly')).toBe('2026-04-30');
    expect(addCadence('2025-11-30', 'quarterly')).toBe('2026-02-28');
    expect(addCadence('2026-01-15', 'quarterly')).toBe('2026-04-15');
  });

  it('gives the same answers whatever zone the device is set to', () => {
    const deviceZone = process.env.TZ;
    try {
      // Los Angeles is behind UTC, Kiritimati 14 hours ahead; Santiago starts daylight saving at
      // midnight on 2026-09-06 and Los Angeles at 02:00 on 2026-03-08.
      for (const zone of ['America/Los_Angeles', 'Pacific/Kiritimati', 'America/Santiago', 'UTC']) {
        process.env.TZ = zone;
        expect(new Date(Date.UTC(2026, 0, 1, 12)).getTimezoneOffset() === 0, zone).toBe(zone === 'UTC');
        expect(addCadence('2026-01-31', 'monthly'), zone).toBe('2026-02-28');
        expect(addCalendarDays('2026-09-05', 1), zone).toBe('2026-09-06');
        expect(addCalendarDays('2026-03-08', -1), zone).toBe('2026-03-07');
        expect(daysBetween('2026-03-07', '2026-03-09'), zone).toBe(2);
        expect(daysBetween('2026-09-05', '2026-09-07'), zone).toBe(2);
        expect(shanghaiDay(Date.UTC(2026, 2, 10, 16, 0, 0)), zone).toBe('2026-03-11');
        expect(shanghaiDayStart('2026-03-11'), zone).toBe(Date.UTC(2026, 2, 10, 16, 0, 0));
        expect(shiftAt(Date.UTC(2026, 2, 10, 10, 0, 0)), zone).toBe('night');
      }
    } finally {
      if (deviceZone === undefined) delete process.env.TZ;
      else process.env.TZ = deviceZone;
    }
  });

  it('refuses strings that are not calendar days', () => {
    expect(() => addCalendarDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => daysBetween('20260301', '2026-03-02')).toThrow(RangeError);
    expect(() => addCadence('2026-3-1', 'daily')).toThrow(RangeError);
    expect(() => shanghaiDayStart('0050-01-01')).toThrow(RangeError);
    expect([isCalendarDay('2028-02-29'), isCalendarDay('2026-02-29'), isCalendarDay('2026-13-01')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('cadence configuration', () => {
  it('orders cadences most frequent first', () => {
    expect(CADENCE_CODES).toEqual(['daily', 'weekly', 'monthly', 'quarterly', 'none']);
    expect(CADENCE_CODES.map((code) => CADENCES[code].zh)).toEqual([
      '每日',
      '每周',
      '每月',
      '每季度',
      '不需要',
    ]);
  });

  it('accepts the default configuration, which puts 日必访 people on a daily cadence', () => {
    expect(cadenceConfigSchema.parse(DEFAULT_CADENCE_CONFIG)).toEqual(DEFAULT_CADENCE_CONFIG);
    expect(DEFAULT_CADENCE_CONFIG.byTag['elderly-alone']).toBe('daily');
    expect(DEFAULT_CADENCE_CONFIG.byTag['key-person']).toBe('daily');
    expect(DEFAULT_CADENCE_CONFIG.everyoneElse).toBe('quarterly');
  });

  it('rejects an unknown cadence with a Chinese message', () => {
    const result = cadenceConfigSchema.safeParse({
      byTag: { disabled: 'hourly' },
      everyoneElse: 'quarterly',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['byTag', 'disabled'],
        message: expect.stringContaining('未知的走访频次：hourly'),
      }),
    ]);
  });

  it('rejects an unknown tag and a missing default in Chinese', () => {
    const unknownTag = cadenceConfigSchema.safeParse({ byTag: { vip: 'daily' }, everyoneElse: 'monthly' });
    expect(unknownTag.error?.issues.map((issue) => issue.message)).toEqual(['未知的关怀标签：vip']);
    const noDefault = cadenceConfigSchema.safeParse({ byTag: {} });
    expect(noDefault.error?.issues[0]?.message).toMatch(/^请选择走访频次/);
  });
});

describe('household cadence', () => {
  it('takes the most frequent cadence among residents and names the tags and people behind it', () => {
    const grandmother = person('h1', ['elderly-alone', 'chronic-illness']);
    const son = person('h1', ['unemployed']);
    const uncle = person('h1', ['key-person']);
    expect(householdCadence([grandmother, son, uncle], DEFAULT_CADENCE_CONFIG)).toEqual({
      cadence: 'daily',
      reasonTags: ['elderly-alone', 'key-person'],
      reasonPersonIds: [grandmother.id, uncle.id],
    });
  });

  it('falls back to everyone else, with no reason tags', () => {
    expect(householdCadence([person('h1', [])], DEFAULT_CADENCE_CONFIG)).toEqual({
      cadence: 'quarterly',
      reasonTags: [],
      reasonPersonIds: [],
    });
  });

  it('ignores the tags of members who moved out, died or were deleted', () => {
    const members = [
      person('h1', ['elderly-alone'], { status: 'moved-out' }),
      person('h1', ['key-person'], { status: 'deceased' }),
      person('h1', ['disabled'], { isDeleted: true }),
      person('h1', ['low-income']),
    ];
    expect(householdCadence(members, DEFAULT_CADENCE_CONFIG).cadence).toBe('monthly');
  });

  it('never visits less often than everyone else, whatever a tag says', () => {
    const config: CadenceConfig = { byTag: { unemployed: 'none' }, everyoneElse: 'monthly' };
    expect(householdCadence([person('h1', ['unemployed'])], config)).toEqual({
      cadence: 'monthly',
      reasonTags: [],
      reasonPersonIds: [],
    });
    // A tag asking for what everyone gets anyway did not set the cadence either.
    const sameAsEveryone: CadenceConfig = { byTag: { unemployed: 'monthly' }, everyoneElse: 'monthly' };
    expect(householdCadence([person('h1', ['unemployed'])], sameAsEveryone).reasonTags).toEqual([]);
  });
});

describe('household cadence, against the rule read aloud', () => {
  /** The rule as the policy says it, with no care for speed: the reference for the one-pass version. */
  function byTheRule(members: readonly CadencePerson[], config: CadenceConfig) {
    const residents = members.filter((p) => !p.isDeleted && p.status === 'resident');
    const orderOf = (tag: CareTag) => {
      const cadence = config.byTag[tag];
      return cadence === undefined ? Infinity : CADENCES[cadence].order;
    };
    const everyone = CADENCES[config.everyoneElse].order;
    const best = Math.min(everyone, ...residents.flatMap((p) => p.tags.map(orderOf)));
    if (best === everyone) return { cadence: config.everyoneElse, reasonTags: [], reasonPersonIds: [] };
    const reasonPeople = residents.filter((p) => p.tags.some((tag) => orderOf(tag) === best));
    const reasonTags = new Set(reasonPeople.flatMap((p) => p.tags.filter((tag) => orderOf(tag) === best)));
    return {
      cadence: CADENCE_CODES[best],
      reasonTags: CARE_TAG_CODES.filter((tag) => reasonTags.has(tag)),
      reasonPersonIds: reasonPeople.map((p) => p.id),
    };
  }

  const tagArb = fc.constantFrom(...CARE_TAG_CODES);
  const memberArb = fc
    .record({
      tags: fc.uniqueArray(tagArb, { maxLength: 3 }),
      status: fc.constantFrom('resident', 'resident', 'moved-out', 'deceased'),
      isDeleted: fc.boolean(),
    })
    .map(({ tags, status, isDeleted }) =>
      person('h1', tags, { status: status as CadencePerson['status'], isDeleted }),
    );
  const configArb: fc.Arbitrary<CadenceConfig> = fc.record({
    byTag: fc.dictionary(tagArb, fc.constantFrom(...CADENCE_CODES)) as fc.Arbitrary<CadenceConfig['byTag']>,
    everyoneElse: fc.constantFrom(...CADENCE_CODES),
  });

  it('lists the cadence codes so that a code sits at the index of its order (householdCadence relies on it)', () => {
    for (const code of CADENCE_CODES) expect(CADENCE_CODES.indexOf(code)).toBe(CADENCES[code].order);
  });

  it('gives the same cadence, reason tags and reason people for any household and config', () => {
    fc.assert(
      fc.property(fc.array(memberArb, { maxLength: 6 }), configArb, (members, config) => {
        expect(householdCadence(members, config)).toEqual(byTheRule(members, config));
      }),
      { numRuns: 500 },
    );
  });
});

describe('computeDueList', () => {
  const today = '2026-03-10';

  it("puts a daily household visited yesterday on today's list as due", () => {
    const item = dueOne([person('h1', ['elderly-alone'])], [visit('h1', '2026-03-09T10:00:00')], today);
    expect(item).toMatchObject({
      status: 'due',
      cadence: 'daily',
      lastVisitDay: '2026-03-09',
      nextDueDay: today,
      overdueDays: 0,
      isNeverVisited: false,
      reasonTags: ['elderly-alone'],
    });
  });

  it('marks a daily household last visited two days ago as overdue by 1', () => {
    const item = dueOne([person('h1', ['elderly-alone'])], [visit('h1', '2026-03-08T10:00:00')], today);
    expect(item).toMatchObject({ status: 'overdue', nextDueDay: '2026-03-09', overdueDays: 1 });
  });

  it('counts a visit at 00:00:00 Shanghai as done today, though UTC is still on yesterday', () => {
    const midnight = visit('h1', '2026-03-10T00:00:00');
    expect(new Date(midnight.visitedAt).toISOString()).toBe('2026-03-09T16:00:00.000Z');
    const item = dueOne([person('h1', ['elderly-alone'])], [midnight], today);
    expect(item).toMatchObject({ status: 'done', lastVisitDay: today, nextDueDay: '2026-03-11' });
  });

  it('counts a visit at 23:30 Shanghai (15:30 UTC) for that Shanghai day', () => {
    const lateVisit = visit('h1', '2026-03-09T23:30:00');
    expect(new Date(lateVisit.visitedAt).toISOString()).toBe('2026-03-09T15:30:00.000Z');
    expect(lateVisit.day).toBe('2026-03-09');
    const members = [person('h1', ['elderly-alone'])];
    expect(dueOne(members, [lateVisit], '2026-03-09').status).toBe('done');
    expect(dueOne(members, [lateVisit], '2026-03-10').status).toBe('due');
  });

  it('handles month ends: monthly from Jan 31 is due Feb 28 and overdue by 1 on Mar 1', () => {
    const members = [person('h1', ['low-income'])];
    const visits = [visit('h1', '2026-01-31T15:00:00')];
    expect(dueOne(members, visits, '2026-02-27')).toMatchObject({
      status: 'upcoming',
      nextDueDay: '2026-02-28',
    });
    expect(dueOne(members, visits, '2026-02-28')).toMatchObject({ status: 'due', nextDueDay: '2026-02-28' });
    expect(dueOne(members, visits, '2026-03-01')).toMatchObject({ status: 'overdue', overdueDays: 1 });
  });

  it('handles quarter ends: quarterly from Nov 30 is due Feb 28', () => {
    const members = [person('h1', [])];
    const visits = [visit('h1', '2025-11-30T09:00:00')];
    expect(dueOne(members, visits, '2026-02-27').status).toBe('upcoming');
    expect(dueOne(members, visits, '2026-02-28')).toMatchObject({ status: 'due', cadence: 'quarterly' });
    expect(dueOne(members, visits, '2026-03-02')).toMatchObject({ status: 'overdue', overdueDays: 2 });
  });

  it('follows a tag change: newly tagged elderly-alone is overdue, untagged again is upcoming', () => {
    const visits = [visit('h1', '2026-02-28T10:00:00')]; // 10 days before today, a routine quarterly visit
    const before = person('h1', []);
    expect(dueOne([before], visits, today).status).toBe('upcoming');

    const tagged = { ...before, tags: ['elderly-alone'] satisfies CareTag[] };
    expect(dueOne([tagged], visits, today)).toMatchObject({
      status: 'overdue',
      cadence: 'daily',
      nextDueDay: '2026-03-01',
      overdueDays: 9,
      reasonPersonIds: [before.id],
    });

    const untagged = { ...tagged, tags: [] };
    expect(dueOne([untagged], visits, today)).toMatchObject({
      status: 'upcoming',
      cadence: 'quarterly',
      nextDueDay: '2026-05-28',
    });
  });

  it('does not count nobody-home or refused, but shows the attempt', () => {
    const members = [person('h1', ['elderly-alone'])];
    const visits = [
      visit('h1', '2026-03-09T10:00:00'),
      visit('h1', '2026-03-10T09:00:00', 'refused'),
      visit('h1', '2026-03-10T10:00:00', 'nobody-home'),
    ];
    expect(dueOne(members, visits, today)).toMatchObject({
      status: 'due',
      lastVisitDay: '2026-03-09',
      attemptedToday: true,
      attemptOutcomeToday: 'nobody-home',
    });
    expect(dueOne(members, visits.slice(0, 1), today).attemptedToday).toBe(false);
  });

  it('counts every outcome marked countsAsVisit as done', () => {
    const members = [person('h1', ['elderly-alone'])];
    for (const [outcome, { countsAsVisit }] of Object.entries(VISIT_OUTCOMES) as [
      VisitOutcome,
      { countsAsVisit: boolean },
    ][]) {
      // Seen yesterday, so due today: an attempt leaves it due, a visit that counts makes it done.
      const visits = [visit('h1', '2026-03-09T10:00:00'), visit('h1', '2026-03-10T10:00:00', outcome)];
      expect(dueOne(members, visits, today).status, outcome).toBe(countsAsVisit ? 'done' : 'due');
    }
  });

  it('lists a daily household never visited as due on the day it entered the register, overdue after', () => {
    // The rule for the longer cadences, spread over their first period, is in visit-cadence-first-visits.
    const members = [person('h1', ['key-person'])];
    expect(dueOne(members, [], '2026-01-05')).toMatchObject({
      status: 'due',
      isNeverVisited: true,
      lastVisitDay: null,
      nextDueDay: '2026-01-05',
      overdueDays: 0,
    });
    expect(dueOne(members, [], today)).toMatchObject({
      status: 'overdue',
      isNeverVisited: true,
      nextDueDay: '2026-01-05',
      overdueDays: daysBetween('2026-01-05', today),
    });
  });

  it("ignores visits after today, deleted visits and other households' visits", () => {
    const members = [person('h1', ['elderly-alone'])];
    const tomorrow = visit('h1', '2026-03-11T10:00:00');
    const deleted = { ...visit('h1', '2026-03-10T10:00:00'), isDeleted: true };
    const neighbour = visit('h2', '2026-03-10T10:00:00');
    const item = dueOne(members, [visit('h1', '2026-03-07T10:00:00'), tomorrow, deleted, neighbour], today);
    expect(item).toMatchObject({ status: 'overdue', lastVisitDay: '2026-03-07', overdueDays: 2 });
  });

  it('skips households with no residents, deleted households and cadence none; keeps input order', () => {
    const config: CadenceConfig = { byTag: { 'elderly-alone': 'daily' }, everyoneElse: 'none' };
    const households = ['h3', 'h1', 'empty', 'moved', 'untagged', 'deleted', 'h2'].map((id) =>
      // h1, never visited, came into the register this morning: daily, so due today.
      id === 'h1' ? { ...household(id), updatedAt: atShanghai('2026-03-10T08:00:00') } : household(id),
    );
    const deletedHousehold = households[5];
    if (deletedHousehold !== undefined) deletedHousehold.isDeleted = true;
    const people = [
      person('h1', ['elderly-alone']),
      person('h2', ['elderly-alone']),
      person('h3', ['elderly-alone']),
      person('moved', ['elderly-alone'], { status: 'moved-out' }),
      person('untagged', ['unemployed']),
      person('deleted', ['elderly-alone']),
    ];
    const visits = [visit('h2', '2026-03-10T08:00:00'), visit('h3', '2026-03-08T08:00:00')];
    const list = computeDueList({ households, people, visits, config, today });
    expect(list.items.map((item) => [item.householdId, item.status])).toEqual([
      ['h3', 'overdue'],
      ['h1', 'due'],
      ['h2', 'done'],
    ]);
    expect(list.counts).toEqual({ overdue: 1, due: 1, done: 1, upcoming: 0 });
    expect(list.todayTotal).toBe(3);
    expect(list.skipped).toEqual({ noResidents: 2, cadenceNone: 1 });
  });

  it('refuses a today that is not a calendar day', () => {
    expect(() =>
      computeDueList({
        households: [],
        people: [],
        visits: [],
        config: DEFAULT_CADENCE_CONFIG,
        today: '10/03/2026',
      }),
    ).toThrow(RangeError);
  });
});

describe("tonight's catch-up list (白加黑)", () => {
  const today = '2026-03-10';
  const households = ['h1', 'h2', 'h3'].map(household);
  const catchUp = (visits: CadenceVisit[]) => tonightCatchUp({ households, visits, today });

  it('lists a household found nobody home on the day round', () => {
    const dayKnock = visit('h2', '2026-03-10T10:00:00', 'nobody-home');
    expect(dayKnock.shift).toBe('day');
    expect(catchUp([dayKnock])).toEqual(['h2']);
  });

  it('takes it off once the night round meets them', () => {
    const visits = [
      visit('h2', '2026-03-10T10:00:00', 'nobody-home'),
      visit('h2', '2026-03-10T19:30:00', 'met'),
    ];
    expect(catchUp(visits)).toEqual([]);
  });

  it('does not list a household found nobody home on the night round', () => {
    const nightKnock = visit('h1', '2026-03-10T20:00:00', 'nobody-home');
    expect(nightKnock.shift).toBe('night');
    expect(catchUp([nightKnock])).toEqual([]);
  });

  it("ignores yesterday's misses and households already met today, and keeps input order", () => {
    const visits = [
      visit('h3', '2026-03-10T11:00:00', 'nobody-home'),
      visit('h1', '2026-03-09T10:00:00', 'nobody-home'),
      visit('h2', '2026-03-10T08:00:00', 'met'),
      visit('h2', '2026-03-10T15:00:00', 'nobody-home'),
      visit('h1', '2026-03-10T09:00:00', 'nobody-home'),
    ];
    expect(catchUp(visits)).toEqual(['h1', 'h3']);
  });

  it("agrees with the due list's flag", () => {
    const visits = [visit('h1', '2026-03-10T09:00:00', 'nobody-home')];
    const people = households.map((h) => person(h.id, []));
    const list = computeDueList({ households, people, visits, config: DEFAULT_CADENCE_CONFIG, today });
    expect(list.items.filter((item) => item.isOnCatchUpTonight).map((item) => item.householdId)).toEqual([
      'h1',
    ]);
    // Never visited (quarterly): an attempt today does not make it done; it is due on its first due day.
    const h1 = itemFor(list, 'h1');
    expect(h1).toMatchObject({ attemptedToday: true, isNeverVisited: true });
    expect(h1.status).not.toBe('done');
    expect(h1.nextDueDay).toBe(firstDueDay(household('h1'), 'quarterly', today));
  });
});

describe('computeDueList at town scale', () => {
  /** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
  function randomFrom(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const HOUSEHOLDS = 3_600;
  const PEOPLE = 12_000;
  const VISITS = 150_000;
  const today = '2026-03-31';
  const random = randomFrom(20260331);
  const pick = <T>(options: readonly T[]): T => {
    const option = options[Math.floor(random() * options.length)];
    if (option === undefined) throw new Error('empty options');
    return option;
  };

  const households = Array.from({ length: HOUSEHOLDS }, (_, i) => household(`h${i}`));
  const people: CadencePerson[] = Array.from({ length: PEOPLE }, (_, i) => {
    const householdId = `h${i % HOUSEHOLDS}`;
    const roll = random();
    const tags: CareTag[] =
      roll < 0.04
        ? ['elderly-alone']
        : roll < 0.12
          ? [pick(['empty-nest', 'disabled', 'pregnant'] as const)]
          : roll < 0.3
            ? ['low-income']
            : [];
    return person(householdId, tags, { status: random() < 0.05 ? 'moved-out' : 'resident' });
  });
  // Visits over the year before today plus a few days after it (a clock set wrong), all outcomes.
  const firstDayStart = shanghaiDayStart('2025-03-31');
  const outcomes = Object.keys(VISIT_OUTCOMES) as VisitOutcome[];
  const visits: CadenceVisit[] = Array.from({ length: VISITS }, () => {
    const visitedAt = firstDayStart + Math.floor(random() * 370 * 86_400_000);
    const outcome = random() < 0.8 ? 'met' : pick(outcomes);
    return {
      householdId: `h${Math.floor(random() * HOUSEHOLDS)}`,
      visitedAt,
      day: shanghaiDay(visitedAt),
      shift: shiftAt(visitedAt),
      outcome,
      isDeleted: random() < 0.01,
    };
  });

  const list = computeDueList({ households, people, visits, config: DEFAULT_CADENCE_CONFIG, today });

  it('accounts for every household exactly once', () => {
    const { counts, skipped, items } = list;
    expect(counts.due + counts.overdue + counts.done + counts.upcoming).toBe(items.length);
    expect(items.length + skipped.noResidents + skipped.cadenceNone).toBe(HOUSEHOLDS);
    expect(new Set(items.map((item) => item.householdId)).size).toBe(items.length);
    expect(list.todayTotal).toBe(counts.due + counts.overdue + counts.done);
    for (const status of ['due', 'overdue', 'done', 'upcoming'] satisfies DueStatus[]) {
      expect(items.filter((item) => item.status === status).length, status).toBe(counts[status]);
    }
    expect(counts.done).toBeGreaterThan(0);
    expect(counts.overdue).toBeGreaterThan(0);
  });

  it('matches a slow, obvious computation on a sample of households', () => {
    for (const item of list.items.filter((_, index) => index % 60 === 0)) {
      const residents = people.filter((p) => p.householdId === item.householdId && p.status === 'resident');
      const orders = residents.flatMap((p) =>
        p.tags.map((tag) => CADENCES[DEFAULT_CADENCE_CONFIG.byTag[tag]].order),
      );
      const expectedCadence = CADENCE_CODES[Math.min(CADENCES.quarterly.order, ...orders)];
      const countedDays = visits
        .filter((v) => v.householdId === item.householdId && !v.isDeleted && v.day <= today)
        .filter((v) => VISIT_OUTCOMES[v.outcome].countsAsVisit)
        .map((v) => v.day)
        .sort();
      const lastVisitDay = countedDays.at(-1) ?? null;
      expect(item.cadence, item.householdId).toBe(expectedCadence);
      expect(item.lastVisitDay, item.householdId).toBe(lastVisitDay);
      let nextDueDay: string;
      if (lastVisitDay === null) {
        // Never visited: its first due day is one of the first period after the register came in.
        const entered = shanghaiDay(REGISTER_IMPORTED_AT);
        const since = daysBetween(entered, item.nextDueDay);
        expect(since).toBeGreaterThanOrEqual(0);
        expect(since).toBeLessThan(daysBetween(entered, addCadence(entered, item.cadence)));
        nextDueDay = item.nextDueDay;
      } else {
        nextDueDay = addCadence(lastVisitDay, item.cadence);
      }
      const expectedStatus =
        lastVisitDay === today
          ? 'done'
          : nextDueDay === today
            ? 'due'
            : nextDueDay < today
              ? 'overdue'
              : 'upcoming';
      expect(item.status, item.householdId).toBe(expectedStatus);
      expect(item.overdueDays).toBe(expectedStatus === 'overdue' ? daysBetween(nextDueDay, today) : 0);
    }
  });

  it('gives the same list from a summary of the earlier visits and only the visits of today', () => {
    const earlier = visits.filter((v) => v.day < today);
    const ofToday = visits.filter((v) => v.day === today);
    const fromSummary = computeDueList({
      households,
      people,
      visits: ofToday,
      lastCountedDays: lastCountedDays(earlier),
      config: DEFAULT_CADENCE_CONFIG,
      today,
    });
    expect(fromSummary).toEqual(list);
  });

  it('agrees with tonightCatchUp', () => {
    const fromList = list.items.filter((item) => item.isOnCatchUpTonight).map((item) => item.householdId);
    const scheduled = new Set(list.items.map((item) => item.householdId));
    const fromCatchUp = tonightCatchUp({ households, visits, today }).filter((id) => scheduled.has(id));
    expect(fromList).toEqual(fromCatchUp);
  });
});

describe('lastCountedDays (the summary the device keeps instead of re-reading a year of visits)', () => {
  const today = '2026-03-31';
  const days = ['2026-03-01', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-02'];
  const outcomes = Object.keys(VISIT_OUTCOMES) as VisitOutcome[];
  const visitArb: fc.Arbitrary<CadenceVisit> = fc
    .record({
      householdId: fc.constantFrom('h1', 'h2', 'h3'),
      day: fc.constantFrom(...days),
      hour: fc.integer({ min: 0, max: 23 }),
      outcome: fc.constantFrom(...outcomes),
      isDeleted: fc.boolean(),
    })
    .map(({ householdId, day, hour, outcome, isDeleted }) => {
      const visitedAt = shanghaiDayStart(day) + hour * 3_600_000;
      return { householdId, day, visitedAt, shift: shiftAt(visitedAt), outcome, isDeleted };
    });
  const households = ['h1', 'h2', 'h3'].map(household);
  const people = [person('h1', ['elderly-alone']), person('h2', ['disabled']), person('h3', [])];

  it('keeps the latest counted day per household, merging into what it already knew', () => {
    const summary = lastCountedDays([
      visit('h1', '2026-03-20T10:00:00'),
      visit('h1', '2026-03-25T10:00:00', 'nobody-home'),
      visit('h2', '2026-03-22T10:00:00', 'moved-away'),
      { ...visit('h2', '2026-03-28T10:00:00'), isDeleted: true },
    ]);
    expect([...summary]).toEqual([
      ['h1', '2026-03-20'],
      ['h2', '2026-03-22'],
    ]);
    lastCountedDays([visit('h1', '2026-03-10T10:00:00'), visit('h2', '2026-03-30T10:00:00')], summary);
    expect([...summary]).toEqual([
      ['h1', '2026-03-20'],
      ['h2', '2026-03-30'],
    ]);
  });

  it('ignores a summarized day after today, as it ignores such a visit', () => {
    const list = computeDueList({
      households: [household('h1')],
      people: [person('h1', ['elderly-alone'])],
      visits: [],
      lastCountedDays: new Map([['h1', '2026-04-02']]),
      config: DEFAULT_CADENCE_CONFIG,
      today,
    });
    expect(list.items[0]).toMatchObject({ lastVisitDay: null, isNeverVisited: true });
  });

  it('gives the same due list as the whole history, however the days before today are split', () => {
    fc.assert(
      fc.property(
        fc.array(visitArb, { maxLength: 30 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (all, split) => {
          const whole = computeDueList({
            households,
            people,
            visits: all,
            config: DEFAULT_CADENCE_CONFIG,
            today,
          });
          // Today's and later visits are always passed; each earlier visit goes to the summary or not.
          const summarized = all.filter((v, i) => v.day < today && split[i] === true);
          const passed = all.filter((v) => !summarized.includes(v));
          const fromSummary = computeDueList({
            households,
            people,
            visits: passed,
            lastCountedDays: lastCountedDays(summarized),
            config: DEFAULT_CADENCE_CONFIG,
            today,
          });
          expect(fromSummary).toEqual(whole);
        },
      ),
    );
  });
});
