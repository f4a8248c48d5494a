import { describe, expect, it } from 'vitest';
import {
  MISSED_OUTCOMES,
  REACHED_OUTCOMES,
  summarizeDay,
  visitBreakdown,
  type DaySummaryInput,
  type SummaryHazard,
  type SummaryNeed,
  type SummaryRun,
  type SummaryVisit,
} from '../../src/shared/domain/day-summary.ts';
import type { CheckResult } from '../../src/shared/schemas/checklist.ts';
import type { NeedStatus } from '../../src/shared/schemas/need.ts';
import { VISIT_OUTCOMES, type Shift, type VisitOutcome } from '../../src/shared/schemas/visit.ts';

const DAY = '2026-03-10';
const GRID = 'grid-a';
const OTHER_GRID = 'grid-b';

/** An instant given as Shanghai wall-clock time, e.g. '2026-03-10T23:30:00'. */
function atShanghai(wallClock: string): number {
  return Date.parse(`${wallClock}+08:00`);
}

function visit(
  householdId: string,
  outcome: VisitOutcome,
  changes: Partial<SummaryVisit> = {},
): SummaryVisit {
  return { gridId: GRID, householdId, day: DAY, outcome, isDeleted: false, ...changes };
}
function run(shift: Shift, results: CheckResult[], changes: Partial<SummaryRun> = {}): SummaryRun {
  return {
    gridId: GRID,
    day: DAY,
    shift,
    isDeleted: false,
    results: results.map((result) => ({ result })),
    ...changes,
  };
}
function hazard(wallClock: string, changes: Partial<SummaryHazard> = {}): SummaryHazard {
  return { gridId: GRID, reportedAt: atShanghai(wallClock), isDeleted: false, ...changes };
}
function need(
  createdWallClock: string,
  history: [string, NeedStatus][],
  changes: Partial<SummaryNeed> = {},
): SummaryNeed {
  return {
    gridId: GRID,
    createdAt: atShanghai(createdWallClock),
    isDeleted: false,
    history: history.map(([wallClock, status]) => ({ at: atShanghai(wallClock), status })),
    ...changes,
  };
}

function summarize(input: Partial<DaySummaryInput>) {
  return summarizeDay({ day: DAY, visits: [], runs: [], hazards: [], needs: [], ...input });
}

