import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/server/demo.ts';
import { MIGRATIONS } from '../../src/server/store/migrations.ts';
import { openStore, photoIdsOf } from '../../src/server/store/store.ts';
import { newHousehold, T0, TEST_KDF } from './harness.ts';

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('store', () => {
  it('creates the database file in WAL mode with every migration, once', () => {
    const dir = tempDir();
    const file = join(dir, 'db', 'lianxin.sqlite');
    const store = openStore({ file });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const versions = () =>
      store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions()).toEqual(MIGRATIONS.map((m) => m.version));
    store.close();
    // Reopening applies nothing twice.
    const again = openStore({ file });
    expect(again.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    again.close();
    expect(existsSync(join(dir, 'db', 'blobs'))).toBe(true);
  });

  it('gives every write a higher version, in one counter across kinds', () => {
    const store = openStore({ file: ':memory:' });
    const grid = '01900000-0000-7000-8000-0000000000b1';
    const versions = store.transaction(() => [
      store.writeRecord('households', newHousehold(grid), 'client-a', T0),
      store.writeRecord('households', newHousehold(grid), 'client-a', T0),
    ]);
    expect(versions).toEqual([1, 2]);
    expect(store.currentVersion()).toBe(2);
  });

  it('keeps photo bytes on disk beside the database', () => {
    const dir = tempDir();
    const store = openStore({ file: join(dir, 'lianxin.sqlite') });
    const sha256 = 'a'.repeat(64);
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const meta = { sha256, size: bytes.length, type: 'image/jpeg', uploadedBy: 'u', gridId: null, at: T0 };
    expect(store.putBlob(meta, bytes)).toBe(true);
    expect(store.putBlob(meta, bytes)).toBe(false);
    expect(new Uint8Array(readFileSync(join(dir, 'blobs', sha256)))).toEqual(bytes);
    store.close();
  });

  it('finds the photos a record names, wherever it keeps them', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => x.repeat(64));
    expect(
      photoIdsOf({
        photoIds: [a],
        results: [{ photoIds: [b] }],
        history: [{ photoIds: [c, 'not-a-hash'] }],
      }).sort(),
    ).toEqual([a, b, c]);
  });
});

describe('demo seed', () => {
  it('loads the town and one account per role into an empty database, and only then', async () => {
    const store = openStore({ file: ':memory:' });
    const report = await seedDemo(store, { households: 120, kdf: TEST_KDF, now: T0 });
    expect(report.households).toBe(120);
    expect(store.countRecords()).toBe(report.records);
    expect(
      store
        .listUsers()
        .map((u) => u.role)
        .sort(),
    ).toEqual(DEMO_ACCOUNTS.map((a) => a.role).sort());
    const worker = store.getUserByUsername('wgy01')!;
    expect(worker.gridIds).toHaveLength(1);
    expect(store.getRecord('grids', worker.gridIds[0]!)!.data.code).toBe('XF-01');
    expect(store.getUserByUsername('wgz01')!.gridIds).toHaveLength(7);
    expect(store.getUserByUsername('pcs')!.departmentId).toBe('dept-police');
    const second = await seedDemo(store, { households: 120, kdf: TEST_KDF });
    expect(second).toMatchObject({ records: 0, accounts: [] });
  });
});
