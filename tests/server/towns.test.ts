/**
 * Many towns on one deployment: scope never crosses towns. 青石镇's accounts (qs_wgy01, a worker of its
 * XF-01, and qs_admin) pull, push, fetch photos and administer only 青石镇, although 红星镇 has a grid
 * of the same code and every id of 红星镇 can be named in a request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOWNS } from '../../src/server/demo.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Household } from '../../src/shared/schemas/index.ts';
import {
  createHarness,
  errorOf,
  householdUpdate,
  newClientId,
  newHousehold,
  newProblem,
  numbered,
  PROTOCOL_HEADERS,
  type Harness,
} from './harness.ts';

let h: Harness;
/** 青石镇's town id. */
let qsTown: string;
/** Every id of a 红星镇 record (grids, buildings, households, people, problems...). */
let hongxingIds: Set<string>;
let hongxingAccountIds: Set<string>;
let qsAccountIds: Set<string>;
let qsWorker: string;
let qsAdmin: string;
let hxAdmin: string;
/** A household of 红星镇's XF-01 (qs_wgy01's grid has the same code in 青石镇). */
let hxHousehold: Household;
let hxProblem: string;
let hxPhoto: string;

async function recordsOf<K extends RecordKind>(townId: string, kind: K, gridId?: string) {
  const rows = await h.store.sql.all<{ data: string }>(
    gridId === undefined
      ? 'SELECT data FROM records WHERE town_id = ? AND kind = ? AND is_deleted = 0 ORDER BY version'
      : 'SELECT data FROM records WHERE town_id = ? AND kind = ? AND grid_id = ? AND is_deleted = 0 ORDER BY version',
    gridId === undefined ? [townId, kind] : [townId, kind, gridId],
  );
  return rows.map((r) => JSON.parse(r.data) as RecordOf<K>);
}

async function qsGrid(code: string): Promise<string> {
  const grid = (await h.store.records.live(qsTown, 'grids')).find((g) => g.code === code);
  if (!grid) throw new Error(`青石镇 has no grid ${code}`);
  return grid.id;
}

