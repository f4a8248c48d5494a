import Dexie from 'dexie';
import { recordVisit } from '../../../src/app/commands/round.ts';
import { updateHousehold } from '../../../src/app/commands/register.ts';
import { AppDB, writeTables } from '../../../src/app/db/app-db.ts';
import {
  LOAD_CHUNK_SIZE,
  storeRegister,
  toRegisterRows,
  type RegisterRows,
} from '../../../src/app/db/load-register.ts';
import { ensureClientId, META_KEYS } from '../../../src/app/db/meta.ts';
import { toHouseholdRow, toPersonRow } from '../../../src/app/db/rows.ts';
import { compressPhoto } from '../../../src/app/db/photos.ts';
import { loadPinyin } from '../../../src/app/db/pinyin.ts';
import { countOpenNeeds, readDueListInputs, todayView } from '../../../src/app/db/round-queries.ts';
import { noteVisitsStored } from '../../../src/app/db/visit-summaries.ts';
import {
  buildDailyListRows,
  buildDailyListSummary,
  selectDailyProblems,
} from '../../../src/app/export/daily-list.ts';
import { dailyListToXlsx } from '../../../src/app/export/xlsx.ts';
import { ApiClient, type FetchLike } from '../../../src/app/sync/api-client.ts';
import { applyPulledChanges } from '../../../src/app/sync/apply-changes.ts';
import { SyncEngine } from '../../../src/app/sync/sync-engine.ts';
import type { PlanActor } from '../../../src/shared/domain/apply-mutation.ts';
import { summarizeDay, type DaySummary } from '../../../src/shared/domain/day-summary.ts';
import { generateDemoTown } from '../../../src/shared/domain/demo-town.ts';
import { computeDueList, DEFAULT_CADENCE_CONFIG } from '../../../src/shared/domain/visit-cadence.ts';
import type { PullResponse } from '../../../src/shared/protocol.ts';
import { recordSchemas, type RecordKind } from '../../../src/shared/records.ts';
import type { Building, Household, Person, Problem, Visit } from '../../../src/shared/schemas/index.ts';
import { shanghaiDayStart } from '../../../src/shared/time.ts';
import type { MoreBenchApi, RoundSetup } from './api.ts';
import { makeProblems } from './make-problems.ts';
import { seededRandom } from '../../../src/shared/domain/seeded-random.ts';
import { makeVisitHistory } from './make-visits.ts';

/** The device's user for the round benches (the register is loaded straight into the database). */
const BENCH_WORKER: PlanActor = { role: 'worker', userId: 'bench-worker', name: '网格员' };

// Dexie turns on debug mode (an async stack task per operation) on localhost and 127.0.0.1. Phones
// never run the app from there, so measure Dexie as they run it.
Dexie.debug = false;

/** Days of visit history before `today` (a year). */
const HISTORY_DAYS = 365;
const HOUR_MS = 3_600_000;
/** Commands queued at once while filling the outbox for the push figure (set-up, not timed). */
const ENQUEUE_IN_FLIGHT = 20;

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** State kept in the page between calls, so 150,000 visits never cross the DevTools protocol. */
let round:
  | {
      db: AppDB;
      rows: RegisterRows;
      gridId: string;
      visits: Visit[];
      today: string;
      residentsOf: Map<string, string[]>;
    }
  | undefined;
const problemSets = new Map<
  number,
  { selected: Problem[]; gridNames: Map<string, string>; day: string; daySummary: DaySummary }
>();
let photo: Blob | undefined;
let sync:
  | {
      api: ApiClient;
      actor: PlanActor;
      /** Requests and time waiting for answers, reset by each timed call. */
      wire: { requests: number; waitingMs: number };
      db?: AppDB;
      engine?: SyncEngine;
    }
  | undefined;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`call ${what} first`);
  return value;
}

function residentsByHousehold(people: readonly { id: string; householdId: string; status: string }[]) {
  const residentsOf = new Map<string, string[]>();
  for (const person of people) {
    if (person.status !== 'resident') continue;
    const list = residentsOf.get(person.householdId) ?? [];
    list.push(person.id);
    residentsOf.set(person.householdId, list);
  }
  return residentsOf;
}

