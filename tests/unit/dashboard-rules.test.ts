import { describe, expect, it } from 'vitest';
import {
  catchUpOf,
  checkTargets,
  closedAtOf,
  dashboardPeriods,
  daysSinceMonday,
  gridScore,
  isResponseKnown,
  mean,
  median,
  metAtOf,
  onTimeSettledAt,
  overdueTagKeys,
  rankGrids,
  RESPONSE_HOURS,
  respondedAtOf,
  respondedInTime,
  resolvedOnTime,
  resolverOf,
  scoreOf,
  UNTAGGED,
  DASHBOARD_FIGURE_KEYS,
  DASHBOARD_FIGURES,
  figureValue,
} from '../../src/shared/domain/dashboard/index.ts';
import { dashboardFixture } from '../fixtures/dashboard.ts';
import { BUILT_IN_TEMPLATES } from '../../src/shared/domain/checklist-templates.ts';
import { applyProblemAction, createProblemReport } from '../../src/shared/domain/problem-workflow.ts';
import { SEVERITIES, type Actor, type Problem, type Severity } from '../../src/shared/schemas/problem.ts';
import type { CadenceVisit } from '../../src/shared/domain/visit-cadence.ts';

const at = (wallClock: string) => Date.parse(`${wallClock}+08:00`);
const HOUR = 3_600_000;
const worker: Actor = { role: 'worker', userId: 'u-worker', name: '王丽' };
const center: Actor = { role: 'center', userId: 'u-center', name: '值班' };
const staff: Actor = { role: 'department', userId: 'u-staff', name: '周警官', departmentId: 'dept-police' };
const PHOTO = 'a'.repeat(64);

function reported(severity: Severity, when: number, reporter: Actor = worker): Problem {
  return createProblemReport(
    {
      id: '01900000-0000-7000-8000-000000000001',
      gridId: '01900000-0000-7000-8000-0000000000a1',
      category: 'environment',
      severity,
      description: '楼道堆物',
      place: {},
      photoIds: [],
      source: 'snap',
      links: {},
    },
    reporter,
    when,
  );
}

function act(
  problem: Problem,
  action: Parameters<typeof applyProblemAction>[1],
  actor: Actor,
  when: number,
  payload = {},
) {
  const result = applyProblemAction(problem, action, actor, payload, when);
  if (!result.ok) throw new Error(result.message);
  return result.problem;
}

const dispatchTo = { assignee: { kind: 'department' as const, id: 'dept-police', name: '派出所' } };

describe('dashboard periods (Asia/Shanghai)', () => {
  it('starts the week on Monday and the month on the 1st, by the town clock', () => {
    // Sunday 1 November, late evening: its week began on Monday 26 October, in the month before.
    const periods = dashboardPeriods(at('2026-11-01T23:30:00'));
    expect(periods.today).toBe('2026-11-01');
    expect(periods.weekStartDay).toBe('2026-10-26');
    expect(periods.monthStartDay).toBe('2026-11-01');
    expect(periods.weekStart).toBe(at('2026-10-26T00:00:00'));
    expect(periods.monthStart).toBe(at('2026-11-01T00:00:00'));
  });

  it('counts a Monday as the first day of its week, and 00:30 town time as that day', () => {
    const periods = dashboardPeriods(at('2026-11-16T00:30:00'));
    expect(periods.today).toBe('2026-11-16');
    expect(daysSinceMonday('2026-11-16')).toBe(0);
    expect(daysSinceMonday('2026-11-22')).toBe(6);
    expect(periods.weekStartDay).toBe('2026-11-16');
  });

  it('gives 30 trend days ending today, with the bounds of each', () => {
    const periods = dashboardPeriods(at('2026-03-01T10:00:00'));
    expect(periods.trendDays).toHaveLength(30);
    expect(periods.trendDays[0]).toBe('2026-01-31');
    expect(periods.trendDays.at(-1)).toBe('2026-03-01');
    expect(periods.trendBounds).toHaveLength(31);
    expect(periods.trendBounds.at(-1)).toBe(at('2026-03-02T00:00:00'));
  });
});