function photo(): { bytes: Uint8Array<ArrayBuffer>; sha256: string } {
  const bytes = new Uint8Array(256);
  bytes.set(randomBytes(256));
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

beforeAll(async () => {
  h = await createHarness({ households: 150, problems: true, secondTown: true });
  qsTown = (await h.store.towns.byCode(DEMO_TOWNS.second.code))!.id;
  expect(qsTown).not.toBe(h.townId);
  const idsOf = async (townId: string) =>
    (await h.store.sql.all<{ id: string }>('SELECT id FROM records WHERE town_id = ?', [townId])).map(
      (r) => r.id,
    );
  // An id both towns hold (a default every town starts with) is each town's own record, not a leak.
  const qsIds = new Set(await idsOf(qsTown));
  hongxingIds = new Set((await idsOf(h.townId)).filter((id) => !qsIds.has(id)));
  hongxingAccountIds = new Set((await h.store.accounts.list(h.townId)).map((u) => u.id));
  qsAccountIds = new Set((await h.store.accounts.list(qsTown)).map((u) => u.id));
  expect(hongxingIds.size).toBeGreaterThan(100);

  qsWorker = await h.login('qs_wgy01');
  qsAdmin = await h.login('qs_admin');
  hxAdmin = await h.login('admin');
  hxHousehold = (await h.recordsIn('households', h.grid('XF-01')))[0]!;
  hxProblem = (await h.store.records.live(h.townId, 'problems'))[0]!.id;

  // A 红星镇 photo, uploaded for its XF-01 and named by one of its problems.
  const worker = await h.login('wgy01');
  const p = photo();
  hxPhoto = p.sha256;
  const uploaded = await h.call('PUT', `/api/blobs/${p.sha256}`, {
    token: worker,
    rawBody: p.bytes,
    headers: { 'content-type': 'image/jpeg', 'x-lianxin-grid': h.grid('XF-01') },
  });
  expect(uploaded.status).toBe(201);
  const withPhoto = newProblem(h.grid('XF-01'), { photoIds: [hxPhoto] });
  const reported = await h.push(worker, newClientId(), [
    { mutationId: 1, name: 'problem.report', args: { problem: withPhoto } },
  ]);
  expect(reported.results[0]!.status).toBe('applied');
  hongxingIds.add(withPhoto.id);

  // One conflict in each town.
  const hxHouse = (await h.recordsIn('households', h.grid('XF-02')))[0]!;
  await h.push(
    await h.login('wgy02'),
    newClientId(),
    numbered([householdUpdate(hxHouse.id, { notes: '甲' })]),
  );
  await h.push(hxAdmin, newClientId(), numbered([householdUpdate(hxHouse.id, { notes: '乙' })]));
  const qsHouse = (await recordsOf(qsTown, 'households', await qsGrid('XF-01')))[0]!;
  await h.push(qsWorker, newClientId(), numbered([householdUpdate(qsHouse.id, { notes: '丙' })]));
  await h.push(qsAdmin, newClientId(), numbered([householdUpdate(qsHouse.id, { notes: '丁' })]));
});

/** Fails naming the first id of a 红星镇 record found in the text. */
function expectNoHongxingId(text: string, what: string) {
  for (const id of hongxingIds) expect(text.includes(id), `${what} names 红星镇's ${id}`).toBe(false);
}

describe('pull never crosses towns', () => {
  it("gives qs_wgy01 its own XF-01 and nothing of 红星镇's (whose XF-01 has the same code)", async () => {
    const changes = await h.pullAll(qsWorker, newClientId());
    const households = changes.filter((c) => c.kind === 'households');
    expect(households.length).toBeGreaterThan(0);
    const own = await qsGrid('XF-01');
    expect(households.every((c) => (c.data as { gridId: string }).gridId === own)).toBe(true);
    expect(changes.filter((c) => hongxingIds.has(c.id))).toEqual([]);
    expectNoHongxingId(JSON.stringify(changes), 'qs_wgy01 pull');
  });

  it('gives qs_admin (town-wide) the whole of 青石镇 and nothing of 红星镇', async () => {
    const changes = await h.pullAll(qsAdmin);
    const qsIds = await h.store.sql.all<{ id: string }>('SELECT id FROM records WHERE town_id = ?', [qsTown]);
    expect(new Set(changes.map((c) => c.id))).toEqual(new Set(qsIds.map((r) => r.id)));
    expectNoHongxingId(JSON.stringify(changes), 'qs_admin pull');
    // The grids it is told it covers are 青石镇's.
    const me = (await (await h.call('GET', '/api/me', { token: qsAdmin })).json()) as {
      user: { gridIds: string[] };
    };
    expect(me.user.gridIds.length).toBeGreaterThan(0);
    expect(me.user.gridIds.filter((id) => hongxingIds.has(id))).toEqual([]);
  });

  it('leaves each town its own counter: a cursor of the other town is not one of this town', async () => {
    const versions = [
      { token: qsAdmin, version: await h.store.towns.version(qsTown) },
      { token: hxAdmin, version: await h.store.towns.version(h.townId) },
    ].sort((a, b) => a.version - b.version);
    const [behind, ahead] = versions as [(typeof versions)[0], (typeof versions)[0]];
    expect(ahead.version).toBeGreaterThan(behind.version);
    const pull = (token: string) =>
      h.call('GET', `/api/pull?cursor=${behind.version + 1}`, { token, headers: PROTOCOL_HEADERS });
    // Beyond the town that is behind, though well within the other one's.
    expect(await errorOf(await pull(behind.token))).toMatchObject({ status: 409 });
    expect((await pull(ahead.token)).status).toBe(200);
  });
});

describe('push never crosses towns', () => {
  const expectRefused = (result: { status: string; reason?: string } | undefined) => {
    expect(result?.status).toBe('rejected');
    expect(['forbidden', 'not-found']).toContain(result?.reason);
  };

  it('refuses a mutation naming a 红星镇 household, from a worker or the town-wide admin', async () => {
    const before = (await h.store.records.get(h.townId, 'households', hxHousehold.id))!;
    for (const [who, token] of [
      ['qs_wgy01', qsWorker],
      ['qs_admin', qsAdmin],
    ] as const) {
      const clientId = newClientId();
      const answer = await h.push(
        token,
        clientId,
        numbered([householdUpdate(hxHousehold.id, { notes: `${who} 越镇`, phone: '13900009999' })]),
      );
      expectRefused(answer.results[0]);
      // The device is told to hold nothing of it.
      expect(answer.records).toEqual([
        expect.objectContaining({ kind: 'households', id: hxHousehold.id, isDeleted: true }),
      ]);
      expect(JSON.stringify(answer)).not.toContain(hxHousehold.address);
      expect((await h.store.clients.mutationLog(clientId)).map((m) => m.status)).toEqual(['rejected']);
    }
    const after = (await h.store.records.get(h.townId, 'households', hxHousehold.id))!;
    expect(after).toEqual(before);
    // Nor did it appear in 青石镇 under that id.
    expect(await h.store.records.get(qsTown, 'households', hxHousehold.id)).toBeUndefined();
  });

  it('refuses acting on a 红星镇 problem, and using a 红星镇 photo', async () => {
    const before = (await h.store.records.get(h.townId, 'problems', hxProblem))!;
    const act = await h.push(qsAdmin, newClientId(), [
      {
        mutationId: 1,
        name: 'problem.act',
        args: { id: hxProblem, action: 'progress', payload: { note: '越镇跟进' }, at: h.clock.now },
      },
    ]);
    expectRefused(act.results[0]);
    expect(await h.store.records.get(h.townId, 'problems', hxProblem)).toEqual(before);

    const probe = newProblem(await qsGrid('XF-01'), { photoIds: [hxPhoto] });
    const report = await h.push(qsWorker, newClientId(), [
      { mutationId: 1, name: 'problem.report', args: { problem: probe } },
    ]);
    expect(report.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(await h.store.records.get(qsTown, 'problems', probe.id)).toBeUndefined();
    for (const token of [qsWorker, qsAdmin])
      expect((await h.call('GET', `/api/blobs/${hxPhoto}`, { token })).status).toBe(404);
  });

  it("refuses a worker's record in 红星镇's grid of the same code", async () => {
    const foreign = newHousehold(h.grid('XF-01'));
    const answer = await h.push(qsWorker, newClientId(), [
      { mutationId: 1, name: 'household.create', args: { household: foreign, people: [] } },
    ]);
    expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(await h.store.records.get(qsTown, 'households', foreign.id)).toBeUndefined();
    expect(await h.store.records.get(h.townId, 'households', foreign.id)).toBeUndefined();
  });

  it("refuses the town-wide admin a record in a grid its town does not have (红星镇's, or none at all)", async () => {
    for (const gridId of [h.grid('XF-01'), '01900000-0000-7000-8000-0000000ffff1']) {
      const stray = newHousehold(gridId);
      const answer = await h.push(qsAdmin, newClientId(), [
        { mutationId: 1, name: 'household.create', args: { household: stray, people: [] } },
      ]);
      expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' });
      expect((answer.results[0] as { message?: string }).message).toContain('没有这个网格');
      expect(await h.store.records.get(qsTown, 'households', stray.id)).toBeUndefined();
    }
  });
});

describe('administration never crosses towns', () => {
  it('lists only 青石镇 accounts to qs_admin, and only 红星镇 accounts to admin', async () => {
    const listed = async (token: string) =>
      (
        (await (await h.call('GET', '/api/admin/users', { token })).json()) as { users: { id: string }[] }
      ).users
        .map((u) => u.id)
        .sort();
    expect(await listed(qsAdmin)).toEqual([...qsAccountIds].sort());
    expect(await listed(hxAdmin)).toEqual([...hongxingAccountIds].sort());
    const names = (await (await h.call('GET', '/api/admin/users', { token: qsAdmin })).json()) as {
      users: { username: string }[];
    };
    expect(names.users.map((u) => u.username).sort()).toEqual(['qs_admin', 'qs_wgy01']);
  });

  it('answers 404 for a 红星镇 account, whatever qs_admin tries on it', async () => {
    const target = (await h.store.accounts.byUsername('wgy01'))!;
    const patched = await h.call('PATCH', `/api/admin/users/${target.id}`, {
      token: qsAdmin,
      body: { gridIds: [await qsGrid('XF-01')] },
    });
    expect(await errorOf(patched)).toMatchObject({
      status: 404,
      reason: 'not-found',
      message: '没有这个账号',
    });
    const reset = await h.call('POST', `/api/admin/users/${target.id}/password`, {
      token: qsAdmin,
      body: { password: 'taken-over-2026' },
    });
    expect(await errorOf(reset)).toMatchObject({ status: 404, reason: 'not-found' });
    const revoke = await h.call('POST', `/api/admin/users/${target.id}/revoke`, { token: qsAdmin });
    expect(await errorOf(revoke)).toMatchObject({ status: 404, reason: 'not-found' });
    expect(await h.store.accounts.get(target.id)).toEqual(target);
    // Still signs in with the old password.
    await h.login('wgy01');
  });

  it('gives no 青石镇 account a 红星镇 grid', async () => {
    const worker = (await h.store.accounts.byUsername('qs_wgy01'))!;
    const patched = await h.call('PATCH', `/api/admin/users/${worker.id}`, {
      token: qsAdmin,
      body: { gridIds: [h.grid('XF-01')] },
    });
    expect(await errorOf(patched)).toMatchObject({
      status: 400,
      message: `没有这个网格：${h.grid('XF-01')}`,
    });
    const opened = await h.call('POST', '/api/admin/users', {
      token: qsAdmin,
      body: {
        username: 'qs_wgy09',
        name: '越镇',
        role: 'worker',
        gridIds: [h.grid('XF-02')],
        password: 'qingshi-2026',
      },
    });
    expect(await errorOf(opened)).toMatchObject({ status: 400 });
    expect(await h.store.accounts.byUsername('qs_wgy09')).toBeUndefined();
    expect((await h.store.accounts.get(worker.id))!.gridIds).toEqual([await qsGrid('XF-01')]);
  });

  it('shows each town only its own conflicts', async () => {
    type Conflict = { recordId: string; gridId: string | null; userId: string };
    const conflicts = async (token: string) =>
      ((await (await h.call('GET', '/api/conflicts', { token })).json()) as { conflicts: Conflict[] })
        .conflicts;
    const qs = await conflicts(qsAdmin);
    expect(qs).toHaveLength(1);
    expect(qs.every((c) => !hongxingIds.has(c.recordId) && qsAccountIds.has(c.userId))).toBe(true);
    const hx = await conflicts(hxAdmin);
    expect(hx).toHaveLength(1);
    expect(hx.every((c) => hongxingIds.has(c.recordId) && hongxingAccountIds.has(c.userId))).toBe(true);
  });

  it('shows each town only its own audit log', async () => {
    type Entry = { userId: string | null; action: string; detail: unknown };
    const audit = async (token: string) =>
      ((await (await h.call('GET', '/api/admin/audit?limit=1000', { token })).json()) as { entries: Entry[] })
        .entries;
    // An entry of each town that the other must not see.
    await h.call('POST', '/api/audit', {
      token: qsAdmin,
      body: { action: 'export', detail: { what: '青石镇名册' } },
    });
    await h.call('POST', '/api/audit', {
      token: hxAdmin,
      body: { action: 'export', detail: { what: '红星镇名册' } },
    });

    const qs = await audit(qsAdmin);
    expect(qs.map((e) => e.action)).toEqual(expect.arrayContaining(['login', 'export']));
    expect(qs.filter((e) => e.userId !== null && !qsAccountIds.has(e.userId))).toEqual([]);
    expect(JSON.stringify(qs)).not.toContain('红星镇名册');
    expectNoHongxingId(JSON.stringify(qs), 'qs_admin audit');

    const hx = await audit(hxAdmin);
    expect(hx.map((e) => e.action)).toEqual(expect.arrayContaining(['login', 'export']));
    expect(hx.filter((e) => e.userId !== null && !hongxingAccountIds.has(e.userId))).toEqual([]);
    expect(JSON.stringify(hx)).not.toContain('青石镇名册');
  });
});
