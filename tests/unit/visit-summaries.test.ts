import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordVisit } from '../../src/app/commands/round.ts';
import { contextFor, TEST_NOW } from '../support/device-context.ts';
import type { CommandContext } from '../../src/app/commands/run-command.ts';
import { AppDB, writeTables } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { readDueListInputs, todayView } from '../../src/app/db/round-queries.ts';
import { applyPulledChanges } from '../../src/app/sync/apply-changes.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { computeDueList, DEFAULT_CADENCE_CONFIG } from '../../src/shared/domain/visit-cadence.ts';
import type { RecordChange } from '../../src/shared/protocol.ts';
import { visitSchema, type Visit, type VisitOutcome } from '../../src/shared/schemas/index.ts';
import { addCalendarDays, shanghaiDay, shanghaiDayStart } from '../../src/shared/time.ts';

/**
 * The device keeps each household's last counted visit day in visitSummaries, so Today does not read
 * a year of visits. These tests hold it to the one promise that matters: the due list from the
 * summaries is the due list from the whole history, whichever way the visits arrived.
 */
let db: AppDB;
let ctx: CommandContext;
let dbCount = 0;
const town = generateDemoTown({ households: 150 });
const householdsIn = (gridId: string) => town.households.filter((h) => h.gridId === gridId);
const grid = town.grids
  .filter((g) => g.kind === 'grid')
  .sort((a, b) => householdsIn(b.id).length - householdsIn(a.id).length)[0]!;
const [first, second, third] = householdsIn(grid.id);
const today = () => shanghaiDay(TEST_NOW);

function visitOn(householdId: string, day: string, outcome: VisitOutcome = 'met'): Visit {
  const visitedAt = shanghaiDayStart(day) + 10 * 3_600_000;
  return visitSchema.parse({
    id: newId(),
    updatedAt: visitedAt,
    isDeleted: false,
    householdId,
    gridId: grid.id,
    personIds: [],
    visitedAt,
    day,
    shift: 'day',
    outcome,
    fiveSees: {},
    needIds: [],
    photoIds: [],
  });
}

let version = 0;
const put = (visit: Visit): RecordChange => ({
  kind: 'visits',
  id: visit.id,
  version: ++version,
  isDeleted: visit.isDeleted,
  data: visit,
});
const tombstone = (visit: Visit): RecordChange => ({
  kind: 'visits',
  id: visit.id,
  version: ++version,
  isDeleted: true,
});

async function pull(changes: RecordChange[]) {
  const pinyinOf = await loadPinyin();
  // As SyncEngine.pull() does: an async callback, so Dexie keeps the transaction open across its awaits.
  await db.transaction('rw', writeTables(db), async () => {
    await applyPulledChanges(db, changes, pinyinOf);
  });
}

async function summaries() {
  return Object.fromEntries(
    (await db.visitSummaries.toArray()).map((r) => [r.householdId, r.lastCountedDay]),
  );
}