/** What a worker types on the visit form: a couple of the five sees and a note. */
function visitInput(householdId: string, residents: readonly string[], visitedAt: number, n: number) {
  return {
    householdId,
    outcome: 'met' as const,
    shift: 'day' as const,
    personIds: residents.slice(0, 2),
    fiveSees: { person: '老人精神状态良好，行动自如', scene: '家中整洁，燃气灶具已关闭' },
    notes: `提醒按时服药，留下联系电话（第 ${n} 次）`,
    visitedAt,
  };
}

const api: MoreBenchApi = {
  async prepareRound(households, visitCount, today, dbName) {
    const generated = await timed(() =>
      generateDemoTown({ households, comprehensiveGrids: 1, specialGrids: 0, enterprises: 0 }),
    );
    const town = generated.value;
    const grid = town.grids.find((g) => g.kind === 'grid');
    if (!grid) throw new Error('the one-grid town has no grid');
    const pinyinOf = await loadPinyin();
    const rows = await timed(() => toRegisterRows(town, pinyinOf));
    const history = makeVisitHistory({
      gridId: grid.id,
      households: town.households,
      people: town.people,
      today,
      days: HISTORY_DAYS,
      target: visitCount,
      seed: 20260316,
    });
    const db = new AppDB(dbName);
    await db.open();
    const stored = await timed(() => storeRegister(db, rows.value, { source: 'demo', loadedAt: Date.now() }));
    // As a pull stores them: each chunk with its visit summaries, in one transaction.
    const storedVisits = await timed(async () => {
      for (let start = 0; start < history.visits.length; start += LOAD_CHUNK_SIZE) {
        const chunk = history.visits.slice(start, start + LOAD_CHUNK_SIZE);
        await db.transaction('rw', db.visits, db.visitSummaries, async () => {
          await db.visits.bulkPut(chunk);
          await noteVisitsStored(db, chunk);
        });
      }
    });
    round = {
      db,
      rows: rows.value,
      gridId: grid.id,
      visits: history.visits,
      today,
      residentsOf: residentsByHousehold(town.people),
    };
    const setup: RoundSetup = {
      households: town.households.length,
      people: town.people.length,
      scheduled: history.scheduled,
      visits: history.visits.length,
      countedVisits: history.visits.filter((v) => v.outcome !== 'nobody-home' && v.outcome !== 'refused')
        .length,
      firstDay: history.firstDay,
      today,
      setupMs: {
        generate: generated.ms,
        rows: rows.ms,
        storeRegister: stored.ms,
        storeVisits: storedVisits.ms,
      },
    };
    return setup;
  },

  async timeDueList(runs) {
    const { db, rows, gridId, visits, today } = need(round, 'prepareRound');
    // Read as todayView reads (before the clock): the register, the visit summaries, today's visits.
    const reads = await readDueListInputs(db, gridId, today);
    const input = {
      households: reads.households,
      people: reads.people,
      visits: reads.visits,
      lastCountedDays: reads.lastCountedDays,
      config: DEFAULT_CADENCE_CONFIG,
      today,
    };
    const first = await timed(() => computeDueList(input));
    const runsMs: number[] = [];
    for (let i = 0; i < runs; i++) runsMs.push((await timed(() => computeDueList(input))).ms);
    // The same list as from the whole year of visits, household by household (input order differs:
    // the app's walking order against generation order).
    const whole = computeDueList({
      ...input,
      households: rows.households,
      visits,
      lastCountedDays: undefined,
    });
    const wholeById = new Map(whole.items.map((item) => [item.householdId, JSON.stringify(item)]));
    const sameAsWholeHistory =
      whole.items.length === first.value.items.length &&
      first.value.items.every((item) => wholeById.get(item.householdId) === JSON.stringify(item));
    return {
      firstMs: first.ms,
      runsMs,
      counts: first.value.counts,
      items: first.value.items.length,
      visitsPassed: reads.visits.length,
      summaries: reads.lastCountedDays.size,
      sameAsWholeHistory,
    };
  },

  async timeRecordVisits(count) {
    const { db, rows, today, residentsOf } = need(round, 'prepareRound');
    const households = rows.households;
    const stride = Math.max(1, Math.floor(households.length / (count + 1)));
    const todayStart = shanghaiDayStart(today);
    const save = (n: number) => {
      const household = households[(n * stride) % households.length]!;
      const visitedAt = todayStart + 9 * HOUR_MS + n * 60_000;
      return recordVisit(
        { db, actor: BENCH_WORKER, now: () => Date.now() },
        visitInput(household.id, residentsOf.get(household.id) ?? [], visitedAt, n),
      );
    };
    await save(0); // untimed: the first write of a session also makes the device's client id
    const latencies: number[] = [];
    for (let n = 1; n <= count; n++) latencies.push((await timed(() => save(n))).ms);
    return latencies;
  },

  async timeTodayView(runs) {
    const { db, gridId, today } = need(round, 'prepareRound');
    const runsMs: number[] = [];
    let entries = 0;
    for (let i = 0; i < runs; i++) {
      const { ms, value } = await timed(() => todayView(db, gridId, today));
      runsMs.push(ms);
      entries = value.entries.length;
    }
    const reads = await readDueListInputs(db, gridId, today);
    const visitsRead = reads.visits.length;
    const summariesRead = reads.lastCountedDays.size;
    return { runsMs, visitsRead, summariesRead, entries };
  },

  async prepareProblems(count, day) {
    const { problems, gridNames, events } = makeProblems(count, day, 20261122 + count);
    const selected = selectDailyProblems(problems, day, null);
    const daySummary = summarizeDay({ day, visits: [], runs: [], hazards: [], needs: [] });
    problemSets.set(count, { selected, gridNames, day, daySummary });
    return { problems: problems.length, events, selected: selected.length };
  },

  async timeXlsxExport(count, runs) {
    const { selected, gridNames, day, daySummary } = need(
      problemSets.get(count),
      `prepareProblems(${count})`,
    );
    const runsMs: number[] = [];
    const rowsMs: number[] = [];
    let bytes = 0;
    let rowCount = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const rows = buildDailyListRows(selected, { day, gridNames });
      rowsMs.push(performance.now() - start);
      const summary = buildDailyListSummary({
        gridLabel: '全部网格',
        visitsDue: 0,
        daySummary,
        problems: selected,
      });
      const blob = await dailyListToXlsx(rows, summary);
      runsMs.push(performance.now() - start);
      bytes = blob.size;
      rowCount = rows.length;
    }
    return { runsMs, rowsMs, rows: rowCount, bytes };
  },

  async preparePhoto(width, height) {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    const random = seededRandom(4000);
    const sky = ctx.createLinearGradient(0, 0, width * 0.3, height);
    sky.addColorStop(0, '#8fb8de');
    sky.addColorStop(0.45, '#d8d2c4');
    sky.addColorStop(1, '#5b4a3a');
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, width, height);
    // Walls, windows, cars: shapes with soft edges at many scales, like a street scene.
    for (let i = 0; i < 1500; i++) {
      const x = random() * width;
      const y = random() * height;
      const size = 20 + random() * 400;
      const shade = ctx.createRadialGradient(x, y, 0, x, y, size);
      const hue = Math.floor(random() * 360);
      shade.addColorStop(0, `hsla(${hue}, ${30 + random() * 40}%, ${30 + random() * 40}%, 0.8)`);
      shade.addColorStop(1, `hsla(${hue}, 20%, 50%, 0)`);
      ctx.fillStyle = shade;
      if (random() < 0.5) ctx.fillRect(x - size, y - size / 2, size * 2, size);
      else {
        ctx.beginPath();
        ctx.arc(x, y, size, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    // Sensor noise: a random tile laid over the whole picture, offset per row of tiles.
    const tileSize = 509;
    const tile = new OffscreenCanvas(tileSize, tileSize);
    const tileCtx = tile.getContext('2d');
    if (!tileCtx) throw new Error('no 2d context');
    const noise = tileCtx.createImageData(tileSize, tileSize);
    for (let i = 0; i < noise.data.length; i += 4) {
      const v = 128 + Math.round((random() - 0.5) * 140);
      noise.data[i] = v;
      noise.data[i + 1] = v + Math.round((random() - 0.5) * 20);
      noise.data[i + 2] = v;
      noise.data[i + 3] = 255;
    }
    tileCtx.putImageData(noise, 0, 0);
    ctx.globalAlpha = 0.3;
    ctx.globalCompositeOperation = 'overlay';
    for (let y = 0; y < height; y += tileSize)
      for (let x = -((y / tileSize) * 131) % tileSize; x < width; x += tileSize) ctx.drawImage(tile, x, y);
    photo = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    return { width, height, bytes: photo.size };
  },

  async timeCompressPhoto(runs) {
    const original = need(photo, 'preparePhoto');
    const runsMs: number[] = [];
    let result: Blob | undefined;
    for (let i = 0; i < runs; i++) {
      const { ms, value } = await timed(() => compressPhoto(original));
      runsMs.push(ms);
      result = value;
    }
    const bitmap = await createImageBitmap(need(result, 'a compression'));
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return { runsMs, bytes: result!.size, ...size };
  },

  async signIn(username, password) {
    let token: string | null = null;
    const wire = { requests: 0, waitingMs: 0 };
    // Counts requests and the time to each answer's headers; the body is read by the app as usual.
    const timedFetch: FetchLike = async (input, init) => {
      wire.requests++;
      const start = performance.now();
      try {
        return await fetch(input, init);
      } finally {
        wire.waitingMs += performance.now() - start;
      }
    };
    const client = new ApiClient({ fetch: timedFetch, getToken: () => token });
    const { token: issued, user } = await client.login(username, password);
    token = issued;
    const actor: PlanActor = {
      role: user.role,
      userId: user.id,
      name: user.name,
      ...(user.departmentId ? { departmentId: user.departmentId } : {}),
    };
    sync = { api: client, actor, wire };
    return { role: user.role, grids: user.gridIds.length };
  },

  async timeFirstPull(dbName) {
    const session = need(sync, 'signIn');
    const db = new AppDB(dbName);
    await db.open();
    // Before the clock: the device id and the pinyin dictionary are ready long before a first pull.
    await ensureClientId(db);
    await loadPinyin();
    let changes = 0;
    const engine = new SyncEngine({
      db,
      api: session.api,
      actor: () => session.actor,
      pinyin: loadPinyin,
      onStatus: (status) => {
        changes = Math.max(changes, status.pulled);
      },
    });
    session.db = db;
    session.engine = engine;
    Object.assign(session.wire, { requests: 0, waitingMs: 0 });
    const { ms } = await timed(() => engine.pull(session.actor));
    const [grids, buildings, households, people] = await Promise.all([
      db.grids.count(),
      db.buildings.count(),
      db.households.count(),
      db.people.count(),
    ]);
    return {
      ms,
      waitingMs: session.wire.waitingMs,
      requests: session.wire.requests,
      changes,
      stored: { grids, buildings, households, people },
    };
  },

  async enqueueMutations(count) {
    const session = need(sync, 'signIn');
    const db = need(session.db, 'timeFirstPull');
    const households = await db.households.toArray();
    const residentsOf = residentsByHousehold(await db.people.toArray());
    const now = Date.now();
    const ctx = { db, actor: session.actor, now: () => Date.now() };
    let householdUpdates = 0;
    let visits = 0;
    const write = (n: number) => {
      const household = households[n % households.length]!;
      if (n % 2 === 0) {
        householdUpdates++;
        return updateHousehold(ctx, household.id, { notes: `第 ${n} 次走访备注：家中有老人，需每周关注` });
      }
      visits++;
      const residents = residentsOf.get(household.id) ?? [];
      return recordVisit(ctx, visitInput(household.id, residents, now - (count - n) * 1000, n));
    };
    // A few commands in flight at once, only to queue faster: IndexedDB still runs their transactions
    // one after another, each taking the next mutation id, exactly as one-at-a-time taps would.
    const { ms } = await timed(async () => {
      for (let first = 0; first < count; first += ENQUEUE_IN_FLIGHT) {
        const batch = Array.from({ length: Math.min(ENQUEUE_IN_FLIGHT, count - first) }, (_, i) => first + i);
        await Promise.all(batch.map(write));
      }
    });
    return { queued: await db.outbox.count(), householdUpdates, visits, ms };
  },

  async timePush() {
    const session = need(sync, 'signIn');
    const db = need(session.db, 'timeFirstPull');
    const engine = need(session.engine, 'timeFirstPull');
    Object.assign(session.wire, { requests: 0, waitingMs: 0 });
    const { ms } = await timed(() => engine.push());
    return {
      ms,
      waitingMs: session.wire.waitingMs,
      requests: session.wire.requests,
      outboxLeft: await db.outbox.count(),
      rejected: await db.rejections.count(),
    };
  },

  async investigateTodayView() {
    const { db, gridId, today } = need(round, 'prepareRound');
    const reads = await timed(() => readDueListInputs(db, gridId, today));
    const needs = await timed(() => countOpenNeeds(db, gridId));
    return { readsMs: reads.ms, openNeedsMs: needs.ms };
  },

  async investigateXlsx(count) {
    const { selected, gridNames, day, daySummary } = need(
      problemSets.get(count),
      `prepareProblems(${count})`,
    );
    const rows = await timed(() => buildDailyListRows(selected, { day, gridNames }));
    const summary = buildDailyListSummary({
      gridLabel: '全部网格',
      visitsDue: 0,
      daySummary,
      problems: selected,
    });
    const whole = await timed(() => dailyListToXlsx(rows.value, summary));
    return { rowsMs: rows.ms, writerMs: whole.ms, bytes: whole.value.size };
  },

  async investigatePull(dbName) {
    const session = need(sync, 'signIn');
    const pulledDb = need(session.db, 'timeFirstPull');
    const clientId = await ensureClientId(pulledDb);
    const pinyinOf = await loadPinyin();
    const pages: PullResponse[] = [];
    const fetched = await timed(async () => {
      for (let cursor = 0; ;) {
        const page = await session.api.pull(cursor, clientId);
        pages.push(page);
        cursor = page.cursor;
        if (!page.hasMore) return;
      }
    });
    const changes = pages.flatMap((page) => page.changes);
    const parsed = await timed(() =>
      changes.map((change) => recordSchemas[change.kind].safeParse(change.data).data as unknown),
    );
    const buildings = new Map(
      changes.filter((c) => c.kind === 'buildings').map((c) => [c.id, c.data as Building] as const),
    );
    const rows = await timed(() =>
      changes.map((change, i) => {
        const record = parsed.value[i];
        if (change.kind === 'people') return toPersonRow(record as Person, pinyinOf);
        if (change.kind !== 'households') return record;
        const household = record as Household;
        return toHouseholdRow(
          household,
          household.buildingId ? buildings.get(household.buildingId) : undefined,
        );
      }),
    );
    const db = new AppDB(dbName);
    await db.open();
    // Each page in one transaction, as SyncEngine.pull() does (less the rebase: nothing is pending).
    const applied = await timed(async () => {
      for (const page of pages)
        await db.transaction('rw', writeTables(db), async () => {
          await db.outbox.where('mutationId').belowOrEqual(page.lastMutationId).delete();
          await applyPulledChanges(db, page.changes, pinyinOf);
          await db.outbox.orderBy('seq').toArray();
          await db.meta.put({ key: META_KEYS.syncCursor, value: page.cursor });
        });
    });
    db.close();
    await Dexie.delete(dbName);
    // The rows made above, stored page by page with bulkPut: with their search keys, then without.
    const storeRows = async (withKeys: boolean) => {
      const target = new AppDB(`${dbName}-${withKeys ? 'keys' : 'no-keys'}`);
      await target.open();
      const { ms } = await timed(async () => {
        let at = 0;
        for (const page of pages) {
          const byKind = new Map<string, unknown[]>();
          for (const change of page.changes) {
            let row = rows.value[at++] as { searchKeys?: string[] };
            if (!withKeys && row.searchKeys) row = { ...row, searchKeys: [] };
            byKind.set(change.kind, [...(byKind.get(change.kind) ?? []), row]);
          }
          await target.transaction('rw', writeTables(target), async () => {
            for (const [kind, list] of byKind)
              await (
                target[kind as RecordKind] as unknown as { bulkPut(rows: unknown[]): Promise<unknown> }
              ).bulkPut(list);
          });
        }
      });
      target.close();
      await Dexie.delete(target.name);
      return ms;
    };
    const storeWithKeysMs = await storeRows(true);
    const storeWithoutKeysMs = await storeRows(false);
    return {
      fetchMs: fetched.ms,
      parseMs: parsed.ms,
      rowsMs: rows.ms,
      applyMs: applied.ms,
      storeWithKeysMs,
      storeWithoutKeysMs,
      changes: changes.length,
    };
  },

  async dropDatabase(dbName) {
    for (const db of [round?.db, sync?.db]) if (db?.name === dbName) db.close();
    if (round?.db.name === dbName) round = undefined;
    if (sync?.db?.name === dbName) {
      delete sync.db;
      delete sync.engine;
    }
    await Dexie.delete(dbName);
  },
};

window.lianxinMoreBench = api;
document.body.dataset.ready = 'true';
