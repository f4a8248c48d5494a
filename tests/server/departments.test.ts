/**
 * Departments per town, as data: each town's `departments` records decide where its problems may be
 * dispatched and which department an account may act for. Both demo towns start with the default
 * list under the same ids (ids are unique within a town: every key on the server includes it), so
 * per-town data is shown with a department only 青石镇 has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOWNS } from '../../src/server/demo.ts';
import { addTown, ensureDepartments } from '../../src/server/town.ts';
import { DEFAULT_DEPARTMENTS } from '../../src/shared/domain/departments.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import type { PushResponse } from '../../src/shared/protocol.ts';
import type { Assignee, Department, Problem } from '../../src/shared/schemas/index.ts';
import { openDevice, type Device } from '../integration/sync-client.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import { openTestStore } from '../support/test-store.ts';
import { createHarness, errorOf, newClientId, newProblem, T0, TEST_KDF, type Harness } from './harness.ts';

let h: Harness;
let qsTown: string;
let leader: string;
let qsAdmin: string;
const devices: Device[] = [];

/** A department only 青石镇 has. */
const QS_ONLY: Department = { id: 'dept-water', name: '青石镇水利站', isDeleted: false, updatedAt: T0 };
const DEFAULT_IDS = DEFAULT_DEPARTMENTS.map((d) => d.id).sort();

beforeAll(async () => {
  h = await createHarness({ households: 150, secondTown: true });
  qsTown = (await h.store.towns.byCode(DEMO_TOWNS.second.code))!.id;
  await h.store.appendRecords(qsTown, [{ kind: 'departments', record: QS_ONLY }], null, T0);
  leader = await h.login('wgz01');
  qsAdmin = await h.login('qs_admin');
});

afterAll(async () => {
  for (const device of devices.splice(0)) await device.close();
});

const idsOf = (departments: readonly { id: string }[]) => departments.map((d) => d.id).sort();

/** A new report in `gridId`, pushed by `reporter`; its id. */
async function reported(reporter: string, gridId: string): Promise<Problem> {
  const problem = newProblem(gridId);
  const token = await h.login(reporter);
  const answer = await h.push(token, newClientId(), [
    { mutationId: 1, name: 'problem.report', args: { problem } },
  ]);
  expect(answer.results[0]!.status).toBe('applied');
  return problem;
}

function dispatch(token: string, problem: Problem, assignee: Assignee): Promise<PushResponse> {
  return h.push(token, newClientId(), [
    {
      mutationId: 1,
      name: 'problem.act',
      args: {
        id: problem.id,
        action: 'dispatch',
        payload: { assignee, photoIds: [] },
        at: h.clock.now,
      },
    },
  ]);
}

const toDepartment = (d: { id: string; name: string }): Assignee => ({
  kind: 'department',
  id: d.id,
  name: d.name,
});

