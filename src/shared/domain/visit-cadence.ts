/** The due list: which households to visit today and tonight, from their cadence and past visits. */
import {
  householdCadence,
  type CadenceConfig,
  type CadenceHousehold,
  type CadencePerson,
  type CadenceVisit,
  type DueHousehold,
  type HouseholdCadence,
  type ScheduledCadence,
  isResident,
} from './cadence-config.ts';
import { VISIT_OUTCOMES, type VisitOutcome } from '../schemas/visit.ts';
import { addCadence, daysBetween, isCalendarDay } from '../time.ts';
import { firstDueDays } from './first-due-day.ts';

export * from './cadence-config.ts';
export * from './first-due-day.ts';

export const DUE_STATUSES = {
  overdue: { zh: '已逾期', en: 'Overdue' },
  due: { zh: '今日应访', en: 'Due today' },
  done: { zh: '今日已访', en: 'Done today' },
  upcoming: { zh: '未到期', en: 'Upcoming' },
} as const;
export type DueStatus = keyof typeof DUE_STATUSES;

/** Outcomes that leave the household still to visit: the worker knocked but did not reach anyone. */
export type AttemptOutcome = {
  [K in VisitOutcome]: (typeof VISIT_OUTCOMES)[K]['countsAsVisit'] extends false ? K : never;
}[VisitOutcome];

export interface DueItem extends HouseholdCadence {
  householdId: string;
  cadence: ScheduledCadence;
  status: DueStatus;
  /** Last visit that counts (VISIT_OUTCOMES.countsAsVisit) on or before today; null if never. */
  lastVisitDay: string | null;
  /**
   * `lastVisitDay` plus the cadence. For a household never visited, its first due day: a day of its
   * cadence's first period after it entered the register (first-due-day.ts), so a new register's
   * households do not all fall due on the day it came in.
   */
  nextDueDay: string;
  /** Days past `nextDueDay`; 0 unless overdue (a household never visited too, once its day has passed). */
  overdueDays: number;
  /** No visit that counts yet: `nextDueDay` is its first due day. */
  isNeverVisited: boolean;
  /** Someone knocked today without reaching anyone (nobody home, refused). */
  attemptedToday: boolean;
  /** The latest such outcome today, for the badge; null if none. */
  attemptOutcomeToday: AttemptOutcome | null;
  /** 白加黑: on tonight's catch-up list (see tonightCatchUp). */
  isOnCatchUpTonight: boolean;
}

export interface DueList {
  today: string;
  /** Scheduled households in the order given (the caller's walking order). */
  items: DueItem[];
  counts: Record<DueStatus, number>;
  /** due + overdue + done: the "18 / 31 today" denominator. */
  todayTotal: number;
  /** Households left off the list, so "why isn't this one here?" has an answer. */
  skipped: { noResidents: number; cadenceNone: number };
}

export interface DueListInput {
  households: readonly DueHousehold[];
  people: readonly CadencePerson[];
  /** Visits to follow: the whole history, or (with `lastCountedDays`) at least all of today's. */
  visits: readonly CadenceVisit[];
  /**
   * The last counted visit day per household over visits not passed in `visits` (a summary the
   * device keeps as it stores visits: see lastCountedDays below). It spares reading a year of visits
   * to open the Today screen. Days after `today` are ignored, as such visits would be.
   */
  lastCountedDays?: ReadonlyMap<string, string>;
  config: CadenceConfig;
  /** Asia/Shanghai calendar day, YYYY-MM-DD. */
  today: string;
}

/**
 * The last day each household had a visit that counts (VISIT_OUTCOMES.countsAsVisit), merged into
 * `into` (which may hold earlier summaries): what computeDueList needs of any visit before today.
 */
export function lastCountedDays(
  visits: readonly CadenceVisit[],
  into: Map<string, string> = new Map(),
): Map<string, string> {
  for (const visit of visits) {
    if (visit.isDeleted || !countsAsVisit(visit.outcome)) continue;
    const known = into.get(visit.householdId);
    if (known === undefined || visit.day > known) into.set(visit.householdId, visit.day);
  }
  return into;
}

