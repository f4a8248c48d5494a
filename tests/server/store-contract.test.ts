/**
 * The storage contract, held against both engines: every behaviour the server relies on, run on
 * SQLite in memory and on a fresh database of the run's real PostgreSQL cluster.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/server/demo.ts';
import { pullChanges } from '../../src/server/pull.ts';
import { pushMutations } from '../../src/server/push-batch.ts';
import { recordFilter, scopeFor } from '../../src/server/scope.ts';
import { isUniqueViolation } from '../../src/server/store/sql.ts';
import { migrate } from '../../src/server/store/migrations.ts';
import type { Store, StoredUser } from '../../src/server/store/store.ts';
import type { Household } from '../../src/shared/schemas/index.ts';
import { openTestStore, type Backend } from '../support/test-store.ts';
import { householdUpdate, newClientId, newHousehold, newProblem, numbered, T0, TEST_KDF } from './harness.ts';

const GRID_A = '01900000-0000-7000-8000-0000000000a1';
const GRID_B = '01900000-0000-7000-8000-0000000000b1';

async function townWith(store: Store, code: string) {
  return store.towns.create({ id: `town-${code}`, code, name: `${code}镇`, createdAt: T0 });
}

async function userIn(
  store: Store,
  townId: string,
  username: string,
  gridIds: string[],
): Promise<StoredUser> {
  return store.accounts.create({
    id: `user-${username}`,
    townId,
    username,
    name: username,
    role: 'worker',
    gridIds,
    passwordHash: 'x',
    createdAt: T0,
  });
}

const grid = (id: string) => ({
  id,
  updatedAt: T0,
  isDeleted: false,
  parentId: null,
  kind: 'grid' as const,
  name: `网格${id.slice(-2)}`,
  code: `G-${id.slice(-2)}`,
});

for (const backend of ['sqlite', 'postgres'] as const satisfies Backend[]) {
  describe(`store contract on ${backend}`, () => {
    const open = () => openTestStore(backend);

    it('migrates once: opening again applies nothing', async () => {
      const store = await open();
      expect(await migrate(store.database)).toEqual([]);
      const rows = await store.sql.all<{ version: number }>('SELECT version FROM schema_migrations');
      expect(rows.length).toBeGreaterThan(0);
      await store.close();
    });

    it('hands out versions per town, in order, and towns do not share a counter', async () => {
      const store = await open();
      const a = await townWith(store, 'A');
      const b = await townWith(store, 'B');
      const first = newHousehold(GRID_A);
      expect(await store.appendRecords(a.id, [{ kind: 'households', record: first }], null, T0)).toBe(1);
      const more = [newHousehold(GRID_A), newHousehold(GRID_A)];
      expect(
        await store.appendRecords(
          a.id,
          more.map((record) => ({ kind: 'households' as const, record })),
          'c1',
          T0,
        ),
      ).toBe(3);
      expect(await store.appendRecords(b.id, [{ kind: 'households', record: first }], null, T0)).toBe(1);
      expect(await store.towns.version(a.id)).toBe(3);
      expect(await store.towns.version(b.id)).toBe(1);
      // The same id in two towns is two records.
      expect((await store.records.get(a.id, 'households', first.id))?.version).toBe(1);
      expect(await store.records.count(a.id)).toBe(3);
      expect(await store.records.count(b.id)).toBe(1);
      expect(await store.records.count()).toBe(4);
      const many = await store.records.getMany(a.id, [
        { kind: 'households', id: first.id },
        { kind: 'households', id: more[1]!.id },
        { kind: 'households', id: 'missing' },
      ]);
      expect([...many.keys()].sort()).toEqual([`households/${first.id}`, `households/${more[1]!.id}`].sort());
      expect(many.get(`households/${more[1]!.id}`)).toMatchObject({
        version: 3,
        writtenBy: 'c1',
        gridId: GRID_A,
      });
      await store.close();
    });

    it('rolls a failed transaction back whole', async () => {
      const store = await open();
      const town = await townWith(store, 'A');
      await expect(
        store.transaction(async (tx) => {
          await tx.appendRecords(town.id, [{ kind: 'households', record: newHousehold(GRID_A) }], null, T0);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.records.count(town.id)).toBe(0);
      expect(await store.towns.version(town.id)).toBe(0);
      await store.close();
    });

    it('pages changes in commit order, with tombstones, filtered by scope, counting only a bounded way ahead', async () => {
      const store = await open();
      const town = await townWith(store, 'A');
      const worker = await userIn(store, town.id, 'w', [GRID_A]);
      const ours = Array.from({ length: 5 }, () => newHousehold(GRID_A));
      const theirs = Array.from({ length: 3 }, () => newHousehold(GRID_B));
      await store.appendRecords(
        town.id,
        [...ours, ...theirs].map((record) => ({ kind: 'households' as const, record })),
        null,
        T0,
      );
      const gone: Household = { ...ours[0]!, isDeleted: true };
      await store.appendRecords(town.id, [{ kind: 'households', record: gone }], null, T0);
      const filter = recordFilter(scopeFor(worker, [{ id: GRID_A, parentId: null }]));
      const page = await store.records.changesSince(town.id, 0, 2, filter);
      expect(page.rows.map((r) => r.id)).toEqual([ours[1]!.id, ours[2]!.id]);
      expect(page.remaining).toBe(3);
      const rest = await store.records.changesSince(town.id, page.rows.at(-1)!.version, 10, filter);
      expect(rest.rows.map((r) => r.id)).toEqual([ours[3]!.id, ours[4]!.id, ours[0]!.id]);
      expect(rest.rows.at(-1)).toMatchObject({ isDeleted: true, version: 9 });
      expect(rest.remaining).toBe(0);
      const versions = rest.rows.map((r) => r.version);
      expect([...versions].sort((x, y) => x - y)).toEqual(versions);
      await store.close();
    });

    it('keeps problems queryable by typed columns', async () => {
      const store = await open();
      const town = await townWith(store, 'A');
      const problem = newProblem(GRID_A, { severity: 'red' });
      await store.appendRecords(town.id, [{ kind: 'problems', record: problem }], null, T0);
      const row = await store.sql.get<Record<string, unknown>>(
        'SELECT status, severity, level, category, source, reported_at, due_at, resolved_at, grid_id FROM records WHERE town_id = ? AND kind = ?',
        [town.id, 'problems'],
      );
      expect(row).toEqual({
        status: problem.status,
        severity: 'red',
        level: problem.level,
        category: problem.category,
        source: problem.source,
        reported_at: problem.reportedAt,
        due_at: problem.dueAt,
        resolved_at: null,
        grid_id: GRID_A,
      });
      await store.close();
    });

    it('applies a push exactly once, with the lastMutationId in the same transaction, and a refusal only refuses itself', async () => {
      const store = await open();
      const town = await townWith(store, 'A');
      await store.appendRecords(town.id, [{ kind: 'grids', record: grid(GRID_A) }], null, T0);
      const worker = await userIn(store, town.id, 'w', [GRID_A]);
      const household = newHousehold(GRID_A);
      await store.appendRecords(town.id, [{ kind: 'households', record: household }], null, T0);
      const scope = scopeFor(worker, await store.records.gridTree(town.id));
      const clientId = newClientId();
      await store.clients.bind(clientId, town.id, worker.id, T0);
      const mutations = numbered([
        householdUpdate(household.id, { notes: '一' }),
        householdUpdate('01900000-0000-7000-8000-00000000dead', { notes: '没有这户' }),
        { mutationId: 0, name: 'household.update', args: { id: household.id, changes: { notes: 42 } } },
        householdUpdate(household.id, { phone: '13800000000' }),
      ]).map((m) => ({ ...m, clientId, createdAt: T0 }));
      const answer = await pushMutations(store, worker, scope, { clientId, mutations }, T0);
      expect(answer.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'rejected', 'applied']);
      expect(answer.lastMutationId).toBe(4);
      expect((await store.clients.get(clientId))?.lastMutationId).toBe(4);
      const stored = await store.records.get(town.id, 'households', household.id);
      expect(stored?.data).toMatchObject({ notes: '一', phone: '13800000000' });
      const version = await store.towns.version(town.id);
      // The same request again: nothing applied twice, and the refusals are told again.
      const retry = await pushMutations(store, worker, scope, { clientId, mutations }, T0);
      expect(retry.results.map((r) => r.status)).toEqual(['duplicate', 'rejected', 'rejected', 'duplicate']);
      expect(await store.towns.version(town.id)).toBe(version);
      expect((await store.clients.mutationLog(clientId)).map((m) => m.status)).toEqual([
        'applied',
        'rejected',
        'rejected',
        'applied',
      ]);
      // The pull of the same snapshot tells the device the same lastMutationId.
      const pulled = await pullChanges(store, worker, scope, { cursor: 0, limit: 100, clientId }, T0);
      expect(pulled.lastMutationId).toBe(4);
      expect(pulled.cursor).toBe(version);
      await store.close();
    });

    it('keeps clients: bound once, pulled version only forward, activity', async () => {
      const store = await open();
      const town = await townWith(store, 'A');
      const worker = await userIn(store, town.id, 'w', [GRID_A]);
      await store.clients.bind('c1', town.id, worker.id, T0);
      await store.clients.bind('c1', town.id, 'someone-else', T0 + 1);
      await store.clients.setPulledVersion('c1', 7);
      await store.clients.setPulledVersion('c1', 3);
      expect(await store.clients.get('c1')).toEqual({
        townId: town.id,
        userId: worker.id,
        lastMutationId: 0,
        pulledVersion: 7,
      });
      await store.clients.logMutations([
        {
          clientId: 'c1',
          mutationId: 1,
          userId: worker.id,
          name: 'visit.record',
          status: 'applied',
          at: T0 + 5,
        },
      ]);
      await store.clients.setLastMutationId('c1', 1);
      expect(await store.clients.activity('c1')).toEqual({
        userId: worker.id,
        lastMutationId: 1,
        lastMutationAt: T0 + 5,
        firstSeenAt: T0,
      });
      expect(await store.clients.outcome('c1', 1)).toEqual({
        status: 'applied',
        reason: null,
        message: null,
      });
      await store.close();
    });

    it('keeps accounts and sessions: usernames unique across towns, revoking ends sessions', async () => {
      const store = await open();
      const a = await townWith(store, 'A');
      const b = await townWith(store, 'B');
      const user = await userIn(store, a.id, 'same', [GRID_A]);
      const clash = await userIn(store, b.id, 'same', []).catch((error: unknown) => error);
      expect(isUniqueViolation(clash)).toBe(true);
      expect((await store.accounts.list(a.id)).map((u) => u.username)).toEqual(['same']);
      expect(await store.accounts.list(b.id)).toEqual([]);
      expect((await store.accounts.byUsername('same'))?.townId).toBe(a.id);
      await store.accounts.insertSession('t1', user.id, T0, T0 + 1000);
      await store.accounts.insertSession('t2', user.id, T0, T0 + 1000);
      await store.transaction((tx) => tx.accounts.setPassword(user.id, 'y', T0 + 1, 't2'));
      expect((await store.accounts.session('t1'))?.revokedAt).toBe(T0 + 1);
      expect((await store.accounts.session('t2'))?.revokedAt).toBeNull();
      await store.transaction((tx) => tx.accounts.revoke(user.id, T0 + 2));
      expect((await store.accounts.session('t2'))?.revokedAt).toBe(T0 + 2);
      expect((await store.accounts.get(user.id))?.revokedAt).toBe(T0 + 2);
      expect((await store.accounts.setGrids(user.id, [GRID_B]))?.gridIds).toEqual([GRID_B]);
      await store.close();
    });

    it('counts failed sign-ins in a window shared by every process', async () => {
      const store = await open();
      await store.accounts.addFailure('user:a|1.2.3.4', T0, 1000);
      await store.accounts.addFailure('user:a|1.2.3.4', T0 + 1, 1000);
      await store.accounts.addFailure('user:a|5.6.7.8', T0, 1000);
      expect(await store.accounts.failures('user:a|1.2.3.4')).toEqual({ count: 2, resetAt: T0 + 1000 });
      // A window that has ended starts again.
      await store.accounts.addFailure('user:a|1.2.3.4', T0 + 1000, 1000);
      expect(await store.accounts.failures('user:a|1.2.3.4')).toEqual({ count: 1, resetAt: T0 + 2000 });
      await store.accounts.clearFailuresWithPrefix('user:a|');
      expect(await store.accounts.failures('user:a|5.6.7.8')).toBeUndefined();
      await store.close();
    });

    it('keeps photos once, readable by their uploader, their town grid, or a record in scope', async () => {
      const store = await open();
      const a = await townWith(store, 'A');
      const b = await townWith(store, 'B');
      const sha256 = 'c'.repeat(64);
      const bytes = new Uint8Array([0xff, 0xd8, 0xff, 9, 8, 7]);
      const meta = {
        sha256,
        size: bytes.length,
        type: 'image/jpeg',
        uploadedBy: 'u1',
        gridId: GRID_A,
        at: T0,
      };
      expect(await store.blobs.put(a.id, meta, bytes)).toBe(true);
      expect(await store.blobs.put(a.id, meta, bytes)).toBe(false);
      expect(new Uint8Array((await store.blobs.read(sha256))!)).toEqual(bytes);
      expect(await store.blobs.get(sha256)).toEqual(meta);
      const gridA = { sql: 'grid_id IN (?)', params: [GRID_A] };
      const none = { sql: '0 = 1', params: [] };
      const recordsA = { sql: 'r.grid_id IN (?)', params: [GRID_A] };
      expect(await store.blobs.mayRead(a.id, sha256, 'u1', none, none)).toBe(true);
      expect(await store.blobs.mayRead(a.id, sha256, 'u2', gridA, none)).toBe(true);
      // The same grid id in another town is another grid.
      expect(await store.blobs.mayRead(b.id, sha256, 'u2', gridA, none)).toBe(false);
      const problem = newProblem(GRID_A, { photoIds: [sha256] });
      await store.appendRecords(b.id, [{ kind: 'problems', record: problem }], null, T0);
      expect(await store.blobs.mayRead(b.id, sha256, 'u3', none, recordsA)).toBe(true);
      expect(await store.blobs.mayRead(a.id, sha256, 'u3', none, recordsA)).toBe(false);
      await store.close();
    });

    it('keeps the audit log and conflicts per town', async () => {
      const store = await open();
      const a = await townWith(store, 'A');
      const b = await townWith(store, 'B');
      await store.journal.audit(a.id, T0, 'u1', 'login', { address: '1' });
      await store.journal.audit(b.id, T0, 'u2', 'login', {});
      await store.journal.audit(null, T0, null, 'login-failed', { username: 'x' });
      await store.journal.audit(a.id, T0 + 1, 'u1', 'logout');
      expect((await store.journal.auditLog(a.id, 10)).map((e) => e.action)).toEqual(['logout', 'login']);
      expect(await store.journal.auditLog(a.id, 10, 'login')).toEqual([
        { id: expect.any(Number) as number, at: T0, userId: 'u1', action: 'login', detail: { address: '1' } },
      ]);
      expect((await store.journal.auditLog(null, 10)).map((e) => e.action)).toEqual(['login-failed']);
      const conflict = {
        kind: 'households' as const,
        recordId: 'h1',
        field: 'phone',
        overwritten: '1',
        value: '2',
        userId: 'u1',
        overwrittenClientId: 'c0',
        at: T0,
        gridId: GRID_A,
      };
      await store.journal.insertConflicts(a.id, [conflict, { ...conflict, gridId: GRID_B }]);
      const mine = await store.journal.conflicts(a.id, { sql: 'grid_id IN (?)', params: [GRID_A] }, 10);
      expect(mine.map(({ id: _id, ...rest }) => rest)).toEqual([conflict]);
      expect(await store.journal.conflicts(b.id, { sql: '1 = 1', params: [] }, 10)).toEqual([]);
      await store.close();
    });

    it('seeds the demo into an empty database once, two towns apart', async () => {
      const store = await open();
      const report = await seedDemo(store, { households: 120, kdf: TEST_KDF, now: T0, secondTown: true });
      expect(report.towns).toBe(2);
      const [main, second] = await Promise.all([store.towns.byCode('HX'), store.towns.byCode('QS')]);
      expect((await store.accounts.list(main!.id)).map((u) => u.role).sort()).toEqual(
        DEMO_ACCOUNTS.map((a) => a.role).sort(),
      );
      const worker = (await store.accounts.byUsername('wgy01'))!;
      expect((await store.records.get(main!.id, 'grids', worker.gridIds[0]!))?.data).toMatchObject({
        code: 'XF-01',
      });
      const theirs = (await store.accounts.byUsername('qs_wgy01'))!;
      expect(theirs.townId).toBe(second!.id);
      expect(await store.records.get(main!.id, 'grids', theirs.gridIds[0]!)).toBeUndefined();
      const again = await seedDemo(store, { households: 120, kdf: TEST_KDF, now: T0, secondTown: true });
      expect(again).toMatchObject({ records: 0, accounts: [] });
      await store.close();
    });
  });
}