describe('problem rules', () => {
  it('has a response time for every colour, each well inside its resolution time', () => {
    for (const severity of Object.keys(SEVERITIES) as Severity[]) {
      expect(RESPONSE_HOURS[severity]).toBeGreaterThan(0);
      expect(RESPONSE_HOURS[severity]).toBeLessThanOrEqual(24);
      expect(RESPONSE_HOURS[severity]).toBeLessThan(SEVERITIES[severity].responseDays * 24);
    }
  });

  it('counts a dispatch within the hour as a red response in time, a later one as late', () => {
    const t = at('2026-11-18T09:00:00');
    const inTime = act(reported('red', t), 'dispatch', center, t + HOUR, dispatchTo);
    expect(respondedAtOf(inTime)).toBe(t + HOUR);
    expect(respondedInTime(inTime)).toBe(true);
    const late = act(reported('red', t), 'dispatch', center, t + HOUR + 1, dispatchTo);
    expect(respondedInTime(late)).toBe(false);
    expect(isResponseKnown(late, t + 2 * HOUR)).toBe(true);
  });

  it('takes the first of dispatch, accept and close-on-spot; a progress note is no response', () => {
    const t = at('2026-11-18T09:00:00');
    let problem = act(reported('blue', t), 'progress', center, t + HOUR, { note: '已电话联系' });
    expect(respondedAtOf(problem)).toBeNull();
    expect(isResponseKnown(problem, t + 23 * HOUR)).toBe(false);
    expect(isResponseKnown(problem, t + 24 * HOUR + 1)).toBe(true);
    problem = act(problem, 'dispatch', center, t + 2 * HOUR, dispatchTo);
    problem = act(problem, 'accept', staff, t + 3 * HOUR);
    expect(respondedAtOf(problem)).toBe(t + 2 * HOUR);
    const onSpot = act(reported('yellow', t), 'close-on-spot', worker, t + 5 * HOUR, { note: '已清理' });
    expect(respondedAtOf(onSpot)).toBe(t + 5 * HOUR);
    expect(resolverOf(onSpot)).toBe('u-worker');
    expect(closedAtOf(onSpot)).toBe(t + 5 * HOUR);
  });

  it('settles on-time resolution at the resolution when on time, else at the due time', () => {
    const t = at('2026-11-18T09:00:00');
    const open = reported('orange', t);
    expect(onTimeSettledAt(open, t + HOUR)).toBeNull();
    expect(onTimeSettledAt(open, open.dueAt + 1)).toBe(open.dueAt);
    let problem = act(open, 'dispatch', center, t + HOUR, dispatchTo);
    problem = act(problem, 'accept', staff, t + 2 * HOUR);
    const onTime = act(problem, 'resolve', staff, open.dueAt, { note: '已处置', photoIds: [PHOTO] });
    expect(resolvedOnTime(onTime)).toBe(true);
    expect(onTimeSettledAt(onTime, open.dueAt + 10 * HOUR)).toBe(open.dueAt);
    expect(resolverOf(onTime)).toBe('u-staff');
    const late = act(problem, 'resolve', staff, open.dueAt + 1, { note: '已处置', photoIds: [PHOTO] });
    expect(resolvedOnTime(late)).toBe(false);
    expect(onTimeSettledAt(late, open.dueAt + 10 * HOUR)).toBe(open.dueAt);
  });

  it('reads the latest evaluation score', () => {
    const t = at('2026-11-18T09:00:00');
    let problem = act(reported('blue', t), 'dispatch', center, t + HOUR, dispatchTo);
    problem = act(problem, 'accept', staff, t + 2 * HOUR);
    problem = act(problem, 'resolve', staff, t + 3 * HOUR, { note: '已处置', photoIds: [PHOTO] });
    expect(scoreOf(problem)).toBeNull();
    problem = act(problem, 'feedback', worker, t + 4 * HOUR, { reporterAnswer: '满意', isSatisfied: true });
    problem = act(problem, 'evaluate', center, t + 5 * HOUR, { score: 4 });
    expect(scoreOf(problem)).toBe(4);
  });

  it('takes the median and the mean of what there is, and null of nothing', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mean([])).toBeNull();
    expect(mean([3, 4, 5])).toBe(4);
  });
});

