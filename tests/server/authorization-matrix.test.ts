/**
 * Every endpoint x every role x own grid / other grid, plus a revoked user and an anonymous caller.
 * Besides the status of each call, every response body a role receives is searched for the ids of
 * another grid's records and (for roles that may not see them) for ID numbers: none may appear.
 */
import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/shared/domain/ids.ts';
import { RESIDENT_TOKEN_BYTES, residentTokenFrom } from '../../src/shared/domain/grid-team.ts';
import { taskItemId } from '../../src/shared/domain/task-ids.ts';
import { PROTOCOL_VERSION, type PushResponse } from '../../src/shared/protocol.ts';
import {
  createHarness,
  householdUpdate,
  newClientId,
  newProblem,
  numbered,
  PROTOCOL_HEADERS,
  type Harness,
  type TestMutation,
} from './harness.ts';

type Principal = 'worker' | 'helper' | 'leader' | 'center' | 'department' | 'admin' | 'revoked' | 'anonymous';
const PRINCIPALS: Principal[] = [
  'worker',
  'helper',
  'leader',
  'center',
  'department',
  'admin',
  'revoked',
  'anonymous',
];
const USERNAMES: Record<Exclude<Principal, 'anonymous'>, string> = {
  worker: 'wgy01',
  helper: 'zxh01',
  leader: 'wgz01',
  center: 'zhzx',
  department: 'pcs',
  admin: 'admin',
  revoked: 'revoked01',
};
/** Roles that cover the whole town, the other grid (HK-01) included. */
const TOWN_WIDE = new Set<Principal>(['center', 'admin']);
const SEES_ID_NUMBERS = new Set<Principal>(['worker', 'leader', 'admin']);
const isSignedOut = (p: Principal) => p === 'revoked' || p === 'anonymous';

let h: Harness;
const tokens = new Map<Principal, string | undefined>();
/** Ids of the other grid's records: none may reach a role that does not cover it. */
const otherGridIds: string[] = [];
const idNumbers: string[] = [];
let ownHousehold: string;
let otherHousehold: string;
let otherProblem: string;
let ownPhoto: string;
let otherPhoto: string;
let throwawayUser: string;
/** The center's task over a household of each grid (beforeAll). */
const TASK_ID = newId();
const taskCreate = (id: string, kind: string, ids: string[]): TestMutation => ({
  mutationId: 0,
  name: 'task.create',
  args: {
    task: { id, title: '政策宣传', kind: 'policy-outreach', dueDate: '2099-01-01', targetKind: kind },
    targets: { kind, ids },
    at: h.clock.now,
  },
});
const itemDone = (household: string): TestMutation => ({
  mutationId: 0,
  name: 'taskItem.complete',
  args: {
    id: taskItemId(TASK_ID, household),
    taskId: TASK_ID,
    result: 'done',
    photoIds: [],
    at: h.clock.now,
  },
});