describe('summarizeDay', () => {
  it('has every outcome and shift as a key, at zero, on an empty day', () => {
    expect(summarize({})).toEqual({
      day: DAY,
      visitsByOutcome: {
        met: 0,
        'nobody-home': 0,
        refused: 0,
        'moved-away': 0,
        'in-hospital': 0,
        deceased: 0,
      },
      visitCount: 0,
      countedVisitCount: 0,
      missedVisitCount: 0,
      householdsVisited: 0,
      householdsReached: 0,
      checklistRunCount: 0,
      checklistRunsByShift: { day: 0, night: 0 },
      itemsByResult: { pass: 0, fail: 0, na: 0, reminded: 0, 'not-done': 0 },
      failedItemCount: 0,
      remindersNotDone: 0,
      hazardCount: 0,
      needsFound: 0,
      needsMet: 0,
    });
  });

  it("counts the day's visits by outcome and the households behind them", () => {
    const summary = summarize({
      visits: [
        visit('h1', 'nobody-home'),
        visit('h1', 'met'), // the night round found them
        visit('h2', 'met'),
        visit('h3', 'refused'),
        visit('h4', 'in-hospital'),
        visit('h5', 'met', { day: '2026-03-09' }),
        visit('h6', 'met', { isDeleted: true }),
      ],
    });
    expect(summary.visitsByOutcome).toEqual({
      met: 2,
      'nobody-home': 1,
      refused: 1,
      'moved-away': 0,
      'in-hospital': 1,
      deceased: 0,
    });
    expect(summary.visitCount).toBe(5);
    expect(summary.countedVisitCount).toBe(3);
    expect(summary.householdsVisited).toBe(4);
    expect(summary.householdsReached).toBe(3);
  });

  it('defines each visit figure once: 上门 = 已访 + 未遇, each the sum of its outcomes', () => {
    const outcomes = Object.keys(VISIT_OUTCOMES) as VisitOutcome[];
    // Every outcome at least once, some twice, one household visited twice.
    const visits = [...outcomes, 'met', 'nobody-home', 'deceased'].map((outcome, i) =>
      visit(`h${i % 7}`, outcome as VisitOutcome),
    );
    const summary = summarize({ visits });
    const sumOf = (list: readonly VisitOutcome[]) =>
      list.reduce((sum, outcome) => sum + summary.visitsByOutcome[outcome], 0);
    expect(summary.visitCount).toBe(visits.length);
    expect(summary.visitCount).toBe(summary.countedVisitCount + summary.missedVisitCount);
    expect(summary.countedVisitCount).toBe(sumOf(REACHED_OUTCOMES));
    expect(summary.missedVisitCount).toBe(sumOf(MISSED_OUTCOMES));
    // 已访 is the due list's rule: an outcome counts exactly when it marks a household 今日已访.
    expect([...REACHED_OUTCOMES, ...MISSED_OUTCOMES].sort()).toEqual([...outcomes].sort());
    for (const outcome of REACHED_OUTCOMES) expect(VISIT_OUTCOMES[outcome].countsAsVisit).toBe(true);
    for (const outcome of MISSED_OUTCOMES) expect(VISIT_OUTCOMES[outcome].countsAsVisit).toBe(false);

    const [reached, missed] = visitBreakdown(summary);
    expect(reached).toMatchObject({ figure: 'reached', count: summary.countedVisitCount });
    expect(missed).toMatchObject({ figure: 'missed', count: summary.missedVisitCount });
    for (const group of [reached!, missed!])
      expect(group.outcomes.reduce((sum, part) => sum + part.count, 0)).toBe(group.count);
  });

  it('counts every answer of the day by kind, so the items add up to the answers given', () => {
    const summary = summarize({
      runs: [run('day', ['pass', 'fail', 'na', 'reminded']), run('night', ['pass', 'not-done'])],
    });
    expect(summary.itemsByResult).toEqual({ pass: 2, fail: 1, na: 1, reminded: 1, 'not-done': 1 });
    expect(summary.failedItemCount).toBe(1);
    expect(summary.remindersNotDone).toBe(1);
  });

  it('counts checklist runs by shift and their failed items', () => {
    const summary = summarize({
      runs: [
        run('day', ['pass', 'fail', 'na']),
        run('night', ['fail', 'fail']),
        run('night', ['pass']),
        run('day', ['fail'], { day: '2026-03-11' }),
        run('day', ['fail'], { isDeleted: true }),
      ],
    });
    expect(summary.checklistRunCount).toBe(3);
    expect(summary.checklistRunsByShift).toEqual({ day: 1, night: 2 });
    expect(summary.failedItemCount).toBe(3);
  });

  it('places hazards and needs on the Shanghai day, from 00:00:00 to 23:59:59', () => {
    const summary = summarize({
      hazards: [
        hazard('2026-03-10T00:00:00'),
        hazard('2026-03-10T23:59:59'),
        hazard('2026-03-09T23:59:59'),
        hazard('2026-03-11T00:00:00'),
      ],
      needs: [
        // 00:30 in Shanghai is still the 9th in UTC: Shanghai decides.
        need('2026-03-10T00:30:00', [['2026-03-10T00:30:00', 'open']]),
        need('2026-03-09T23:00:00', [['2026-03-09T23:00:00', 'open']]),
      ],
    });
    expect(summary.hazardCount).toBe(2);
    expect(summary.needsFound).toBe(1);
  });

  it('counts a need as met on the day its history says so, once', () => {
    const summary = summarize({
      needs: [
        need('2026-03-01T10:00:00', [
          ['2026-03-01T10:00:00', 'open'],
          ['2026-03-10T09:00:00', 'met'],
        ]),
        // Met, reopened and met again the same day: one need met.
        need('2026-03-02T10:00:00', [
          ['2026-03-02T10:00:00', 'open'],
          ['2026-03-10T09:00:00', 'met'],
          ['2026-03-10T11:00:00', 'in-progress'],
          ['2026-03-10T16:00:00', 'met'],
        ]),
        need('2026-03-03T10:00:00', [
          ['2026-03-03T10:00:00', 'open'],
          ['2026-03-09T10:00:00', 'met'],
        ]),
        need('2026-03-10T10:00:00', [
          ['2026-03-10T10:00:00', 'open'],
          ['2026-03-10T12:00:00', 'withdrawn'],
        ]),
        // 已解决 tapped by mistake and taken back (撤销) the same day: not a need met.
        need('2026-03-04T10:00:00', [
          ['2026-03-04T10:00:00', 'open'],
          ['2026-03-10T14:00:00', 'met'],
          ['2026-03-10T14:00:03', 'open'],
        ]),
      ],
    });
    expect(summary.needsFound).toBe(1);
    expect(summary.needsMet).toBe(2);
  });

  it('keeps to one grid when given one, and skips deleted records', () => {
    const input: Partial<DaySummaryInput> = {
      visits: [visit('h1', 'met'), visit('h9', 'met', { gridId: OTHER_GRID })],
      runs: [run('day', ['fail']), run('night', ['fail'], { gridId: OTHER_GRID })],
      hazards: [hazard('2026-03-10T10:00:00'), hazard('2026-03-10T11:00:00', { gridId: OTHER_GRID })],
      needs: [
        need('2026-03-10T10:00:00', [['2026-03-10T10:00:00', 'open']]),
        need('2026-03-10T10:00:00', [['2026-03-10T10:00:00', 'open']], { gridId: OTHER_GRID }),
        need('2026-03-10T10:00:00', [['2026-03-10T10:00:00', 'open']], { isDeleted: true }),
      ],
    };
    const mine = summarize({ ...input, gridId: GRID });
    expect([mine.visitCount, mine.checklistRunCount, mine.hazardCount, mine.needsFound]).toEqual([
      1, 1, 1, 1,
    ]);
    const all = summarize(input);
    expect([all.visitCount, all.checklistRunCount, all.hazardCount, all.needsFound]).toEqual([2, 2, 2, 2]);
  });

  it('refuses a day that is not a calendar day', () => {
    expect(() => summarize({ day: '2026-02-30' })).toThrow(RangeError);
  });
});