beforeEach(async () => {
  db = new AppDB(`visit-summaries-test-${dbCount++}`);
  ctx = contextFor(db);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe('visit summaries', () => {
  it('a visit saved on the device moves the day on; nobody home does not', async () => {
    await recordVisit(ctx, { householdId: first!.id, outcome: 'nobody-home', shift: 'day' });
    expect(await summaries()).toEqual({});
    await recordVisit(ctx, { householdId: first!.id, outcome: 'met', shift: 'day' });
    expect(await summaries()).toEqual({ [first!.id]: today() });
  });

  it('pulled visits merge in any order, and a removed visit gives the day back to the one before', async () => {
    const day = today();
    const early = visitOn(first!.id, addCalendarDays(day, -20));
    const late = visitOn(first!.id, addCalendarDays(day, -3));
    const attempt = visitOn(first!.id, addCalendarDays(day, -1), 'refused');
    const other = visitOn(second!.id, addCalendarDays(day, -9), 'in-hospital');
    await pull([put(late), put(attempt)]);
    await pull([put(early), put(other)]);
    expect(await summaries()).toEqual({ [first!.id]: late.day, [second!.id]: other.day });

    await pull([tombstone(late)]);
    expect(await summaries()).toEqual({ [first!.id]: early.day, [second!.id]: other.day });
    await pull([put({ ...other, isDeleted: true })]);
    expect(await summaries()).toEqual({ [first!.id]: early.day });
  });

  it('Today from the summaries equals the due list from the whole history, a clock set ahead included', async () => {
    const day = today();
    await pull([
      put(visitOn(first!.id, addCalendarDays(day, -2))),
      put(visitOn(first!.id, addCalendarDays(day, 5))), // another device's clock, five days ahead
      put(visitOn(second!.id, addCalendarDays(day, -500))),
      put(visitOn(third!.id, addCalendarDays(day, -1), 'nobody-home')),
    ]);
    await recordVisit(ctx, { householdId: third!.id, outcome: 'nobody-home', shift: 'day' });

    const reads = await readDueListInputs(db, grid.id, day);
    const input = { ...reads, config: DEFAULT_CADENCE_CONFIG, today: day };
    const fromSummaries = computeDueList(input);
    const whole = computeDueList({ ...input, visits: await db.visits.toArray(), lastCountedDays: undefined });
    expect(fromSummaries).toEqual(whole);
    const itemOf = (id: string) => fromSummaries.items.find((item) => item.householdId === id);
    expect(itemOf(first!.id)?.lastVisitDay).toBe(addCalendarDays(day, -2));
    expect(itemOf(second!.id)?.lastVisitDay).toBe(addCalendarDays(day, -500));
    expect(itemOf(third!.id)).toMatchObject({ lastVisitDay: null, isOnCatchUpTonight: true });

    const view = await todayView(db, grid.id, day);
    expect(view.counts).toEqual(whole.counts);
    expect(view.catchUp.map((e) => e.householdId)).toEqual([third!.id]);
  });

  it("a past day's list (the export's) equals the one from the whole history", async () => {
    const day = today();
    await pull([
      put(visitOn(first!.id, addCalendarDays(day, -30))),
      put(visitOn(first!.id, addCalendarDays(day, -1))),
      put(visitOn(second!.id, addCalendarDays(day, -12))),
      put(visitOn(second!.id, addCalendarDays(day, -8), 'nobody-home')),
      put(visitOn(third!.id, addCalendarDays(day, -2))),
    ]);
    const pastDay = addCalendarDays(day, -8);
    const reads = await readDueListInputs(db, grid.id, pastDay);
    const input = { ...reads, config: DEFAULT_CADENCE_CONFIG, today: pastDay };
    const whole = computeDueList({ ...input, visits: await db.visits.toArray(), lastCountedDays: undefined });
    expect(computeDueList(input)).toEqual(whole);
    const itemOf = (id: string) => whole.items.find((item) => item.householdId === id);
    expect(itemOf(first!.id)?.lastVisitDay).toBe(addCalendarDays(day, -30));
    expect(itemOf(second!.id)).toMatchObject({
      lastVisitDay: addCalendarDays(day, -12),
      attemptedToday: true,
    });
    expect(itemOf(third!.id)?.lastVisitDay).toBeNull();
  });

  it('are built from the visits already on a device when the app updates to this version', async () => {
    db.close();
    const name = `visit-summaries-upgrade-${dbCount++}`;
    // The database as the previous app version (schema 4) left it, holding visits.
    const old = new Dexie(name);
    old.version(4).stores({
      grids: 'id, parentId, kind',
      buildings: 'id, gridId',
      households: 'id, gridId, [gridId+buildingId], *searchKeys',
      people: 'id, householdId, gridId, *tags, *searchKeys, idNumber',
      enterprises: 'id, gridId',
      outbox: '++seq, mutationId',
      meta: 'key',
      visits: 'id, householdId, [gridId+day]',
      needs: 'id, householdId, [gridId+status]',
      checklistTemplates: 'id',
      checklistRuns: 'id, [gridId+day], buildingId',
      hazards: 'id, gridId, runId',
      photos: 'id',
      problems: 'id, [gridId+reportedAt], status, updatedAt',
      rejections: '++id, mutationId',
    });
    await old.open();
    await old
      .table('visits')
      .bulkAdd([
        visitOn(first!.id, '2026-10-01'),
        visitOn(first!.id, '2026-11-01'),
        visitOn(first!.id, '2026-11-02', 'nobody-home'),
        visitOn(second!.id, '2026-09-15', 'refused'),
      ]);
    old.close();

    db = new AppDB(name);
    await db.open();
    expect(await summaries()).toEqual({ [first!.id]: '2026-11-01' });
    expect(await db.visits.count()).toBe(4);
  });
});