describe('a town holds its departments as records', () => {
  it('seeds both demo towns with the default list, and 青石镇 has one more of its own', async () => {
    expect(idsOf(await h.store.records.live(h.townId, 'departments'))).toEqual(DEFAULT_IDS);
    expect(idsOf(await h.store.records.live(qsTown, 'departments'))).toEqual(
      [...DEFAULT_IDS, QS_ONLY.id].sort(),
    );
    expect(await h.store.records.get(h.townId, 'departments', QS_ONLY.id)).toBeUndefined();
  });

  it('gives a new town the default departments, once', async () => {
    const store = await openTestStore();
    try {
      const added = await addTown(store, 'XY', '新苑镇', T0, TEST_KDF);
      expect(idsOf(await store.records.live(added.town.id, 'departments'))).toEqual(DEFAULT_IDS);
      // Once: a town that has its departments keeps them as they are.
      expect(await ensureDepartments(store, added.town.id, T0 + 1)).toBe(0);
      const again = await addTown(store, 'XY', '新苑镇', T0 + 2, TEST_KDF);
      expect(again.town.id).toBe(added.town.id);
      expect(await store.records.count(added.town.id)).toBe(DEFAULT_IDS.length);
    } finally {
      await store.close();
    }
  });

  it('gives a town from before departments were records the default list once, and no more', async () => {
    const store = await openTestStore();
    try {
      const town = await store.towns.create({ id: newId(), code: 'OLD', name: '老镇', createdAt: T0 });
      expect(await ensureDepartments(store, town.id, T0)).toBe(DEFAULT_IDS.length);
      expect(await ensureDepartments(store, town.id, T0)).toBe(0);
      // A town whose departments are all closed has made its choice: they stay closed.
      const closed = (await store.records.live(town.id, 'departments')).map((record) => ({
        kind: 'departments' as const,
        record: { ...record, isDeleted: true, updatedAt: T0 + 1 },
      }));
      await store.appendRecords(town.id, closed, null, T0 + 1);
      expect(await ensureDepartments(store, town.id, T0 + 2)).toBe(0);
      expect(await store.records.live(town.id, 'departments')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('dispatching reads the town’s departments', () => {
  it('lets a leader dispatch to a department of their town', async () => {
    const problem = await reported('wgy01', h.grid('XF-01'));
    const market = DEFAULT_DEPARTMENTS.find((d) => d.id === 'dept-market')!;
    const answer = await dispatch(leader, problem, toDepartment(market));
    expect(answer.results).toEqual([{ mutationId: 1, status: 'applied' }]);
    const stored = await h.store.records.get(h.townId, 'problems', problem.id);
    expect(stored).toMatchObject({
      assigneeKey: 'department:dept-market',
      data: { status: 'dispatched', assignee: toDepartment(market) },
    });
  });

  it('refuses a department that only the other town has, and tells nothing of it', async () => {
    const problem = await reported('wgy01', h.grid('XF-01'));
    const answer = await dispatch(leader, problem, toDepartment(QS_ONLY));
    expect(answer.results).toEqual([
      {
        mutationId: 1,
        status: 'rejected',
        reason: 'invalid',
        message: '没有这个承办部门：青石镇水利站（payload.assignee）',
      },
    ]);
    // The heal names the department as something this user may not hold: a tombstone, no data.
    const heal = answer.records!.find((r) => r.kind === 'departments');
    expect(heal).toMatchObject({ id: QS_ONLY.id, isDeleted: true });
    expect(heal!.data).toBeUndefined();
    expect((await h.store.records.get(h.townId, 'problems', problem.id))?.data).toMatchObject({
      status: 'reported',
    });
  });

  it('lets 青石镇 dispatch to its own department', async () => {
    const qsGrid = (await h.store.records.live(qsTown, 'grids')).find((g) => g.code === 'XF-01')!.id;
    const problem = await reported('qs_wgy01', qsGrid);
    const answer = await dispatch(qsAdmin, problem, toDepartment(QS_ONLY));
    expect(answer.results).toEqual([{ mutationId: 1, status: 'applied' }]);
    expect((await h.store.records.get(qsTown, 'problems', problem.id))?.assigneeKey).toBe(
      'department:dept-water',
    );
  });

  it('refuses a department its town has closed', async () => {
    const safety = (await h.store.records.get(h.townId, 'departments', 'dept-safety'))!.data;
    await h.store.appendRecords(
      h.townId,
      [{ kind: 'departments', record: { ...safety, isDeleted: true, updatedAt: T0 + 1 } }],
      null,
      T0 + 1,
    );
    const problem = await reported('wgy01', h.grid('XF-01'));
    const answer = await dispatch(leader, problem, toDepartment(safety));
    expect(answer.results[0]).toMatchObject({
      status: 'rejected',
      reason: 'invalid',
      message: '没有这个承办部门：应急管理办（payload.assignee）',
    });
  });
});

describe('every role of the town reads the department list', () => {
  it('a department account’s device pulls it into its own table, and nothing of the other town’s', async () => {
    const device = await openDevice(h, 'pcs', { random: seededRandom(3) });
    devices.push(device);
    await device.syncUntilSettled();
    const open = (await h.store.records.live(h.townId, 'departments')).map((d) => d.id).sort();
    expect(open.length).toBeGreaterThan(0);
    const held = await device.db.departments.toArray();
    expect(idsOf(held)).toEqual(open);
    expect(held.find((d) => d.id === 'dept-police')).toMatchObject({ name: '派出所', isDeleted: false });
    expect(held.some((d) => d.id === QS_ONLY.id)).toBe(false);
  });

  it.each(['wgy01', 'zxh01', 'wgz01', 'zhzx', 'scjg', 'admin'])(
    '%s pulls the departments',
    async (username) => {
      const changes = await h.pullAll(await h.login(username));
      const departments = changes.filter((c) => c.kind === 'departments');
      expect(departments.map((c) => c.id).sort()).toEqual(DEFAULT_IDS);
      expect(departments.find((c) => c.id === 'dept-market')?.data).toMatchObject({ name: '市场监管所' });
    },
  );

  it('青石镇 pulls its own list, with its own department', async () => {
    const changes = await h.pullAll(await h.login('qs_wgy01'));
    const departments = changes.filter((c) => c.kind === 'departments' && c.data !== undefined);
    expect(departments.map((c) => c.id).sort()).toEqual([...DEFAULT_IDS, QS_ONLY.id].sort());
  });
});

describe('a department account acts for a department of its town', () => {
  const open = (token: string, username: string, departmentId: string) =>
    h.call('POST', '/api/admin/users', {
      token,
      body: { username, name: '部门人员', role: 'department', departmentId, password: 'bumen-2026-x' },
    });

  it('opens one for a department the town has', async () => {
    const response = await open(await h.login('admin'), 'zjb01', 'dept-housing');
    expect(response.status).toBe(201);
    expect((await h.store.accounts.byUsername('zjb01'))?.departmentId).toBe('dept-housing');
  });

  it('refuses a department only the other town has, or one its town closed', async () => {
    const admin = await h.login('admin');
    expect(await errorOf(await open(admin, 'sl01', QS_ONLY.id))).toEqual({
      status: 400,
      reason: 'invalid-request',
      message: '没有这个部门：dept-water',
    });
    const civil = (await h.store.records.get(h.townId, 'departments', 'dept-civil'))!.data;
    await h.store.appendRecords(
      h.townId,
      [{ kind: 'departments', record: { ...civil, isDeleted: true, updatedAt: T0 + 2 } }],
      null,
      T0 + 2,
    );
    expect((await open(admin, 'mz01', 'dept-civil')).status).toBe(400);
    expect(await h.store.accounts.byUsername('sl01')).toBeUndefined();
    expect(await h.store.accounts.byUsername('mz01')).toBeUndefined();
    // 青石镇's administrator may open one for its own.
    expect((await open(qsAdmin, 'qs_sl01', QS_ONLY.id)).status).toBe(201);
  });
});