function assertCalendarDay(day: string): void {
  if (!isCalendarDay(day)) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${day}`);
}

function countsAsVisit(outcome: VisitOutcome): boolean {
  return VISIT_OUTCOMES[outcome].countsAsVisit;
}

function isAttemptOutcome(outcome: VisitOutcome): outcome is AttemptOutcome {
  return !VISIT_OUTCOMES[outcome].countsAsVisit;
}

/** What one pass over the visits learns about a household. */
interface VisitTrail {
  /** YYYY-MM-DD strings sort as dates, so the pass compares them without a date library. */
  lastCountedDay: string | null;
  latestTodayAt: number;
  latestToday: Pick<CadenceVisit, 'shift' | 'outcome'> | null;
  latestAttemptTodayAt: number;
  latestAttemptToday: AttemptOutcome | null;
}

/** The trail of a household no visit passed in names. */
const NO_VISITS: Readonly<VisitTrail> = Object.freeze(emptyTrail());

function emptyTrail(): VisitTrail {
  return {
    lastCountedDay: null,
    latestTodayAt: -Infinity,
    latestToday: null,
    latestAttemptTodayAt: -Infinity,
    latestAttemptToday: null,
  };
}

/**
 * One pass over the visits, keeping only what the households in `trails` need: O(visits), no date
 * maths. With `todayOnly`, earlier days are skipped, so `lastCountedDay` is only ever today or null.
 */
function followVisits(
  trails: Map<string, VisitTrail>,
  followed: ReadonlySet<string>,
  visits: readonly CadenceVisit[],
  today: string,
  { todayOnly }: { todayOnly: boolean },
): void {
  for (const visit of visits) {
    if (visit.isDeleted || (todayOnly ? visit.day !== today : visit.day > today)) continue;
    // A trail is made only for a household some visit names: with visit summaries, that is the
    // few hundred visited today, not every household of the grid.
    let trail = trails.get(visit.householdId);
    if (trail === undefined) {
      if (!followed.has(visit.householdId)) continue;
      trail = emptyTrail();
      trails.set(visit.householdId, trail);
    }
    const counts = countsAsVisit(visit.outcome);
    if (counts && (trail.lastCountedDay === null || visit.day > trail.lastCountedDay)) {
      trail.lastCountedDay = visit.day;
    }
    if (visit.day !== today) continue;
    // Ties go to the later record: visits arrive in the order they were saved.
    if (visit.visitedAt >= trail.latestTodayAt) {
      trail.latestTodayAt = visit.visitedAt;
      trail.latestToday = visit;
    }
    if (isAttemptOutcome(visit.outcome) && visit.visitedAt >= trail.latestAttemptTodayAt) {
      trail.latestAttemptTodayAt = visit.visitedAt;
      trail.latestAttemptToday = visit.outcome;
    }
  }
}

/**
 * 白加黑: the day round found nobody home and nobody has been reached since. A later refusal or a
 * night attempt takes the household off: it has had its evening knock, or does not want one.
 */
function needsCatchUpTonight(trail: VisitTrail, today: string): boolean {
  return (
    trail.lastCountedDay !== today &&
    trail.latestToday !== null &&
    trail.latestToday.outcome === 'nobody-home' &&
    trail.latestToday.shift === 'day'
  );
}

/**
 * Who is due, overdue, done and upcoming in a grid on `today` (Asia/Shanghai), from the visit history.
 * The unit is the household: a worker knocks on a door, not on a person.
 */
export function computeDueList({
  households,
  people,
  visits,
  lastCountedDays: summaries,
  config,
  today,
}: DueListInput): DueList {
  assertCalendarDay(today);

  const membersByHousehold = new Map<string, CadencePerson[]>();
  for (const household of households) {
    if (!household.isDeleted) membersByHousehold.set(household.id, []);
  }
  for (const person of people) {
    if (isResident(person)) membersByHousehold.get(person.householdId)?.push(person);
  }

  const skipped = { noResidents: 0, cadenceNone: 0 };
  const scheduled: {
    household: DueHousehold;
    cadence: HouseholdCadence & { cadence: ScheduledCadence };
  }[] = [];
  const scheduledIds = new Set<string>();
  for (const household of households) {
    const members = membersByHousehold.get(household.id);
    if (members === undefined) continue; // deleted
    if (members.length === 0) {
      skipped.noResidents += 1;
      continue;
    }
    const resolved = householdCadence(members, config);
    if (resolved.cadence === 'none') {
      skipped.cadenceNone += 1;
      continue;
    }
    const cadence = resolved as HouseholdCadence & { cadence: ScheduledCadence };
    scheduled.push({ household, cadence });
    scheduledIds.add(household.id);
  }

  const trails = new Map<string, VisitTrail>();
  followVisits(trails, scheduledIds, visits, today, { todayOnly: false });

  // Many households share a last-visit day and a due day: date maths once per distinct value.
  const nextDueMemo = new Map<string, string>();
  const nextDue = (day: string, cadence: ScheduledCadence): string => {
    const key = `${cadence}|${day}`;
    let next = nextDueMemo.get(key);
    if (next === undefined) {
      next = addCadence(day, cadence);
      nextDueMemo.set(key, next);
    }
    return next;
  };
  const firstDue = firstDueDays(today);
  const overdueMemo = new Map<string, number>();
  const overdueDaysSince = (dueDay: string): number => {
    let days = overdueMemo.get(dueDay);
    if (days === undefined) {
      days = daysBetween(dueDay, today);
      overdueMemo.set(dueDay, days);
    }
    return days;
  };

  const counts: Record<DueStatus, number> = { overdue: 0, due: 0, done: 0, upcoming: 0 };
  const items: DueItem[] = [];
  for (const { household, cadence } of scheduled) {
    const householdId = household.id;
    const trail = trails.get(householdId) ?? NO_VISITS;
    const summarized = summaries?.get(householdId);
    const followedDay = trail.lastCountedDay;
    const lastVisitDay =
      summarized === undefined || summarized > today
        ? followedDay
        : followedDay === null || summarized > followedDay
          ? summarized
          : followedDay;
    const nextDueDay =
      lastVisitDay === null ? firstDue(household, cadence.cadence) : nextDue(lastVisitDay, cadence.cadence);
    const status: DueStatus =
      lastVisitDay === today
        ? 'done'
        : nextDueDay === today
          ? 'due'
          : nextDueDay < today
            ? 'overdue'
            : 'upcoming';
    counts[status] += 1;
    items.push({
      householdId,
      cadence: cadence.cadence,
      reasonTags: cadence.reasonTags,
      reasonPersonIds: cadence.reasonPersonIds,
      status,
      lastVisitDay,
      nextDueDay,
      overdueDays: status === 'overdue' ? overdueDaysSince(nextDueDay) : 0,
      isNeverVisited: lastVisitDay === null,
      attemptedToday: trail.latestAttemptToday !== null,
      attemptOutcomeToday: trail.latestAttemptToday,
      isOnCatchUpTonight: needsCatchUpTonight(trail, today),
    });
  }

  return { today, items, counts, todayTotal: counts.due + counts.overdue + counts.done, skipped };
}

export interface CatchUpInput {
  households: readonly CadenceHousehold[];
  visits: readonly CadenceVisit[];
  /** Asia/Shanghai calendar day, YYYY-MM-DD. */
  today: string;
}

/**
 * 白加黑: households whose latest visit today was "nobody home" on the day round and that nobody has
 * reached since, in the order given. Any household counts, whatever its cadence: someone knocked.
 */
export function tonightCatchUp({ households, visits, today }: CatchUpInput): string[] {
  assertCalendarDay(today);
  const live = new Set(households.filter((household) => !household.isDeleted).map((h) => h.id));
  const trails = new Map<string, VisitTrail>();
  // Only today's visits decide tonight's list.
  followVisits(trails, live, visits, today, { todayOnly: true });
  return households
    .filter((household) => {
      const trail = trails.get(household.id);
      return trail !== undefined && needsCatchUpTonight(trail, today);
    })
    .map((household) => household.id);
}
