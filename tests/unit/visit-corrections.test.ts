import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordVisit } from '../../src/app/commands/round.ts';
import { CommandError, type CommandContext } from '../../src/app/commands/run-command.ts';
import { correctVisit, withdrawVisit } from '../../src/app/commands/visit-corrections.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { daySummary, householdRound, todayView } from '../../src/app/db/round-queries.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import { contextFor, TEST_NOW, testClock } from '../support/device-context.ts';

let db: AppDB;
let ctx: CommandContext;
let dbCount = 0;
const clock = testClock();
const town = generateDemoTown({ households: 150 });
const grid = town.grids.find((g) => g.kind === 'grid' && town.households.some((h) => h.gridId === g.id))!;
const today = shanghaiDay(TEST_NOW);

beforeEach(async () => {
  clock.set(TEST_NOW);
  db = new AppDB(`visit-corrections-test-${dbCount++}`);
  ctx = contextFor(db, undefined, clock);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

async function entryOf(householdId: string) {
  const view = await todayView(db, grid.id, today);
  return { view, entry: view.entries.find((e) => e.householdId === householdId) };
}

/** A household due today and not yet visited, so a visit makes it done. */
async function dueHousehold(): Promise<string> {
  const view = await todayView(db, grid.id, today);
  return view.entries.find((e) => e.status !== 'done')!.householdId;
}

describe('undoing and correcting a visit on the phone', () => {
  it('a withdrawn quick visit makes the household due again, as it was, and drops out of the day', async () => {
    const householdId = await dueHousehold();
    const before = await entryOf(householdId);
    const dayBefore = await daySummary(db, grid.id, today);
    const visitId = await recordVisit(ctx, { householdId, outcome: 'met', shift: 'day' });
    expect((await entryOf(householdId)).entry!.status).toBe('done');

    clock.advance(3_000);
    await withdrawVisit(ctx, visitId);
    const after = await entryOf(householdId);
    expect(after.entry).toEqual(before.entry);
    expect(after.view.counts).toEqual(before.view.counts);
    expect(await daySummary(db, grid.id, today)).toEqual(dayBefore);
    expect((await householdRound(db, householdId)).timeline.filter((e) => e.kind === 'visit')).toEqual([]);
    expect((await db.outbox.toArray()).map((row) => row.name)).toEqual(['visit.record', 'visit.withdraw']);
    expect(await db.visits.get(visitId)).toMatchObject({ isDeleted: true, updatedAt: TEST_NOW + 3_000 });
  });

  it("a met visit corrected to nobody-home is not done any more, and goes on tonight's list", async () => {
    const householdId = await dueHousehold();
    const visitId = await recordVisit(ctx, { householdId, outcome: 'met', shift: 'day' });
    await correctVisit(ctx, visitId, { outcome: 'nobody-home', notes: '敲门无人应' });
    const { view, entry } = await entryOf(householdId);
    expect(entry).toMatchObject({ attemptedToday: true });
    expect(entry!.status).not.toBe('done');
    expect(view.catchUp.map((e) => e.householdId)).toContain(householdId);
    expect(await db.visits.get(visitId)).toMatchObject({ outcome: 'nobody-home', notes: '敲门无人应' });
  });

  it("refuses to withdraw yesterday's visit, and stores nothing", async () => {
    const householdId = await dueHousehold();
    const visitId = await recordVisit(ctx, { householdId, outcome: 'met', shift: 'night' });
    clock.advance(24 * 3_600_000);
    const refused = await withdrawVisit(ctx, visitId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CommandError);
    expect((refused as CommandError).message).toBe(`只能更正或撤回当天的走访（这条是 ${today} 的）`);
    expect(await db.visits.get(visitId)).toMatchObject({ isDeleted: false });
    expect(await db.outbox.count()).toBe(1);
  });
});
