/**
 * A past for the demo town's grid workers: visits that followed each household's cadence up to
 * yesterday, so a fresh demo opens on a day's work (the 日必访 households, those whose week, month or
 * quarter is up, a few overdue) instead of every household "never visited" and due at once.
 * Pure and seeded: the same households, seed and `now` give the same visits. `now` comes from the
 * caller (the server's seed, the phone's demo loader); nothing here reads the clock.
 */
import type { CareTag } from '../schemas/care-tags.ts';
import type { Household } from '../schemas/household.ts';
import type { Person } from '../schemas/person.ts';
import {
  VISIT_OUTCOMES,
  type FiveSees,
  type Shift,
  type Visit,
  type VisitOutcome,
} from '../schemas/visit.ts';
import { addCadence, addCalendarDays, daysBetween, shanghaiDay, shanghaiDayStart } from '../time.ts';
import {
  DEFAULT_CADENCE_CONFIG,
  householdCadence,
  isResident,
  type CadenceConfig,
  type CadencePerson,
  type ScheduledCadence,
} from './cadence-config.ts';
import { RandomStream } from './demo-random.ts';
import { deterministicId } from './ids.ts';

export interface DemoVisitOptions {
  households: readonly Pick<Household, 'id' | 'gridId' | 'isDeleted'>[];
  people: readonly (CadencePerson & Pick<Person, 'relation'>)[];
  /** Epoch ms: the history ends on the Asia/Shanghai day before this instant's day. */
  now: number;
  seed?: number;
  config?: CadenceConfig;
  /**
   * Days before today whose visits are all kept. Before them each household keeps only its last
   * visit that counts: the due list needs no more, and a year of daily visits would be most of it.
   */
  fullDays?: number;
  /** Share of each grid's scheduled households (at least one) whose last visit was missed: overdue. */
  overdueShare?: number;
  /** Share of visits whose first knock found nobody home (caught up that evening or the next day). */
  nobodyHomeShare?: number;
}

export const DEMO_VISIT_DEFAULTS = {
  seed: 20261201,
  fullDays: 1,
  overdueShare: 0.03,
  nobodyHomeShare: 0.06,
} as const satisfies Required<Omit<DemoVisitOptions, 'households' | 'people' | 'now' | 'config'>>;

export interface DemoVisits {
  /** Oldest first within each household, households in the order given. */
  visits: Visit[];
  /** Households left overdue on purpose (their last visit was missed), in the order given. */
  overdueHouseholdIds: string[];
}

/** Days a cadence spans, to spread the first visits over one period. */
const PERIOD_DAYS = { daily: 1, weekly: 7, monthly: 31, quarterly: 92 } as const satisfies Record<
  ScheduledCadence,
  number
>;
/** Households whose visit may find the person in hospital (住院). */
const FRAIL_TAGS: ReadonlySet<CareTag> = new Set([
  'elderly-alone',
  'empty-nest',
  'chronic-illness',
  'disabled',
]);
/** What a worker jots under 见人 on some visits. */
const MET_NOTES = [
  '精神状态良好',
  '身体健康，生活能自理',
  '血压平稳，按时服药',
  '家中整洁，无安全隐患',
  '近期无特殊困难',
  '子女常来看望',
];
/** Minutes after midnight, town time: the day round, and the evening catch-up of 白加黑. */
const DAY_ROUND = [8 * 60 + 30, 17 * 60] as const;
const EVENING_ROUND = [18 * 60 + 30, 20 * 60 + 30] as const;

/** One knock on the door: `ago` days before today, at a minute of that day. */
interface Knock {
  ago: number;
  minute: number;
  shift: Shift;
  outcome: VisitOutcome;
}
/** A visit as planned on its due day: the knocks it took (a nobody-home first, then the one that counts). */
type Round = Knock[];

interface Scheduled {
  index: number;
  household: DemoVisitOptions['households'][number];
  cadence: ScheduledCadence;
  personIds: string[];
  isFrail: boolean;
  /** Drawn once per household: the lowest draws of each grid miss their last visit. */
  missDraw: number;
  isMissed: boolean;
}

/** Days counted back from today (1 = yesterday), with the date work done once per day. */
class DaysBack {
  readonly #today: string;
  readonly #days: string[] = [];
  readonly #starts: number[] = [];
  readonly #dues = new Map<string, number>();

