import { afterEach, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../src/server/demo.ts';
import { createServerApp } from '../../src/server/http/app.ts';
import type { Store } from '../../src/server/store/store.ts';
import { addTown, loadTown } from '../../src/server/town.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, type PullResponse } from '../../src/shared/protocol.ts';
import { openTestStore } from '../support/test-store.ts';

/**
 * A real deployment (DEMO=off): the server starts with nothing but an administrator; the town's grid
 * table and building table are loaded, accounts opened under them, and a worker's first sync brings
 * the grid and its buildings.
 */
const KDF = { N: 2 ** 10, r: 8, p: 1 };
const NOW = Date.UTC(2026, 10, 22, 2);
const csv = (rows: string[][]) =>
  new TextEncoder().encode(`\ufeff${rows.map((r) => r.join(',')).join('\r\n')}\r\n`);
const GRIDS = csv([
  ['编码', '名称', '类型', '上级编码'],
  ['QS', '青山镇', '镇/街道', ''],
  ['QS-HP', '和平社区', '社区', 'QS'],
  ['HP-01', '和平社区第1网格', '综合网格', 'QS-HP'],
  ['HP-02', '和平社区第2网格', '综合网格', 'QS-HP'],
]);
const BUILDINGS = csv([
  ['网格编码', '小区', '楼栋', '单元数', '楼层数', '电梯数', '消防栓数', '燃气管道', '供水管道'],
  ['HP-01', '和平里', '1栋', '2', '6', '0', '2', '有', '有'],
  ['HP-01', '和平里', '2栋', '2', '6', '', '', '有', '无'],
  ['HP-02', '和平花园', '1栋', '3', '18', '2', '4', '有', '有'],
]);

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** An empty database on the configured backend (SQLite in memory, or a fresh PostgreSQL database). */
async function emptyStore(): Promise<Store> {
  const store = await openTestStore();
  stores.push(store);
  return store;
}

/** The API over `store`, as a device calls it. */
function clientOf(store: Store) {
  const app = createServerApp({ store, kdf: KDF, now: () => NOW });
  const call = async (path: string, token: string | undefined, body?: unknown, method?: string) =>
    app.request(path, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: {
        'content-type': 'application/json',
        [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const login = async (username: string, password: string) => {
    const response = await call('/api/login', undefined, { username, password });
    if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  };
  return { call, login };
}

/** The one town ensureAdmin made for a fresh deployment. */
async function onlyTown(store: Store): Promise<string> {
  const towns = await store.towns.list();
  expect(towns).toHaveLength(1);
  return towns[0]!.id;
}

describe('loading a real town', () => {
  it('loads the grid tree and buildings; a worker opened under them syncs exactly their grid', async () => {
    const store = await emptyStore();
    const adminPassword = (await ensureAdmin(store, KDF))!;
    const townId = await onlyTown(store);
    expect(await loadTown(store, townId, { grids: GRIDS, buildings: BUILDINGS }, NOW)).toMatchObject({
      problems: [],
      grids: 4,
      buildings: 3,
    });
    // The same files again: nothing new is written.
    const version = await store.towns.version(townId);
    expect(await loadTown(store, townId, { grids: GRIDS, buildings: BUILDINGS }, NOW)).toMatchObject({
      grids: 0,
      unchanged: 7,
    });
    expect(await store.towns.version(townId)).toBe(version);

    const { call, login } = clientOf(store);

    const admin = await login('admin', adminPassword);
    const grids = (await (await call('/api/pull?cursor=0', admin)).json()) as PullResponse;
    const hp01 = grids.changes.find((c) => (c.data as { code?: string }).code === 'HP-01')!.id;
    const opened = await call('/api/admin/users', admin, {
      username: 'hp01',
      name: '赵敏',
      role: 'worker',
      gridIds: [hp01],
      password: 'heping-2026',
    });
    expect(opened.status).toBe(201);

    const worker = await login('hp01', 'heping-2026');
    const pulled = (await (await call('/api/pull?cursor=0', worker)).json()) as PullResponse;
    const buildings = pulled.changes
      .filter((c) => c.kind === 'buildings')
      .map((c) => c.data as { name: string });
    expect(buildings.map((b) => b.name).sort()).toEqual(['1栋', '2栋']);
    expect(pulled.changes.some((c) => (c.data as { code?: string }).code === 'HP-02')).toBe(false);

    // The grid moves to another community (the table corrected and loaded again): the worker's scope
    // changes (the community above is another), so the next pull starts over and brings the moved
    // grid and its new parent, and the device removes what it no longer gets.
    const moved = csv([
      ['编码', '名称', '类型', '上级编码'],
      ['QS', '青山镇', '镇/街道', ''],
      ['QS-HP', '和平社区', '社区', 'QS'],
      ['QS-XY', '新苑社区', '社区', 'QS'],
      ['HP-01', '和平社区第1网格', '综合网格', 'QS-XY'],
      ['HP-02', '和平社区第2网格', '综合网格', 'QS-HP'],
    ]);
    expect((await loadTown(store, townId, { grids: moved }, NOW)).problems).toEqual([]);
    const query = `cursor=${pulled.cursor}&scope=${encodeURIComponent(pulled.scopeKey)}`;
    const after = (await (await call(`/api/pull?${query}`, worker)).json()) as PullResponse;
    expect(after.rescoped).toBe(true);
    expect(after.scopeKey).not.toBe(pulled.scopeKey);
    const codes = after.changes
      .filter((c) => c.kind === 'grids')
      .map((c) => (c.data as { code: string }).code);
    expect(codes.sort()).toEqual(['HP-01', 'QS', 'QS-XY']);
    // With the scope unchanged, a pull goes on from its cursor as before.
    const again = `cursor=${after.cursor}&scope=${encodeURIComponent(after.scopeKey)}`;
    const next = (await (await call(`/api/pull?${again}`, worker)).json()) as PullResponse;
    expect(next.changes).toEqual([]);
    expect(next.rescoped).toBeUndefined();
  });

  it('writes nothing when a row has a problem, and says which', async () => {
    const store = await emptyStore();
    const { town } = await addTown(store, 'QS', '青山镇', NOW, KDF);
    const broken = csv([
      ['编码', '名称', '类型', '上级编码'],
      ['QS', '青山镇', '镇', ''],
      ['HP-01', '和平社区第1网格', '综合网格', 'QS-HP'],
    ]);
    const [records, version] = [await store.records.count(), await store.towns.version(town.id)];
    const report = await loadTown(store, town.id, { grids: broken }, NOW);
    expect(report.problems).toEqual([{ table: '网格表', line: 3, message: '上级编码 QS-HP 不存在' }]);
    expect(await store.records.count()).toBe(records);
    expect(await store.records.live(town.id, 'grids')).toEqual([]);
    expect(await store.towns.version(town.id)).toBe(version);
  });
});

describe('adding a town to the deployment', () => {
  it("gives a new town an administrator who can sign in and sees nothing of the other town's", async () => {
    const store = await emptyStore();
    const firstPassword = (await ensureAdmin(store, KDF))!;
    const firstTown = await onlyTown(store);
    await loadTown(store, firstTown, { grids: GRIDS, buildings: BUILDINGS }, NOW);
    const { call, login } = clientOf(store);
    const firstAdmin = await login('admin', firstPassword);
    // Something in the first town's audit log besides the sign-in.
    expect(
      (await call('/api/audit', firstAdmin, { action: 'export', detail: { what: '户籍表' } })).status,
    ).toBe(201);

    const added = await addTown(store, 'XY', '新苑镇', NOW, KDF);
    expect(added.town).toMatchObject({ code: 'XY', name: '新苑镇', version: 0 });
    expect(added.town.id).not.toBe(firstTown);
    expect(added.admin?.username).toBe('xy_admin');
    expect(added.admin!.password.length).toBeGreaterThanOrEqual(12);
    expect((await store.towns.list()).map((t) => t.code).sort()).toEqual(['XY', 'default']);
    const stored = (await store.accounts.byUsername('xy_admin'))!;
    expect(stored).toMatchObject({ townId: added.town.id, role: 'admin', gridIds: [], revokedAt: null });
    expect(stored.passwordHash).not.toContain(added.admin!.password);

    const admin = await login('xy_admin', added.admin!.password);
    const me = (await (await call('/api/me', admin)).json()) as { user: { role: string; gridIds: string[] } };
    expect(me.user).toMatchObject({ role: 'admin', gridIds: [] });
    // Nothing of the first town: no record, no account, no audit entry.
    const pulled = (await (await call('/api/pull?cursor=0', admin)).json()) as PullResponse;
    // Exactly what the new town holds (whatever a town starts with), and no grid or building of the first.
    const held = await store.sql.all<{ kind: string; id: string }>(
      'SELECT kind, id FROM records WHERE town_id = ?',
      [added.town.id],
    );
    expect(new Set(pulled.changes.map((c) => `${c.kind}/${c.id}`))).toEqual(
      new Set(held.map((r) => `${r.kind}/${r.id}`)),
    );
    expect(pulled.changes.filter((c) => c.kind === 'grids' || c.kind === 'buildings')).toEqual([]);
    expect(pulled).toMatchObject({ hasMore: false, cursor: await store.towns.version(added.town.id) });
    const users = (await (await call('/api/admin/users', admin)).json()) as { users: { username: string }[] };
    expect(users.users.map((u) => u.username)).toEqual(['xy_admin']);
    const audit = (await (await call('/api/admin/audit', admin)).json()) as {
      entries: { userId: string | null; action: string }[];
    };
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['create-town', 'login']);
    const firstAdminId = (await store.accounts.byUsername('admin'))!.id;
    expect(audit.entries.some((e) => e.userId === firstAdminId)).toBe(false);
    const firstUser = await call(`/api/admin/users/${firstAdminId}/password`, admin, {
      password: 'taken-over-2026',
    });
    expect(firstUser.status).toBe(404);

    // Nor does the first town's administrator see the new town.
    const firstUsers = (await (await call('/api/admin/users', firstAdmin)).json()) as {
      users: { username: string }[];
    };
    expect(firstUsers.users.map((u) => u.username)).toEqual(['admin']);
    const firstAudit = (await (await call('/api/admin/audit', firstAdmin)).json()) as {
      entries: { action: string }[];
    };
    expect(firstAudit.entries.map((e) => e.action)).not.toContain('create-town');

    // The new town loads its own grid table (the same codes as the first town's are fine) and pulls
    // only that; the first town's devices see none of it.
    const firstCursor = await store.towns.version(firstTown);
    expect(await loadTown(store, added.town.id, { grids: GRIDS }, NOW)).toMatchObject({
      problems: [],
      grids: 4,
    });
    const own = (await (await call('/api/pull?cursor=0', admin)).json()) as PullResponse;
    expect(own.changes.filter((c) => c.kind === 'grids')).toHaveLength(4);
    expect(own.changes.some((c) => c.kind === 'buildings')).toBe(false);
    const firstIds = new Set((await store.records.live(firstTown, 'grids')).map((g) => g.id));
    expect(own.changes.some((c) => firstIds.has(c.id))).toBe(false);
    expect(await store.towns.version(firstTown)).toBe(firstCursor);
    const firstNext = (await (
      await call(`/api/pull?cursor=${firstCursor}`, firstAdmin)
    ).json()) as PullResponse;
    expect(firstNext.changes).toEqual([]);
  });

  it('does not create a town twice: an existing code returns that town, without a new administrator', async () => {
    const store = await emptyStore();
    const first = await addTown(store, 'XY', '新苑镇', NOW, KDF);
    // Spaces around the name, as a shell line may carry them, are not part of it.
    const again = await addTown(store, 'XY', ' 新苑镇 ', NOW + 1000, KDF);
    expect(again.admin).toBeUndefined();
    expect((await store.towns.byCode('XY'))?.name).toBe('新苑镇');
    expect(again.town).toMatchObject({ id: first.town.id, code: 'XY', name: '新苑镇' });
    expect(await store.towns.list()).toHaveLength(1);
    expect(await store.accounts.count(first.town.id)).toBe(1);
    expect((await store.journal.auditLog(first.town.id, 10, 'create-town')).map((e) => e.detail)).toEqual([
      { code: 'XY', name: '新苑镇' },
    ]);
    // The first administrator's password still works: nothing was reset.
    const { login } = clientOf(store);
    await login('xy_admin', first.admin!.password);
  });

  it('refuses a bad town code or name with a Chinese message, and creates nothing', async () => {
    const store = await emptyStore();
    for (const code of ['', '青石', 'Q S', 'QS!', 'x'.repeat(33), '../QS'])
      await expect(addTown(store, code, '青石镇', NOW, KDF), JSON.stringify(code)).rejects.toThrow(
        /^镇编码只能用字母、数字、- 和 _/,
      );
    for (const name of ['', '   ', '镇'.repeat(41)])
      await expect(addTown(store, 'QS', name, NOW, KDF), JSON.stringify(name)).rejects.toThrow(
        '镇名称不能为空，最多 40 个字',
      );
    expect(await store.towns.list()).toEqual([]);
    expect(await store.accounts.count()).toBe(0);
  });

  it("refuses a code whose administrator's username another town's account already holds", async () => {
    const store = await emptyStore();
    await addTown(store, 'XY', '新苑镇', NOW, KDF);
    // Codes are case-sensitive, usernames are not: xy and XY would share xy_admin.
    await expect(addTown(store, 'xy', '另一个镇', NOW, KDF)).rejects.toThrow(/用户名 xy_admin 已被使用/);
    expect((await store.towns.list()).map((t) => t.code)).toEqual(['XY']);
  });
});