function photo(): { bytes: Uint8Array<ArrayBuffer>; sha256: string } {
  const bytes = new Uint8Array(512);
  bytes.set(randomBytes(512));
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function upload(token: string, gridCode: string) {
  const p = photo();
  const response = await h.call('PUT', `/api/blobs/${p.sha256}`, {
    token,
    rawBody: p.bytes,
    headers: { 'content-type': 'image/jpeg', 'x-lianxin-grid': h.grid(gridCode) },
  });
  expect(response.status).toBe(201);
  return p.sha256;
}

const dispatchTo = (id: string, deptId: string, name: string): TestMutation => ({
  mutationId: 0,
  name: 'problem.act',
  args: {
    id,
    action: 'dispatch',
    payload: { assignee: { kind: 'department', id: deptId, name } },
    at: Date.now(),
  },
});

beforeAll(async () => {
  h = await createHarness({ households: 150 });
  await h.addUser({ username: 'wgyhk', role: 'worker', gridCodes: ['HK-01'], name: '河口网格员' });
  const revokedId = await h.addUser({ username: 'revoked01', role: 'worker', gridCodes: ['XF-01'] });
  throwawayUser = await h.addUser({ username: 'leaving', role: 'worker', gridCodes: ['XF-01'] });
  for (const principal of PRINCIPALS)
    tokens.set(principal, principal === 'anonymous' ? undefined : await h.login(USERNAMES[principal]));
  await h.store.accounts.revoke(revokedId, h.clock.now);

  const villageWorker = await h.login('wgyhk');
  const leader = tokens.get('leader')!;
  const center = tokens.get('center')!;
  // Own grid (XF-01): a problem with a photo, dispatched to the police (the department in the matrix).
  ownPhoto = await upload(tokens.get('worker')!, 'XF-01');
  const own = newProblem(h.grid('XF-01'), { photoIds: [ownPhoto] });
  await h.push(
    tokens.get('worker')!,
    newClientId(),
    numbered([{ mutationId: 0, name: 'problem.report', args: { problem: own } }]),
  );
  await h.push(leader, newClientId(), numbered([dispatchTo(own.id, 'dept-police', '派出所')]));
  // Other grid (HK-01): a problem with a photo dispatched to another department, and a conflict.
  otherPhoto = await upload(villageWorker, 'HK-01');
  const other = newProblem(h.grid('HK-01'), { photoIds: [otherPhoto] });
  otherProblem = other.id;
  await h.push(
    villageWorker,
    newClientId(),
    numbered([{ mutationId: 0, name: 'problem.report', args: { problem: other } }]),
  );
  await h.push(center, newClientId(), numbered([dispatchTo(other.id, 'dept-market', '市场监管所')]));
  otherHousehold = (await h.recordsIn('households', h.grid('HK-01')))[0]!.id;
  await h.push(villageWorker, newClientId(), numbered([householdUpdate(otherHousehold, { notes: '甲' })]));
  await h.push(center, newClientId(), numbered([householdUpdate(otherHousehold, { notes: '乙' })]));
  ownHousehold = (await h.recordsIn('households', h.grid('XF-01')))[0]!.id;
  const task = taskCreate(TASK_ID, 'household', [ownHousehold, otherHousehold]);
  expect((await h.push(center, newClientId(), numbered([task]))).results[0]!.status).toBe('applied');
  otherGridIds.push(taskItemId(TASK_ID, otherHousehold));

  otherGridIds.push(h.grid('HK-01'), other.id, otherPhoto);
  for (const kind of ['households', 'people'] as const)
    otherGridIds.push(...(await h.recordsIn(kind, h.grid('HK-01'))).map((r) => r.id));
  for (const code of ['XF-01', 'HK-01'])
    idNumbers.push(
      ...(await h.recordsIn('people', h.grid(code))).flatMap((p) => (p.idNumber ? [p.idNumber] : [])),
    );
  expect(otherGridIds.length).toBeGreaterThan(5);
  expect(idNumbers.length).toBeGreaterThan(5);
});

/** Makes the call as `principal` and checks the body leaks nothing that principal may not see. */
async function as(
  principal: Principal,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string>; rawBody?: BodyInit } = {},
) {
  const token = tokens.get(principal);
  const response = await h.call(method, path, { ...init, ...(token ? { token } : {}) });
  const isBinary = (response.headers.get('content-type') ?? '').startsWith('image/');
  const text = isBinary ? '' : await response.clone().text();
  // An id the caller sent itself may come back (a refused push names the records it touched, as
  // tombstones without data); any other id of another grid is a leak.
  const sent = JSON.stringify(init.body ?? '') + path;
  if (!TOWN_WIDE.has(principal))
    for (const id of otherGridIds.filter((id) => !sent.includes(id)))
      expect(text, `${principal} ${path} leaks ${id}`).not.toContain(id);
  if (!SEES_ID_NUMBERS.has(principal))
    for (const idNumber of idNumbers)
      expect(text, `${principal} ${path} leaks an ID number`).not.toContain(idNumber);
  return response;
}

async function pushAs(
  principal: Principal,
  mutation: TestMutation,
): Promise<{ status: number; body?: PushResponse }> {
  const clientId = newClientId();
  const response = await as(principal, 'POST', '/api/push', {
    body: {
      protocolVersion: PROTOCOL_VERSION,
      clientId,
      mutations: [{ ...mutation, mutationId: 1, clientId, createdAt: h.clock.now }],
    },
  });
  return response.status === 200
    ? { status: 200, body: (await response.json()) as PushResponse }
    : { status: response.status };
}

/** The outcome of a one-mutation push: 'applied', a rejection reason, or the HTTP status. */
async function pushOutcome(principal: Principal, mutation: TestMutation): Promise<string | number> {
  const { status, body } = await pushAs(principal, mutation);
  if (!body) return status;
  const result = body.results[0]!;
  return result.status === 'applied' ? 'applied' : (result.reason ?? result.status);
}

