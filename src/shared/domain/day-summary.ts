import { CHECK_RESULTS, type ChecklistRun, type CheckResult, type Hazard } from '../schemas/checklist.ts';
import { isHazardResult, isReminderNotDone } from './checklist-answers.ts';
import type { Need, NeedStatus } from '../schemas/need.ts';
import { SHIFTS, VISIT_OUTCOMES, type Shift, type Visit, type VisitOutcome } from '../schemas/visit.ts';
import { addCalendarDays, shanghaiDayStart } from '../time.ts';

/** The fields the summary reads; callers can pass Dexie rows as they are. */
export type SummaryVisit = Pick<Visit, 'gridId' | 'householdId' | 'day' | 'outcome' | 'isDeleted'>;
export type SummaryRun = Pick<ChecklistRun, 'gridId' | 'day' | 'shift' | 'isDeleted'> & {
  results: readonly { result: CheckResult }[];
};
export type SummaryHazard = Pick<Hazard, 'gridId' | 'reportedAt' | 'isDeleted'>;
export type SummaryNeed = Pick<Need, 'gridId' | 'createdAt' | 'isDeleted'> & {
  history: readonly { at: number; status: NeedStatus }[];
};

export interface DaySummaryInput {
  /** Asia/Shanghai calendar day, YYYY-MM-DD. */
  day: string;
  /** Only this grid's records; all records when left out. */
  gridId?: string | undefined;
  visits: readonly SummaryVisit[];
  runs: readonly SummaryRun[];
  hazards: readonly SummaryHazard[];
  needs: readonly SummaryNeed[];
}

/**
 * The day's visit figures, each defined here once for 我的一天, the daily export and any later report:
 * - 上门 (`visitCount`): every visit recorded that day, whatever came of it;
 * - 已访 (`countedVisitCount`): the visits whose outcome counts as a visit (VISIT_OUTCOMES.countsAsVisit),
 *   the same rule that marks a household 今日已访 on the due list;
 * - 未遇 (`missedVisitCount`): the rest — someone knocked and reached no one (nobody home, refused).
 * So 上门 = 已访 + 未遇, and each is the sum of its outcomes (REACHED_OUTCOMES, MISSED_OUTCOMES).
 */
export const VISIT_FIGURES = {
  attempts: { zh: '上门', en: 'Calls' },
  reached: { zh: '已访', en: 'Visited' },
  missed: { zh: '未遇', en: 'Not reached' },
} as const;
export type VisitFigure = keyof typeof VISIT_FIGURES;

const ALL_OUTCOMES = Object.keys(VISIT_OUTCOMES) as VisitOutcome[];
/** The outcomes 已访 is made of, in VISIT_OUTCOMES order. */
export const REACHED_OUTCOMES: readonly VisitOutcome[] = ALL_OUTCOMES.filter(
  (outcome) => VISIT_OUTCOMES[outcome].countsAsVisit,
);
/** The outcomes 未遇 is made of, in VISIT_OUTCOMES order. */
export const MISSED_OUTCOMES: readonly VisitOutcome[] = ALL_OUTCOMES.filter(
  (outcome) => !VISIT_OUTCOMES[outcome].countsAsVisit,
);

/** "My day": what a worker did on one day. */
export interface DaySummary {
  day: string;
  /** Every outcome is a key, so the screen can list them all in a fixed order. */
  visitsByOutcome: Record<VisitOutcome, number>;
  /** 上门: every visit (see VISIT_FIGURES). */
  visitCount: number;
  /** 已访: visits whose outcome counts (VISIT_OUTCOMES.countsAsVisit). */
  countedVisitCount: number;
  /** 未遇: visits that reached no one; visitCount = countedVisitCount + missedVisitCount. */
  missedVisitCount: number;
  /** Distinct households knocked on, whatever the outcome. */
  householdsVisited: number;
  /** Distinct households with a visit that counts. */
  householdsReached: number;
  checklistRunCount: number;
  checklistRunsByShift: Record<Shift, number>;
  /** Every answer given in the day's runs, by answer: the items answered are the sum of these. */
  itemsByResult: Record<CheckResult, number>;
  /** 异常: failed checks (each saved as a hazard, checklist-answers.ts). */
  failedItemCount: number;
  /** 提醒未完成: reminders the worker still owes — no hazard, the worker's own to finish. */
  remindersNotDone: number;
  /** Hazards reported that day (Asia/Shanghai). */
  hazardCount: number;
  /** Needs recorded that day. */
  needsFound: number;
  /** Needs with a "met" status change that day (counted once each). */
  needsMet: number;
}

