/**
 * Today follows the grid's cadence as its leader set it: pulled from the server, or set on this
 * phone by a leader; the town's default while the grid has none. A worker's phone cannot set it.
 */
import { createStore, get, set } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setGridCadence } from '../../src/app/commands/cadence.ts';
import { CommandError } from '../../src/app/commands/run-command.ts';
import { AppDB, writeTables } from '../../src/app/db/app-db.ts';
import { cadenceOfGrid } from '../../src/app/db/cadence-queries.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { todayView } from '../../src/app/db/round-queries.ts';
import { settings } from '../../src/app/state/settings.svelte.ts';
import { applyPulledChanges } from '../../src/app/sync/apply-changes.ts';
import { DEFAULT_CADENCE_CONFIG, type CadenceConfig } from '../../src/shared/domain/cadence-config.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import type { PlanActor } from '../../src/shared/domain/apply-mutation.ts';
import type { GridCadence } from '../../src/shared/schemas/index.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import { contextFor, TEST_NOW } from '../support/device-context.ts';

const LEADER: PlanActor = { role: 'leader', name: '刘网格长', userId: 'u-leader' };
const town = generateDemoTown({ households: 150 });
const householdsIn = (gridId: string) =>
  town.households.filter((h) => h.gridId === gridId && !h.isDeleted).length;
/** The grid with the most households, so a change of cadence moves many of them. */
const grid = town.grids.reduce((best, g) => (householdsIn(g.id) > householdsIn(best.id) ? g : best));
const today = shanghaiDay(TEST_NOW);
/** Nobody needs a visit: a grid whose leader set this has nobody due. */
const NOBODY: CadenceConfig = { byTag: {}, everyoneElse: 'none' };

let db: AppDB;
let dbCount = 0;

beforeEach(async () => {
  db = new AppDB(`grid-cadence-test-${dbCount++}`);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

const dueToday = async () => (await todayView(db, grid.id, today)).todayTotal;

describe("the grid's cadence on the phone", () => {
  it('is the default while the grid has none', async () => {
    expect(await cadenceOfGrid(db, grid.id)).toEqual(DEFAULT_CADENCE_CONFIG);
    expect(householdsIn(grid.id)).toBeGreaterThan(0);
    expect(await dueToday()).toBeGreaterThan(0);
  });

  it("follows the leader's cadence once it is pulled", async () => {
    expect(await dueToday()).toBeGreaterThan(0);
    const record: GridCadence = {
      id: grid.id,
      gridId: grid.id,
      ...NOBODY,
      updatedAt: TEST_NOW,
      isDeleted: false,
    };
    const pinyinOf = await loadPinyin();
    const change = { kind: 'cadences', id: grid.id, version: 7, isDeleted: false, data: record } as const;
    // As SyncEngine.pull() does: an async callback, so Dexie keeps the transaction open across its awaits.
    await db.transaction('rw', writeTables(db), async () => {
      await applyPulledChanges(db, [change], pinyinOf);
    });
    expect(await cadenceOfGrid(db, grid.id)).toEqual(NOBODY);
    expect(await dueToday()).toBe(0);
  });

  it("a leader's phone sets it: Today follows at once, and the write waits in the outbox", async () => {
    await setGridCadence(contextFor(db, LEADER), grid.id, NOBODY);
    expect(await dueToday()).toBe(0);
    expect((await db.outbox.toArray()).map((row) => [row.name, row.args])).toEqual([
      ['cadence.set', { gridId: grid.id, config: NOBODY, at: TEST_NOW }],
    ]);
  });

  it("a worker's phone cannot set it, and keeps nothing of the attempt", async () => {
    const attempt = setGridCadence(contextFor(db), grid.id, NOBODY);
    await expect(attempt).rejects.toThrow(CommandError);
    await expect(attempt).rejects.toThrow('走访频次由网格长或指挥中心设置');
    expect(await db.cadences.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });
});

describe('the device setting of an older version', () => {
  it('is ignored, and dropped with the next save', async () => {
    const store = createStore('lianxin-settings', 'settings');
    await set('settings', { lang: 'zh', theme: 'night', cadenceConfig: NOBODY }, store);
    await settings.load();
    expect(settings.theme).toBe('night');
    await settings.setLang('en');
    expect(await get('settings', store)).not.toHaveProperty('cadenceConfig');
    await settings.reset();
  });
});
