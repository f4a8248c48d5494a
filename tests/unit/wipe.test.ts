import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordVisit } from '../../src/app/commands/round.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { readDeviceFacts } from '../../src/app/db/meta.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { settings } from '../../src/app/state/settings.svelte.ts';
import { wipe } from '../../src/app/state/wipe.svelte.ts';
import {
  readWipeReport,
  readWitness,
  writesNeverReceived,
  writeWitness,
  type Witness,
} from '../../src/app/state/witness.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { contextFor } from '../support/device-context.ts';

/** localStorage as the browser keeps it: a wipe of IndexedDB does not touch it. */
class MemoryStorage implements Storage {
  #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
}

const town = generateDemoTown({ households: 40 });
let db: AppDB;
let dbCount = 0;

const witness = (patch: Partial<Witness> = {}): Witness => ({
  v: 1,
  clientId: '019b0000-0000-7000-8000-000000000001',
  lastMutationId: 7,
  pending: 3,
  userId: 'u-worker',
  username: 'wgy01',
  name: '王丽',
  at: 1_000,
  ...patch,
});

beforeEach(async () => {
  vi.stubGlobal('localStorage', new MemoryStorage());
  db = new AppDB(`wipe-test-${dbCount++}`);
  wipe.reset();
  await settings.reset();
});

afterEach(async () => {
  vi.unstubAllGlobals();
  db.close();
  await db.delete();
});

describe('the witness outside IndexedDB', () => {
  it('reveals a wiped database and keeps what it knew as a report', async () => {
    writeWitness(witness());
    await wipe.detect(db, 5_000);
    expect(wipe.isWiped).toBe(true);
    expect(wipe.report).toEqual({ witness: witness(), detectedAt: 5_000 });
    // Noticed once: the report survives a reload, the witness of the lost database is gone.
    expect(readWipeReport()).toEqual(wipe.report);
    expect(await readWitness()).toBeUndefined();
    wipe.reset();
    await wipe.detect(db, 6_000);
    expect(wipe.isWiped).toBe(true);
    expect(wipe.report?.detectedAt).toBe(5_000);
  });

  it('says nothing on a first start, or when the database still holds its data', async () => {
    await wipe.detect(db);
    expect([wipe.isChecked, wipe.isWiped, wipe.report]).toEqual([true, false, null]);
    await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
    writeWitness(witness());
    wipe.reset();
    await wipe.detect(db);
    expect([wipe.isWiped, wipe.report]).toEqual([false, null]);
  });

  it('knows a wipe from the older in-database flag alone, without a count', async () => {
    await settings.setHadData(true);
    await wipe.detect(db, 5_000);
    expect(wipe.isWiped).toBe(true);
    expect(wipe.report).toEqual({ witness: null, detectedAt: 5_000 });
    expect(settings.hadData).toBe(false);
  });

  it('follows every write while the database holds data, and never writes for an empty one', async () => {
    const stop = wipe.keep(db);
    try {
      await letTheLiveQueryRun();
      expect(await readWitness()).toBeUndefined();
      await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
      const household = (await db.households.toArray())[0]!;
      const ctx = contextFor(db);
      await recordVisit(ctx, { householdId: household.id, outcome: 'met', shift: 'day' });
      await recordVisit(ctx, { householdId: household.id, outcome: 'nobody-home', shift: 'night' });
      const facts = await readDeviceFacts(db);
      await vi.waitFor(async () =>
        expect(await readWitness()).toMatchObject({
          clientId: facts.clientId,
          lastMutationId: 2,
          pending: 2,
          userId: null,
        }),
      );
      // The server acknowledged one: the count follows.
      await db.outbox.where('mutationId').equals(1).delete();
      await vi.waitFor(async () =>
        expect(await readWitness()).toMatchObject({ pending: 1, lastMutationId: 2 }),
      );
    } finally {
      stop();
    }
  });

  it('counts what the server never received from the figures of both', () => {
    const report = { witness: witness({ lastMutationId: 7 }), detectedAt: 0 };
    expect(writesNeverReceived(report)).toBeUndefined();
    const status = { clientId: 'c', lastMutationId: 4, lastMutationAt: 1, firstSeenAt: 0 };
    expect(writesNeverReceived({ ...report, server: { status, checkedAt: 0 } })).toBe(3);
    expect(writesNeverReceived({ ...report, server: { status: null, checkedAt: 0 } })).toBe(7);
    const ahead = { ...status, lastMutationId: 9 };
    expect(writesNeverReceived({ ...report, server: { status: ahead, checkedAt: 0 } })).toBe(0);
  });
});

/** A liveQuery run over the empty database, given time to emit. */
async function letTheLiveQueryRun() {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