describe.each(PRINCIPALS)('as %s', (principal) => {
  const signedOut = isSignedOut(principal);

  it('GET /api/me', async () => {
    expect((await as(principal, 'GET', '/api/me')).status).toBe(signedOut ? 401 : 200);
  });

  it('GET /api/pull: only records in scope', async () => {
    const response = await as(principal, 'GET', '/api/pull?cursor=0&limit=5000', {
      headers: PROTOCOL_HEADERS,
    });
    expect(response.status).toBe(signedOut ? 401 : 200);
    if (signedOut) return;
    const { changes, hasMore } = (await response.json()) as {
      changes: { kind: string; data: { gridId?: string } }[];
      hasMore: boolean;
    };
    expect(hasMore).toBe(false);
    if (principal === 'department')
      expect([...new Set(changes.map((c) => c.kind))].sort()).toEqual(['departments', 'problems']);
    else expect(changes.some((c) => c.kind === 'households')).toBe(true);
    const sawOtherGrid = changes.some((c) => c.data?.gridId === h.grid('HK-01'));
    expect(sawOtherGrid).toBe(TOWN_WIDE.has(principal));
  });

  it('POST /api/push: a household of their own grid', async () => {
    const expected = signedOut ? 401 : principal === 'department' ? 'forbidden' : 'applied';
    expect(
      await pushOutcome(principal, householdUpdate(ownHousehold, { notes: `${principal} 到此一访` })),
    ).toBe(expected);
  });

  it('POST /api/push: a household of another grid', async () => {
    const expected = signedOut ? 401 : TOWN_WIDE.has(principal) ? 'applied' : 'forbidden';
    const mutation = householdUpdate(otherHousehold, { notes: `${principal} 越界` });
    expect(await pushOutcome(principal, mutation)).toBe(expected);
    if (expected !== 'forbidden') return;
    // The refusal tells the device to hold nothing of it: a tombstone, no data, and a version that
    // says nothing about whether the record exists.
    const { body } = await pushAs(principal, mutation);
    expect(body?.records).toEqual([
      {
        kind: 'households',
        id: otherHousehold,
        version: await h.store.towns.version(h.townId),
        isDeleted: true,
      },
    ]);
  });

  it('POST /api/push: a problem of another grid', async () => {
    const progress: TestMutation = {
      mutationId: 0,
      name: 'problem.act',
      args: { id: otherProblem, action: 'progress', payload: { note: `${principal} 跟进` }, at: h.clock.now },
    };
    const expected = signedOut ? 401 : TOWN_WIDE.has(principal) ? 'applied' : 'forbidden';
    expect(await pushOutcome(principal, progress)).toBe(expected);
  });

  it('POST /api/push: cadence.set of their own grid and of another grid', async () => {
    const cadence = (gridCode: string): TestMutation => ({
      mutationId: 0,
      name: 'cadence.set',
      args: {
        gridId: h.grid(gridCode),
        config: { byTag: { 'empty-nest': 'daily' }, everyoneElse: 'quarterly' },
        at: h.clock.now,
      },
    });
    const setsCadence = ['leader', 'center', 'admin'].includes(principal);
    expect(await pushOutcome(principal, cadence('XF-01'))).toBe(
      signedOut ? 401 : setsCadence ? 'applied' : 'forbidden',
    );
    expect(await pushOutcome(principal, cadence('HK-01'))).toBe(
      signedOut ? 401 : TOWN_WIDE.has(principal) ? 'applied' : 'forbidden',
    );
  });

  it('POST /api/push: gridTeam.set and gridTeam.rotateToken of their own grid and of another grid', async () => {
    const token = () => residentTokenFrom(crypto.getRandomValues(new Uint8Array(RESIDENT_TOKEN_BYTES)));
    const team = (gridCode: string): TestMutation => ({
      mutationId: 0,
      name: 'gridTeam.set',
      args: {
        gridId: h.grid(gridCode),
        team: { members: [{ name: `${principal} 的团队`, role: 'leader' }] },
        token: token(),
        at: h.clock.now,
      },
    });
    const rotate = (gridCode: string): TestMutation => ({
      mutationId: 0,
      name: 'gridTeam.rotateToken',
      args: { gridId: h.grid(gridCode), token: token(), at: h.clock.now },
    });
    const edits = ['leader', 'center', 'admin'].includes(principal);
    for (const mutation of [team, rotate]) {
      expect(await pushOutcome(principal, mutation('XF-01'))).toBe(
        signedOut ? 401 : edits ? 'applied' : 'forbidden',
      );
      expect(await pushOutcome(principal, mutation('HK-01'))).toBe(
        signedOut ? 401 : TOWN_WIDE.has(principal) ? 'applied' : 'forbidden',
      );
    }
  });

  it('POST /api/push: task.create and taskItem.complete, in their own grid and in another grid', async () => {
    const outcome = (mutation: TestMutation) => pushOutcome(principal, mutation);
    const issues = ['leader', 'center', 'admin'].includes(principal);
    expect(await outcome(taskCreate(newId(), 'grid', [h.grid('XF-01')]))).toBe(
      signedOut ? 401 : issues ? 'applied' : 'forbidden',
    );
    expect(await outcome(taskCreate(newId(), 'grid', [h.grid('HK-01')]))).toBe(
      signedOut ? 401 : TOWN_WIDE.has(principal) ? 'applied' : 'forbidden',
    );
    // The grid's own people do the items; the center follows them, it does not do them.
    const doesItems = ['worker', 'helper', 'leader'].includes(principal);
    expect(await outcome(itemDone(ownHousehold))).toBe(signedOut ? 401 : doesItems ? 'applied' : 'forbidden');
    expect(await outcome(itemDone(otherHousehold))).toBe(signedOut ? 401 : 'forbidden');
  });

  it('PUT /api/blobs/:sha256', async () => {
    const p = photo();
    const response = await as(principal, 'PUT', `/api/blobs/${p.sha256}`, {
      rawBody: p.bytes,
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(response.status).toBe(signedOut ? 401 : 201);
  });

  it('GET /api/blobs/:sha256: own grid and other grid', async () => {
    const own = await as(principal, 'GET', `/api/blobs/${ownPhoto}`);
    expect(own.status).toBe(signedOut ? 401 : 200);
    const other = await as(principal, 'GET', `/api/blobs/${otherPhoto}`);
    expect(other.status).toBe(signedOut ? 401 : TOWN_WIDE.has(principal) ? 200 : 404);
  });

  it('GET /api/conflicts', async () => {
    const expected = signedOut ? 401 : ['leader', 'center', 'admin'].includes(principal) ? 200 : 403;
    const response = await as(principal, 'GET', '/api/conflicts');
    expect(response.status).toBe(expected);
    if (expected !== 200) return;
    const { conflicts } = (await response.json()) as { conflicts: { gridId: string }[] };
    expect(conflicts.some((c) => c.gridId === h.grid('HK-01'))).toBe(TOWN_WIDE.has(principal));
  });

  it('admin endpoints', async () => {
    const expected = signedOut ? 401 : principal === 'admin' ? 200 : 403;
    expect((await as(principal, 'GET', '/api/admin/users')).status).toBe(expected);
    expect((await as(principal, 'GET', '/api/admin/audit')).status).toBe(expected);
    if (principal !== 'admin') {
      expect((await as(principal, 'POST', `/api/admin/users/${throwawayUser}/revoke`)).status).toBe(expected);
      const password = { body: { password: 'not-allowed-2026' } };
      expect(
        (await as(principal, 'POST', `/api/admin/users/${throwawayUser}/password`, password)).status,
      ).toBe(expected);
      const account = {
        username: `by-${principal}`,
        name: '越权',
        role: 'admin',
        password: 'not-allowed-2026',
      };
      expect((await as(principal, 'POST', '/api/admin/users', { body: account })).status).toBe(expected);
      // Taking over another grid (HK-01) is the administrator's to grant, never the account's own.
      const grids = { body: { gridIds: [h.grid('XF-01'), h.grid('HK-01')] } };
      expect((await as(principal, 'PATCH', `/api/admin/users/${throwawayUser}`, grids)).status).toBe(
        expected,
      );
      expect((await h.store.accounts.get(throwawayUser))!.gridIds).toEqual([h.grid('XF-01')]);
    } else {
      const account = { username: 'matrix-center', name: '值班', role: 'center', password: 'allowed-2026' };
      expect((await as(principal, 'POST', '/api/admin/users', { body: account })).status).toBe(201);
      const grids = { body: { gridIds: [h.grid('XF-01')] } };
      expect((await as(principal, 'PATCH', `/api/admin/users/${throwawayUser}`, grids)).status).toBe(200);
    }
  });

  it('POST /api/audit (an export made on the device)', async () => {
    const response = await as(principal, 'POST', '/api/audit', {
      body: { action: 'export', detail: { what: '每日问题清单', format: 'xlsx', rows: 12 } },
    });
    expect(response.status).toBe(signedOut ? 401 : 201);
  });

  it('POST /api/me/password (only with the current password, only your own)', async () => {
    const response = await as(principal, 'POST', '/api/me/password', {
      body: { current: 'not-the-password', next: 'whatever-2026' },
    });
    expect(response.status).toBe(signedOut ? 401 : 403);
  });

  it('POST /api/logout', async () => {
    if (signedOut) {
      expect((await as(principal, 'POST', '/api/logout')).status).toBe(401);
      return;
    }
    // A session of its own, so the other checks keep theirs.
    const token = await h.login(USERNAMES[principal]);
    expect((await h.call('POST', '/api/logout', { token })).status).toBe(200);
    expect((await h.call('GET', '/api/me', { token })).status).toBe(401);
  });
});

describe('the records the matrix wrote', () => {
  it('changed the other grid only through town-wide roles', async () => {
    const notes = (await h.store.records.get(h.townId, 'households', otherHousehold))!.data.notes;
    expect(['center 越界', 'admin 越界']).toContain(notes);
    const events = (await h.store.records.get(h.townId, 'problems', otherProblem))!.data.history.map(
      (e) => e.actor.role,
    );
    expect(events.filter((role) => role !== 'worker' && role !== 'center' && role !== 'admin')).toEqual([]);
  });
});
