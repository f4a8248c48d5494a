import { describe, expect, it } from 'vitest';
import {
  answerIssues,
  answersOf,
  hazardsOfRun,
  isHazardResult,
} from '../../src/shared/domain/checklist-answers.ts';
import { planMutation, type PlanReads } from '../../src/shared/domain/apply-mutation.ts';
import { BUILT_IN_TEMPLATES, validateTemplate } from '../../src/shared/domain/checklist-templates.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import {
  CHECK_RESULTS,
  checklistItemResultSchema,
  checklistRunSchema,
  type Building,
  type ChecklistRun,
} from '../../src/shared/schemas/index.ts';
import { TEST_NOW, TEST_WORKER } from '../support/device-context.ts';

const daily = BUILT_IN_TEMPLATES[0]!;
const itemOf = (id: string) => daily.items.find((item) => item.id === id)!;
const GRID = newId();
const building: Building = {
  id: newId(),
  updatedAt: TEST_NOW,
  isDeleted: false,
  gridId: GRID,
  name: '4栋',
  estate: '幸福家园',
  floors: 6,
  units: 2,
  facilities: { elevators: 0, fireHydrants: 2, hasGasPipes: true, hasWaterPipes: true },
};

function run(results: ChecklistRun['results']): ChecklistRun {
  return {
    id: newId(),
    updatedAt: TEST_NOW,
    isDeleted: false,
    templateId: daily.id,
    gridId: GRID,
    buildingId: building.id,
    day: '2026-03-10',
    shift: 'day',
    completedAt: TEST_NOW,
    results,
  };
}

describe('what answer a checklist item takes', () => {
  it('a reminder is answered 已提醒 or 未完成; a check 正常, 异常 or 不适用', () => {
    expect(answersOf(itemOf('remind-off')).map((a) => CHECK_RESULTS[a].zh)).toEqual(['已提醒', '未完成']);
    expect(answersOf(itemOf('stairwell')).map((a) => CHECK_RESULTS[a].zh)).toEqual([
      '正常',
      '异常',
      '不适用',
    ]);
  });

  it('a template saved before reminders existed still reads, its items all checks', () => {
    const old = validateTemplate({
      id: newId(),
      updatedAt: 1,
      isDeleted: false,
      name: '防汛巡查',
      scope: 'building',
      shifts: ['night'],
      isBuiltIn: false,
      gridId: newId(),
      items: [{ id: 'drain', text: '检查下水道' }],
    });
    expect(old.items[0]).toEqual({ id: 'drain', text: '检查下水道' });
    expect(answersOf(old.items[0]!)).toEqual(['pass', 'fail', 'na']);
    expect(() =>
      validateTemplate({ ...old, items: [{ id: 'tell', text: '提醒清理阳台杂物', kind: 'reminder' }] }),
    ).not.toThrow();
  });

  it('a run synced before reminders existed, with the reminder answered 正常, is still valid', () => {
    const stored = run([
      { itemId: 'stairwell', result: 'pass', photoIds: [] },
      { itemId: 'remind-off', result: 'pass', photoIds: [] },
      { itemId: 'gas-pipes', result: 'na', photoIds: [] },
    ]);
    expect(checklistRunSchema.safeParse(stored).success).toBe(true);
  });

  it('未完成 asks for a reason', () => {
    const notDone = { itemId: 'remind-off', result: 'not-done', photoIds: [] };
    const refused = checklistItemResultSchema.safeParse(notDone);
    expect(refused.error?.issues).toMatchObject([{ path: ['note'], message: '请写明未完成的原因' }]);
    expect(checklistItemResultSchema.safeParse({ ...notDone, note: '   ' }).success).toBe(false);
    expect(checklistItemResultSchema.safeParse({ ...notDone, note: '住户不在家，已留纸条' }).success).toBe(
      true,
    );
  });

  it("refuses an answer the item does not take, in the worker's words", () => {
    const items = [itemOf('stairwell'), itemOf('remind-off')];
    expect(
      answerIssues(items, [
        { itemId: 'stairwell', result: 'reminded' },
        { itemId: 'remind-off', result: 'fail' },
        { itemId: 'elevator-x', result: 'pass' },
      ]),
    ).toEqual([
      { path: 'results.0', message: `「${itemOf('stairwell').text}」只能回答：正常、异常、不适用` },
      { path: 'results.1', message: `「${itemOf('remind-off').text}」只能回答：已提醒、未完成` },
      { path: 'results.2', message: '检查项不在模板中：elevator-x' },
    ]);
  });
});

describe('what becomes a hazard', () => {
  it('only a failed check: a reminder not done is the worker’s to finish, not a fault of the building', () => {
    expect((Object.keys(CHECK_RESULTS) as (keyof typeof CHECK_RESULTS)[]).filter(isHazardResult)).toEqual([
      'fail',
    ]);
    const r = run([
      { itemId: 'stairwell', result: 'fail', note: '电动车堵塞', photoIds: [] },
      { itemId: 'remind-off', result: 'not-done', note: '家中无人', photoIds: [] },
    ]);
    let n = 0;
    const hazards = hazardsOfRun(r, daily, { at: TEST_NOW, newId: () => `hazard-${++n}` });
    expect(hazards).toMatchObject([
      { id: 'hazard-1', itemId: 'stairwell', runId: r.id, buildingId: building.id, gridId: GRID },
    ]);
    expect(hazards[0]!.description).toBe(`${itemOf('stairwell').text}：电动车堵塞`);
  });

  it('the planner refuses a hazard made from an item that did not fail', () => {
    const reads: PlanReads = {
      get: (kind, id) => (kind === 'buildings' && id === building.id ? building : undefined) as never,
    };
    const r = run([{ itemId: 'remind-off', result: 'not-done', note: '家中无人', photoIds: [] }]);
    const hazard = {
      id: newId(),
      updatedAt: TEST_NOW,
      isDeleted: false,
      gridId: GRID,
      runId: r.id,
      itemId: 'remind-off',
      buildingId: building.id,
      description: '提醒未完成',
      photoIds: [],
      reportedAt: TEST_NOW,
    };
    expect(
      planMutation('checklist.recordRun', { run: r, hazards: [hazard] }, reads, TEST_WORKER, TEST_NOW),
    ).toMatchObject({ ok: false, reason: 'invalid', message: '只有异常的检查项才记为隐患' });
    expect(
      planMutation('checklist.recordRun', { run: r, hazards: [] }, reads, TEST_WORKER, TEST_NOW),
    ).toMatchObject({
      ok: true,
    });
  });
});