/** A zero for every key of a code table, so a new outcome or shift shows up without touching this file. */
function zeroByKey<K extends string>(table: Record<K, unknown>): Record<K, number> {
  // Object.fromEntries loses the key type; the keys are exactly the table's.
  return Object.fromEntries(Object.keys(table).map((key) => [key, 0])) as Record<K, number>;
}

export function summarizeDay({ day, gridId, visits, runs, hazards, needs }: DaySummaryInput): DaySummary {
  // Compare instants to the day's bounds rather than formatting each one into a day string.
  const dayStart = shanghaiDayStart(day);
  const nextDayStart = shanghaiDayStart(addCalendarDays(day, 1));
  const isOnDay = (epochMs: number) => epochMs >= dayStart && epochMs < nextDayStart;
  const isInScope = (record: { gridId: string; isDeleted: boolean }) =>
    !record.isDeleted && (gridId === undefined || record.gridId === gridId);

  const visitsByOutcome = zeroByKey(VISIT_OUTCOMES);
  const householdsVisited = new Set<string>();
  const householdsReached = new Set<string>();
  for (const visit of visits) {
    if (visit.day !== day || !isInScope(visit)) continue;
    visitsByOutcome[visit.outcome] += 1;
    householdsVisited.add(visit.householdId);
    if (VISIT_OUTCOMES[visit.outcome].countsAsVisit) householdsReached.add(visit.householdId);
  }
  // The figures are sums of the outcome counts, so they cannot drift from the breakdown shown with them.
  const sumOf = (outcomes: readonly VisitOutcome[]) =>
    outcomes.reduce((sum, outcome) => sum + visitsByOutcome[outcome], 0);
  const countedVisitCount = sumOf(REACHED_OUTCOMES);
  const missedVisitCount = sumOf(MISSED_OUTCOMES);

  const checklistRunsByShift = zeroByKey(SHIFTS);
  const itemsByResult = zeroByKey(CHECK_RESULTS);
  let checklistRunCount = 0;
  let failedItemCount = 0;
  let remindersNotDone = 0;
  for (const run of runs) {
    if (run.day !== day || !isInScope(run)) continue;
    checklistRunCount += 1;
    checklistRunsByShift[run.shift] += 1;
    for (const { result } of run.results) {
      itemsByResult[result] += 1;
      if (isHazardResult(result)) failedItemCount += 1;
      if (isReminderNotDone(result)) remindersNotDone += 1;
    }
  }

  const hazardCount = hazards.filter((hazard) => isInScope(hazard) && isOnDay(hazard.reportedAt)).length;

  let needsFound = 0;
  let needsMet = 0;
  for (const need of needs) {
    if (!isInScope(need)) continue;
    if (isOnDay(need.createdAt)) needsFound += 1;
    // Met that day and still met at its end: a 已解决 taken back (撤销) the same day is not a need met.
    const lastOfDay = need.history.filter((entry) => isOnDay(entry.at)).at(-1);
    if (lastOfDay?.status === 'met') needsMet += 1;
  }

  return {
    day,
    visitsByOutcome,
    visitCount: countedVisitCount + missedVisitCount,
    countedVisitCount,
    missedVisitCount,
    householdsVisited: householdsVisited.size,
    householdsReached: householdsReached.size,
    checklistRunCount,
    checklistRunsByShift,
    itemsByResult,
    failedItemCount,
    remindersNotDone,
    hazardCount,
    needsFound,
    needsMet,
  };
}

/** 已访 or 未遇 with the outcomes it is made of: what a screen or an export lists under it. */
export interface VisitFigureBreakdown {
  figure: Exclude<VisitFigure, 'attempts'>;
  count: number;
  outcomes: { outcome: VisitOutcome; count: number }[];
}

/** 已访 then 未遇, each with its outcomes in VISIT_OUTCOMES order; together they are 上门. */
export function visitBreakdown(summary: Pick<DaySummary, 'visitsByOutcome'>): VisitFigureBreakdown[] {
  const group = (figure: VisitFigureBreakdown['figure'], outcomes: readonly VisitOutcome[]) => {
    const parts = outcomes.map((outcome) => ({ outcome, count: summary.visitsByOutcome[outcome] }));
    return { figure, count: parts.reduce((sum, part) => sum + part.count, 0), outcomes: parts };
  };
  return [group('reached', REACHED_OUTCOMES), group('missed', MISSED_OUTCOMES)];
}