describe('round rules', () => {
  const visit = (
    householdId: string,
    shift: 'day' | 'night',
    outcome: CadenceVisit['outcome'],
    wall: string,
  ): CadenceVisit => ({
    householdId,
    day: '2026-11-18',
    visitedAt: at(`2026-11-18T${wall}`),
    shift,
    outcome,
    isDeleted: false,
  });
  const households = ['h1', 'h2', 'h3', 'h4'].map((id) => ({ id, isDeleted: false }));

  it('lists tonight those the day round found nobody home, and done those knocked on since at night', () => {
    const visits = [
      visit('h1', 'day', 'nobody-home', '09:00:00'),
      visit('h1', 'night', 'met', '19:00:00'),
      visit('h2', 'day', 'nobody-home', '10:00:00'),
      visit('h3', 'day', 'nobody-home', '10:00:00'),
      visit('h3', 'day', 'met', '15:00:00'),
      visit('h4', 'day', 'nobody-home', '11:00:00'),
      visit('h4', 'night', 'nobody-home', '20:00:00'),
    ];
    expect(catchUpOf({ households, visits, today: '2026-11-18' })).toEqual({
      listed: ['h1', 'h2', 'h4'],
      done: ['h1', 'h4'],
    });
  });

  it('counts an overdue household under each tag that sets its cadence, sensitive ones only for those who may see them', () => {
    expect(overdueTagKeys({ reasonTags: [] }, true)).toEqual([UNTAGGED]);
    expect(overdueTagKeys({ reasonTags: ['elderly-alone', 'key-person'] }, true)).toEqual([
      'elderly-alone',
      'key-person',
    ]);
    expect(overdueTagKeys({ reasonTags: ['elderly-alone', 'key-person'] }, false)).toEqual(['elderly-alone']);
  });

  it('asks each shift for its templates on the buildings that have an item for them', () => {
    const gridId = 'g1';
    const building = (id: string, elevators: number, isDeleted = false) => ({
      id,
      gridId,
      isDeleted,
      name: `${id}栋`,
      facilities: { elevators, hasGasPipes: false, fireHydrants: 0, hasWaterPipes: false },
    });
    const enterprise = { id: 'e1', gridId, isDeleted: false, name: '化工厂' };
    const input = {
      templates: BUILT_IN_TEMPLATES,
      buildings: [building('b1', 1), building('b2', 0), building('b3', 1, true)],
      enterprises: [enterprise],
      gridId,
    };
    const day = checkTargets({ ...input, shift: 'day' });
    expect(day.map((t) => `${t.targetId}:${t.itemCount}`)).toEqual(['b1:3', 'b2:2', 'e1:6']);
    expect(checkTargets({ ...input, shift: 'night' }).map((t) => t.targetId)).toEqual(['b1', 'b2']);
    expect(checkTargets({ ...input, gridId: 'other', shift: 'day' })).toEqual([]);
  });

  it('dates a need met by its last change to 已解决, and not at all once reopened', () => {
    const history = [
      { at: 1, status: 'open' as const },
      { at: 2, status: 'met' as const },
      { at: 3, status: 'in-progress' as const },
      { at: 4, status: 'met' as const },
    ];
    expect(metAtOf({ status: 'met', history })).toBe(4);
    expect(metAtOf({ status: 'in-progress', history: history.slice(0, 3) })).toBeNull();
  });
});

describe('ranking', () => {
  it('weighs the shares, leaves out a share of nothing, and ranks ties by name', () => {
    const full = { part: 10, whole: 10 };
    const none = { part: 0, whole: 0 };
    expect(gridScore({ visitsDone: full, responded: full, resolvedOnTime: full })).toBe(100);
    expect(gridScore({ visitsDone: { part: 5, whole: 10 }, responded: full, resolvedOnTime: full })).toBe(80);
    expect(gridScore({ visitsDone: { part: 5, whole: 10 }, responded: none, resolvedOnTime: none })).toBe(50);
    expect(gridScore({ visitsDone: none, responded: none, resolvedOnTime: none })).toBe(0);
    const ranked = rankGrids([
      { name: '第10网格', score: 90 },
      { name: '第2网格', score: 90 },
      { name: '第1网格', score: 95 },
    ]);
    expect(ranked.map((r) => r.name)).toEqual(['第1网格', '第2网格', '第10网格']);
  });
});

describe('figure keys', () => {
  it('labels every key in both languages and reads each figure off a dashboard', () => {
    const dashboard = dashboardFixture();
    for (const key of DASHBOARD_FIGURE_KEYS) {
      const definition = DASHBOARD_FIGURES[key];
      expect(definition.zh.length).toBeGreaterThan(0);
      expect(definition.en.length).toBeGreaterThan(0);
      const required = 'requires' in definition ? definition.requires : undefined;
      if (required === undefined) expect(figureValue(dashboard, key), key).toBeTypeOf('number');
      else expect(figureValue(dashboard, key), key).toBeUndefined();
    }
    const p = dashboard.problems;
    expect(figureValue(dashboard, 'problems.response-missed')).toBe(p.responded.whole - p.responded.part);
    expect(figureValue(dashboard, 'problems.overdue')).toBe(6);
    expect(figureValue(dashboard, 'problems.overdue', { severity: 'blue' })).toBe(3);
    expect(figureValue(dashboard, 'problems.overdue', { level: '2' })).toBe(2);
    expect(figureValue(dashboard, 'problems.overdue', { level: '2', severity: 'blue' })).toBeUndefined();
    const grid = dashboard.round.perGrid[1]!;
    expect(figureValue(dashboard, 'checks.due', { gridId: grid.gridId, shift: 'night' })).toBe(
      grid.checksDue.night,
    );
    expect(figureValue(dashboard, 'round.due')).toBe(dashboard.round.perGrid.reduce((s, r) => s + r.due, 0));
    expect(figureValue(dashboard, 'trend.visits', { day: dashboard.trend[3]!.day })).toBe(
      dashboard.trend[3]!.visits,
    );
    expect(figureValue(dashboard, 'workers.visits', { userId: 'u-wgy02' })).toBe(388);
  });
});
