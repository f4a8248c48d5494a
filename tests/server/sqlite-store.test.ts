/** What only the SQLite store does: a file in WAL mode, photos on disk, and moving a one-town database up. */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../src/server/store/migrations.ts';
import type { SqliteDatabase } from '../../src/server/store/sqlite-driver.ts';
import { openStore } from '../../src/server/store/store.ts';
import { newHousehold, newProblem, T0 } from './harness.ts';

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const GRID = '01900000-0000-7000-8000-0000000000b1';

describe('SQLite store', () => {
  it('creates the database file in WAL mode with every migration, once', async () => {
    const dir = tempDir();
    const file = join(dir, 'db', 'lianxin.sqlite');
    const store = await openStore({ file });
    const db = (store.database as SqliteDatabase).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const versions = () => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    await store.close();
    const again = await openStore({ file });
    const reopened = (again.database as SqliteDatabase).db;
    expect(reopened.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(
      SQLITE_MIGRATIONS.length,
    );
    await again.close();
    expect(existsSync(join(dir, 'db', 'blobs'))).toBe(true);
  });

  it('keeps photo bytes on disk beside the database', async () => {
    const dir = tempDir();
    const store = await openStore({ file: join(dir, 'lianxin.sqlite') });
    const town = await store.towns.create({ id: 't', code: 'T', name: 'T', createdAt: T0 });
    const sha256 = 'a'.repeat(64);
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const meta = { sha256, size: bytes.length, type: 'image/jpeg', uploadedBy: 'u', gridId: null, at: T0 };
    expect(await store.blobs.put(town.id, meta, bytes)).toBe(true);
    expect(await store.blobs.put(town.id, meta, bytes)).toBe(false);
    expect(new Uint8Array(readFileSync(join(dir, 'blobs', sha256)))).toEqual(bytes);
    await store.close();
  });

  it('moves a database from before towns into the town "default", versions, sessions and clients kept', async () => {
    const dir = tempDir();
    const file = join(dir, 'lianxin.sqlite');
    // A database as the previous release left it: schema step 1 and some data.
    const old = new Database(file);
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    old.exec(SQLITE_MIGRATIONS[0]!.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(SQLITE_MIGRATIONS[0]!.name);
    old
      .prepare(
        `INSERT INTO users (id, username, name, role, grid_ids, password_hash, created_at) VALUES ('u1', 'wgy01', '王丽', 'worker', ?, 'h', 1)`,
      )
      .run(JSON.stringify([GRID]));
    old
      .prepare(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('tok', 'u1', 1, 9e15)",
      )
      .run();
    old
      .prepare(
        "INSERT INTO clients (client_id, user_id, last_mutation_id, pulled_version, created_at) VALUES ('c1', 'u1', 12, 40, 1)",
      )
      .run();
    const household = newHousehold(GRID);
    const problem = newProblem(GRID);
    const insert = old.prepare(
      `INSERT INTO records (kind, id, grid_id, data, version, is_deleted, written_by, written_at) VALUES (?, ?, ?, ?, ?, 0, 'c1', 1)`,
    );
    insert.run('households', household.id, GRID, JSON.stringify(household), 39);
    insert.run('problems', problem.id, GRID, JSON.stringify(problem), 41);
    old.prepare('UPDATE change_counter SET value = 41').run();
    old.prepare("INSERT INTO audit (at, user_id, action, detail) VALUES (1, 'u1', 'login', '{}')").run();
    old.close();

    const store = await openStore({ file });
    const town = await store.towns.get('default');
    expect(town).toMatchObject({ code: 'default', version: 41 });
    expect(await store.accounts.byUsername('wgy01')).toMatchObject({ townId: 'default', gridIds: [GRID] });
    expect((await store.accounts.session('tok'))?.userId).toBe('u1');
    expect(await store.clients.get('c1')).toEqual({
      townId: 'default',
      userId: 'u1',
      lastMutationId: 12,
      pulledVersion: 40,
    });
    expect((await store.records.get('default', 'households', household.id))?.version).toBe(39);
    expect(await store.records.get('default', 'problems', problem.id)).toMatchObject({ version: 41 });
    const columns = await store.sql.get<{ status: string; due_at: number }>(
      "SELECT status, due_at FROM records WHERE kind = 'problems'",
    );
    expect(columns).toEqual({ status: problem.status, due_at: problem.dueAt });
    expect((await store.journal.auditLog('default', 10)).map((e) => e.action)).toEqual(['login']);
    // The next write continues the old counter: a device's cursor stays valid.
    expect(
      await store.appendRecords('default', [{ kind: 'households', record: newHousehold(GRID) }], null, 2),
    ).toBe(42);
    await store.close();
  });
});
