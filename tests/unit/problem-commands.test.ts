import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answersOf } from '../../src/shared/domain/checklist-answers.ts';
import { BUILT_IN_TEMPLATES, itemsForBuilding } from '../../src/shared/domain/checklist-templates.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { buildingLabel, problemPlaceLabel } from '../../src/shared/domain/problem-place.ts';
import {
  actOnProblem,
  reportHazardAsProblem,
  reportNeedAsProblem,
  reportProblem,
} from '../../src/app/commands/problems.ts';
import { recordChecklistRun, recordVisit } from '../../src/app/commands/round.ts';
import { CommandError } from '../../src/app/commands/run-command.ts';
import { contextFor } from '../support/device-context.ts';
import type { CommandContext } from '../../src/app/commands/run-command.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';

let db: AppDB;
let ctx: CommandContext;
let dbCount = 0;
const town = generateDemoTown({ households: 150 });
const grid = town.grids.find((g) => g.kind === 'grid' && town.buildings.some((b) => b.gridId === g.id))!;
const building = town.buildings.find((b) => b.gridId === grid.id)!;
const household = town.households.find((h) => h.gridId === grid.id)!;

beforeEach(async () => {
  db = new AppDB(`problem-test-${dbCount++}`);
  ctx = contextFor(db);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe('problem commands', () => {
  it('a failed checklist item becomes a problem linked both ways, once', async () => {
    const template = BUILT_IN_TEMPLATES[0]!;
    const items = itemsForBuilding(template, building.facilities);
    await recordChecklistRun(ctx, {
      template,
      gridId: grid.id,
      target: { buildingId: building.id },
      shift: 'day',
      results: items.map((item, i) => ({
        itemId: item.id,
        result: i === 0 ? 'fail' : answersOf(item)[0]!,
        note: '堵塞',
      })),
    });
    const [hazard] = await db.hazards.toArray();
    const problemId = await reportHazardAsProblem(ctx, hazard!.id);
    const problem = (await db.problems.get(problemId))!;
    expect(problem).toMatchObject({
      source: 'checklist',
      category: 'safety-hazard',
      links: { hazardId: hazard!.id, checklistRunId: hazard!.runId },
      place: { buildingId: building.id, text: buildingLabel(building) },
    });
    // The words are for a department, which holds no register; a reader who has it sees the name once.
    expect(problemPlaceLabel(problem, { building: buildingLabel(building) })).toBe(buildingLabel(building));
    expect((await db.hazards.get(hazard!.id))!.problemId).toBe(problemId);
    expect(await reportHazardAsProblem(ctx, hazard!.id)).toBe(problemId);
    expect(await db.problems.count()).toBe(1);
  });

  it('a need found on a visit becomes a problem that carries the visit', async () => {
    const visitId = await recordVisit(ctx, {
      householdId: household.id,
      outcome: 'met',
      shift: 'day',
      needs: [{ type: 'repair', description: '屋顶漏雨', urgency: 'high' }],
    });
    const [need] = await db.needs.toArray();
    const problemId = await reportNeedAsProblem(ctx, need!.id);
    const problem = (await db.problems.get(problemId))!;
    expect(problem).toMatchObject({
      source: 'visit',
      category: 'infrastructure',
      severity: 'orange',
      links: { needId: need!.id, visitId },
      place: { householdId: household.id },
    });
    expect((await db.needs.get(need!.id))!.problemId).toBe(problemId);
  });

  it('illegal steps are refused with the state machine message and leave nothing in the outbox', async () => {
    const id = await reportProblem(ctx, {
      gridId: grid.id,
      category: 'environment',
      severity: 'yellow',
      place: { text: '村口' },
      photoIds: [],
      source: 'snap',
    });
    const before = await db.outbox.count();
    await expect(
      actOnProblem(ctx, id, 'dispatch', {
        assignee: { kind: 'department', id: 'dept-police', name: '派出所' },
      }),
    ).rejects.toThrow('网格员不能派单');
    await expect(actOnProblem(ctx, id, 'resolve', { note: '好了' })).rejects.toBeInstanceOf(CommandError);
    expect(await db.outbox.count()).toBe(before);

    await actOnProblem(ctx, id, 'escalate', { note: '需要网格长协调' });
    const escalated = (await db.problems.get(id))!;
    expect(escalated).toMatchObject({ status: 'reported', path: 'leader' });
    expect(escalated.history.map((e) => e.action)).toEqual(['report', 'escalate']);
  });
});
