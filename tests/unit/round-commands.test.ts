import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answersOf } from '../../src/shared/domain/checklist-answers.ts';
import { BUILT_IN_TEMPLATES, itemsForBuilding } from '../../src/shared/domain/checklist-templates.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { shanghaiDay, shanghaiDayStart } from '../../src/shared/time.ts';
import { addNeed, recordChecklistRun, recordVisit, setNeedStatus } from '../../src/app/commands/round.ts';
import { CommandError, runCommand } from '../../src/app/commands/run-command.ts';
import { contextFor, TEST_NOW, TEST_WORKER, testClock } from '../support/device-context.ts';
import type { CommandContext } from '../../src/app/commands/run-command.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { checksDue, daySummary, householdRound, todayView } from '../../src/app/db/round-queries.ts';

let db: AppDB;
let ctx: CommandContext;
let dbCount = 0;
const town = generateDemoTown({ households: 150 });
const grid = town.grids.find((g) => g.kind === 'grid' && town.buildings.some((b) => b.gridId === g.id))!;
const household = town.households.find((h) => h.gridId === grid.id)!;
const today = () => shanghaiDay(TEST_NOW);

beforeEach(async () => {
  db = new AppDB(`round-test-${dbCount++}`);
  ctx = contextFor(db);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe('visits and needs', () => {
  it('takes the day from the clock it is given, on either side of midnight in Shanghai', async () => {
    const clock = testClock(shanghaiDayStart('2026-03-11') - 1);
    const at = { db, actor: TEST_WORKER, now: clock };
    const late = await recordVisit(at, { householdId: household.id, outcome: 'nobody-home', shift: 'night' });
    clock.advance(1);
    const early = await recordVisit(at, { householdId: household.id, outcome: 'met', shift: 'night' });
    expect((await db.visits.get(late))!.day).toBe('2026-03-10');
    expect((await db.visits.get(early))!.day).toBe('2026-03-11');
    const outbox = await db.outbox.toArray();
    expect(outbox.map((row) => row.createdAt)).toEqual([clock() - 1, clock()]);
  });

  it('a visit and the needs found on it are one outbox row, and the household is done today', async () => {
    const before = await todayView(db, grid.id, today());
    const visitId = await recordVisit(ctx, {
      householdId: household.id,
      outcome: 'met',
      shift: 'day',
      needs: [{ type: 'medical', description: '陪同复查', urgency: 'high' }],
    });
    const [need] = await db.needs.toArray();
    expect(need).toMatchObject({ foundInVisitId: visitId, status: 'open', householdId: household.id });
    expect((await db.visits.get(visitId))!.needIds).toEqual([need!.id]);
    const outbox = await db.outbox.toArray();
    expect(outbox.map((r) => r.name)).toEqual(['visit.record']);

    const after = await todayView(db, grid.id, today());
    expect(after.counts.done).toBe(before.counts.done + 1);
    expect(after.openNeeds).toBe(1);
  });

  it('a need heard of outside a visit goes into the needs file on its own', async () => {
    const needId = await addNeed(ctx, household.id, {
      type: 'repair',
      description: '邻居说楼道灯坏了',
      urgency: 'normal',
    });
    expect(await db.needs.get(needId)).toMatchObject({
      householdId: household.id,
      gridId: household.gridId,
      status: 'open',
      foundInVisitId: undefined,
      createdAt: TEST_NOW,
    });
    expect((await db.outbox.toArray()).map((r) => r.name)).toEqual(['need.create']);
    expect((await householdRound(db, household.id)).needs.map((n) => n.id)).toEqual([needId]);

    const refused = await addNeed(ctx, household.id, {
      type: 'repair',
      description: ' ',
      urgency: 'low',
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CommandError);
    expect(Object.keys((refused as CommandError).fieldMessages())).toEqual(['description']);
    expect(await db.needs.count()).toBe(1);
  });

  it('a need with an empty description refuses the whole visit', async () => {
    await expect(
      recordVisit(ctx, {
        householdId: household.id,
        outcome: 'met',
        shift: 'day',
        needs: [{ type: 'repair', description: '  ', urgency: 'low' }],
      }),
    ).rejects.toThrow('需求描述不能为空');
    expect(await db.visits.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });

  it("nobody home on the day shift puts the household on tonight's catch-up list", async () => {
    await recordVisit(ctx, { householdId: household.id, outcome: 'nobody-home', shift: 'day' });
    const view = await todayView(db, grid.id, today());
    expect(view.catchUp.map((e) => e.householdId)).toEqual([household.id]);
  });

  it('need status changes keep a dated history', async () => {
    await recordVisit(ctx, {
      householdId: household.id,
      outcome: 'met',
      shift: 'day',
      needs: [{ type: 'benefits', description: '申请低保', urgency: 'normal' }],
    });
    const [need] = await db.needs.toArray();
    await setNeedStatus(ctx, need!.id, 'in-progress', '已交材料');
    await setNeedStatus(ctx, need!.id, 'met');
    await expect(setNeedStatus(ctx, need!.id, 'met')).rejects.toBeInstanceOf(CommandError);
    const stored = (await db.needs.get(need!.id))!;
    expect(stored.history.map((h) => [h.status, h.note])).toEqual([
      ['open', undefined],
      ['in-progress', '已交材料'],
      ['met', undefined],
    ]);
    const { timeline } = await householdRound(db, household.id);
    expect(timeline.filter((e) => e.kind === 'need')).toHaveLength(3);
  });
});

describe('checklists', () => {
  const building = town.buildings.find((b) => b.gridId === grid.id)!;
  const template = BUILT_IN_TEMPLATES[0]!;

  it('a run with a failed item saves a hazard linked to it, and the check is no longer open', async () => {
    const items = itemsForBuilding(template, building.facilities);
    const before = await checksDue(db, grid.id, today(), 'night');
    expect(
      before.find((c) => c.target.kind === 'building' && c.target.building.id === building.id)?.run,
    ).toBeUndefined();

    const runId = await recordChecklistRun(ctx, {
      template,
      gridId: grid.id,
      target: { buildingId: building.id },
      shift: 'night',
      results: items.map((item, i) => ({
        itemId: item.id,
        result: i === 0 ? 'fail' : answersOf(item)[0]!,
        note: i === 0 ? '漏水' : '',
      })),
    });
    const hazards = await db.hazards.toArray();
    expect(hazards).toHaveLength(1);
    expect(hazards[0]).toMatchObject({ runId, itemId: items[0]!.id, buildingId: building.id });
    expect(hazards[0]!.description).toContain('漏水');

    const after = await checksDue(db, grid.id, today(), 'night');
    expect(
      after.find((c) => c.target.kind === 'building' && c.target.building.id === building.id)?.run?.id,
    ).toBe(runId);
    const summary = await daySummary(db, grid.id, today());
    expect(summary).toMatchObject({ checklistRunCount: 1, failedItemCount: 1, hazardCount: 1 });
  });

  it('a reminder not done keeps its reason and makes no hazard; the day counts it', async () => {
    const items = itemsForBuilding(template, building.facilities);
    const runId = await recordChecklistRun(ctx, {
      template,
      gridId: grid.id,
      target: { buildingId: building.id },
      shift: 'day',
      results: items.map((item) =>
        item.id === 'remind-off'
          ? { itemId: item.id, result: 'not-done' as const, note: ' 家中无人，已贴提示 ' }
          : { itemId: item.id, result: 'pass' as const },
      ),
    });
    expect(await db.hazards.count()).toBe(0);
    const run = (await db.checklistRuns.get(runId))!;
    expect(run.results.find((r) => r.itemId === 'remind-off')).toMatchObject({
      result: 'not-done',
      note: '家中无人，已贴提示',
    });
    expect(await daySummary(db, grid.id, today())).toMatchObject({
      checklistRunCount: 1,
      failedItemCount: 0,
      hazardCount: 0,
      remindersNotDone: 1,
    });
  });

  it('refuses 未完成 without a reason, and an answer the item does not take', async () => {
    const input = (result: 'not-done' | 'pass', note?: string) => ({
      template,
      gridId: grid.id,
      target: { buildingId: building.id },
      shift: 'day' as const,
      results: [{ itemId: 'remind-off', result, note }],
    });
    await expect(recordChecklistRun(ctx, input('not-done', '  '))).rejects.toThrow('请写明未完成的原因');
    await expect(recordChecklistRun(ctx, input('pass'))).rejects.toThrow('只能回答：已提醒、未完成');
    expect(await db.outbox.count()).toBe(0);
  });

  it('refuses results for items the template does not have', async () => {
    await expect(
      recordChecklistRun(ctx, {
        template,
        gridId: grid.id,
        target: { buildingId: building.id },
        shift: 'day',
        results: [{ itemId: 'no-such-item', result: 'pass' }],
      }),
    ).rejects.toThrow('检查项不在模板中：no-such-item');
    expect(await db.outbox.count()).toBe(0);
  });

  it('a grid template with duplicate item ids is refused with a clear message', async () => {
    // No screen saves templates yet: the mutation is run as a command would run it.
    await expect(
      runCommand(ctx, 'checklistTemplate.save', {
        template: {
          ...template,
          id: '01900000-0000-7000-8000-0000000000aa',
          gridId: grid.id,
          isBuiltIn: false,
          updatedAt: TEST_NOW,
          items: [
            { id: 'drain', text: '检查下水道' },
            { id: 'drain', text: '检查雨水井' },
          ],
        },
      }),
    ).rejects.toThrow('检查项编号重复：drain');
  });
});
