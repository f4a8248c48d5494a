import { describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../src/server/demo.ts';
import { createServerApp } from '../../src/server/http/app.ts';
import { openStore } from '../../src/server/store/store.ts';
import { loadTown } from '../../src/server/town.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, type PullResponse } from '../../src/shared/protocol.ts';

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

describe('loading a real town', () => {
  it('loads the grid tree and buildings; a worker opened under them syncs exactly their grid', async () => {
    const store = openStore({ file: ':memory:' });
    const adminPassword = (await ensureAdmin(store, KDF))!;
    expect(loadTown(store, { grids: GRIDS, buildings: BUILDINGS }, NOW)).toMatchObject({
      problems: [],
      grids: 4,
      buildings: 3,
    });
    // The same files again: nothing new is written.
    const version = store.currentVersion();
    expect(loadTown(store, { grids: GRIDS, buildings: BUILDINGS }, NOW)).toMatchObject({
      grids: 0,
      unchanged: 7,
    });
    expect(store.currentVersion()).toBe(version);

    const app = createServerApp({ store, kdf: KDF, now: () => NOW });
    const call = async (path: string, token: string | undefined, body?: unknown) =>
      app.request(path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          'content-type': 'application/json',
          [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const login = async (username: string, password: string) =>
      ((await (await call('/api/login', undefined, { username, password })).json()) as { token: string })
        .token;

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
    expect(loadTown(store, { grids: moved }, NOW).problems).toEqual([]);
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

  it('writes nothing when a row has a problem, and says which', () => {
    const store = openStore({ file: ':memory:' });
    const broken = csv([
      ['编码', '名称', '类型', '上级编码'],
      ['QS', '青山镇', '镇', ''],
      ['HP-01', '和平社区第1网格', '综合网格', 'QS-HP'],
    ]);
    const report = loadTown(store, { grids: broken }, NOW);
    expect(report.problems).toEqual([{ table: '网格表', line: 3, message: '上级编码 QS-HP 不存在' }]);
    expect(store.countRecords()).toBe(0);
  });
});