  constructor(today: string) {
    this.#today = today;
  }

  day(ago: number): string {
    return (this.#days[ago] ??= addCalendarDays(this.#today, -ago));
  }

  /** Epoch ms of 00:00 town time on that day. */
  start(ago: number): number {
    return (this.#starts[ago] ??= shanghaiDayStart(this.day(ago)));
  }

  /** The due day after a visit `ago` days back, also in days back (0 is today, negative later). */
  nextDue(ago: number, cadence: ScheduledCadence): number {
    if (cadence === 'daily') return ago - 1;
    if (cadence === 'weekly') return ago - 7;
    const key = `${cadence}|${ago}`;
    let due = this.#dues.get(key);
    if (due === undefined) {
      due = -daysBetween(this.#today, addCadence(this.day(ago), cadence));
      this.#dues.set(key, due);
    }
    return due;
  }
}

/** Each household's own stream, so one household's history does not move when another's changes. */
function householdStream(seed: number, index: number, stream: 0 | 1): RandomStream {
  return new RandomStream((seed ^ Math.imul(index * 2 + stream + 1, 0x9e3779b9)) >>> 0);
}

function minuteIn(rng: RandomStream, [from, to]: readonly [number, number]): number {
  return rng.int(from, to);
}

function countedOutcome(entry: Scheduled, rng: RandomStream): VisitOutcome {
  return entry.isFrail && rng.chance(0.02) ? 'in-hospital' : 'met';
}

/** Who is scheduled, and who misses their last visit. */
function scheduleHouseholds(options: DemoVisitOptions, seed: number, config: CadenceConfig): Scheduled[] {
  const overdueShare = options.overdueShare ?? DEMO_VISIT_DEFAULTS.overdueShare;
  const residents = new Map<string, DemoVisitOptions['people'][number][]>();
  for (const person of options.people) {
    if (!isResident(person)) continue;
    const list = residents.get(person.householdId);
    if (list) list.push(person);
    else residents.set(person.householdId, [person]);
  }
  const scheduled: Scheduled[] = [];
  options.households.forEach((household, index) => {
    const members = household.isDeleted ? undefined : residents.get(household.id);
    if (!members) return;
    const resolved = householdCadence(members, config);
    if (resolved.cadence === 'none') return;
    const head = members.find((member) => member.relation === 'head') ?? members[0]!;
    const missDraw = householdStream(seed, index, 0).float();
    scheduled.push({
      index,
      household,
      cadence: resolved.cadence,
      personIds: resolved.reasonPersonIds.length > 0 ? resolved.reasonPersonIds : [head.id],
      isFrail: resolved.reasonTags.some((tag) => FRAIL_TAGS.has(tag)),
      missDraw,
      isMissed: false,
    });
  });
  // Each grid has its share overdue, and at least one: every grid shows what an overdue household
  // looks like, even the few-household grids of a small test town, and none gets an unlucky heap.
  const byGrid = new Map<string, Scheduled[]>();
  for (const entry of scheduled) {
    const list = byGrid.get(entry.household.gridId);
    if (list) list.push(entry);
    else byGrid.set(entry.household.gridId, [entry]);
  }
  for (const entries of byGrid.values()) {
    const missed = overdueShare > 0 ? Math.max(1, Math.round(entries.length * overdueShare)) : 0;
    entries.sort((a, b) => a.missDraw - b.missDraw);
    for (const entry of entries.slice(0, missed)) entry.isMissed = true;
  }
  return scheduled;
}

/**
 * The household's visits, oldest first, on the days they fell due, up to yesterday. Started two
 * periods before the kept days at a random point of a period: what came before would only repeat the
 * cadence and be dropped (the chain remembers nothing but its last visit).
 */
function visitRounds(
  entry: Scheduled,
  rng: RandomStream,
  days: DaysBack,
  fullDays: number,
  nobodyHomeShare: number,
): { rounds: Round[]; isOverdue: boolean } {
  const { cadence } = entry;
  const period = PERIOD_DAYS[cadence];
  const rounds: Round[] = [];
  let ago = fullDays + 2 * period + rng.int(0, period - 1);
  while (ago >= 1) {
    let countedAgo = ago;
    let round: Round;
    if (rng.chance(nobodyHomeShare)) {
      const first: Knock = {
        ago,
        minute: minuteIn(rng, [DAY_ROUND[0], DAY_ROUND[1] - 60]),
        shift: 'day',
        outcome: 'nobody-home',
      };
      // 白加黑: back the same evening, or the next day (never today: today is the worker's to do).
      if (ago === 1 || cadence === 'daily' || rng.chance(0.5)) {
        round = [
          first,
          { ago, minute: minuteIn(rng, EVENING_ROUND), shift: 'night', outcome: countedOutcome(entry, rng) },
        ];
      } else {
        countedAgo = ago - 1;
        const minute = minuteIn(rng, DAY_ROUND);
        round = [first, { ago: countedAgo, minute, shift: 'day', outcome: countedOutcome(entry, rng) }];
      }
    } else {
      round = [{ ago, minute: minuteIn(rng, DAY_ROUND), shift: 'day', outcome: countedOutcome(entry, rng) }];
    }
    rounds.push(round);
    // The worker follows the due list: the next visit is on the day it falls due.
    ago = days.nextDue(countedAgo, cadence);
  }
  const isOverdue = entry.isMissed && rounds.length >= 2;
  if (isOverdue) {
    // The last visit never happened: the household has been due since that day. Half the time a
    // knock found nobody home (or was turned away) and nobody came back.
    const missed = rounds.pop()!;
    if (rng.chance(0.5)) {
      const outcome = rng.chance(0.2) ? 'refused' : 'nobody-home';
      rounds.push([{ ago: missed[0]!.ago, minute: minuteIn(rng, DAY_ROUND), shift: 'day', outcome }]);
    }
  }
  return { rounds, isOverdue };
}

/**
 * What is kept of a household's knocks: every one of the last `fullDays` days, the last that counted
 * before them, and any unanswered knock since the last that counted (the due list and the household's
 * page need no more).
 */
function keptKnocks(rounds: readonly Round[], fullDays: number): Knock[] {
  const knocks = rounds.flat();
  let lastCounted = -1;
  let lastCountedBefore = -1;
  knocks.forEach((knock, i) => {
    if (!VISIT_OUTCOMES[knock.outcome].countsAsVisit) return;
    lastCounted = i;
    if (knock.ago > fullDays) lastCountedBefore = i;
  });
  return knocks.filter((knock, i) => knock.ago <= fullDays || i >= lastCounted || i === lastCountedBefore);
}

export function generateDemoVisits(options: DemoVisitOptions): DemoVisits {
  const seed = options.seed ?? DEMO_VISIT_DEFAULTS.seed;
  const config = options.config ?? DEFAULT_CADENCE_CONFIG;
  const fullDays = options.fullDays ?? DEMO_VISIT_DEFAULTS.fullDays;
  const nobodyHomeShare = options.nobodyHomeShare ?? DEMO_VISIT_DEFAULTS.nobodyHomeShare;
  if (!Number.isSafeInteger(fullDays) || fullDays < 1) throw new RangeError('fullDays must be at least 1');
  const days = new DaysBack(shanghaiDay(options.now));

  const visits: Visit[] = [];
  const overdueHouseholdIds: string[] = [];
  const idBytes = new Uint8Array(16);
  const idView = new DataView(idBytes.buffer);
  for (const entry of scheduleHouseholds(options, seed, config)) {
    const { household } = entry;
    const rng = householdStream(seed, entry.index, 1);
    const { rounds, isOverdue } = visitRounds(entry, rng, days, fullDays, nobodyHomeShare);
    if (isOverdue) overdueHouseholdIds.push(household.id);
    for (const knock of keptKnocks(rounds, fullDays)) {
      const visitedAt = days.start(knock.ago) + knock.minute * 60_000;
      for (let i = 0; i < 16; i += 4) idView.setUint32(i, rng.uint32());
      const fiveSees: FiveSees =
        knock.outcome === 'met' && rng.chance(0.3) ? { person: rng.pick(MET_NOTES) } : {};
      visits.push({
        id: deterministicId(visitedAt, idBytes),
        updatedAt: visitedAt,
        isDeleted: false,
        householdId: household.id,
        gridId: household.gridId,
        personIds: [...entry.personIds],
        visitedAt,
        day: days.day(knock.ago),
        shift: knock.shift,
        outcome: knock.outcome,
        fiveSees,
        needIds: [],
        photoIds: [],
      });
    }
  }
  return { visits, overdueHouseholdIds };
}
