import { beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { idNumberCheckChar } from '../../src/shared/domain/id-number.ts';
import type { Household } from '../../src/shared/schemas/index.ts';
import {
  createHarness,
  errorOf,
  householdUpdate,
  newClientId,
  PROTOCOL_HEADERS,
  T0,
  type Harness,
} from './harness.ts';

let h: Harness;
let household: Household;
beforeEach(async () => {
  h = await createHarness({ households: 200 });
  household = (await h.recordsIn('households', h.grid('XF-01')))[0]!;
});

interface ConflictView {
  kind: string;
  recordId: string;
  field: string;
  overwritten: unknown;
  value: unknown;
  userName: string | null;
  gridId: string | null;
}

async function conflictsSeenBy(token: string): Promise<ConflictView[]> {
  const response = await h.call('GET', '/api/conflicts', { token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { conflicts: ConflictView[] }).conflicts;
}

describe('concurrent edits of one household field', () => {
  it('keeps the last write by server order and logs the value it overwrote for the leader', async () => {
    const worker = await h.login('wgy01');
    const leader = await h.login('wgz01');
    const [workerClient, leaderClient] = [newClientId(), newClientId()];
    // Both edit offline from the same starting point; the worker's push reaches the server first.
    await h.push(worker, workerClient, [
      { ...householdUpdate(household.id, { phone: '13900000001' }), mutationId: 1 },
    ]);
    await h.push(leader, leaderClient, [
      { ...householdUpdate(household.id, { phone: '13900000002' }), mutationId: 1 },
    ]);
    expect((await h.store.records.get(h.townId, 'households', household.id))!.data.phone).toBe('13900000002');
    expect(await conflictsSeenBy(leader)).toEqual([
      expect.objectContaining({
        kind: 'households',
        recordId: household.id,
        field: 'phone',
        overwritten: '13900000001',
        value: '13900000002',
        userName: '刘建华',
        gridId: h.grid('XF-01'),
      }),
    ]);
    expect(await conflictsSeenBy(await h.login('zhzx'))).toHaveLength(1);
    expect(await errorOf(await h.call('GET', '/api/conflicts', { token: worker }))).toMatchObject({
      status: 403,
      reason: 'forbidden',
    });
  });

  it('logs nothing when the second writer had already pulled the first write', async () => {
    const worker = await h.login('wgy01');
    const leader = await h.login('wgz01');
    const leaderClient = newClientId();
    await h.push(worker, newClientId(), [
      { ...householdUpdate(household.id, { phone: '13900000001' }), mutationId: 1 },
    ]);
    const cursor = await h.store.towns.version(h.townId);
    const pulled = await h.call('GET', `/api/pull?cursor=${cursor}&clientId=${leaderClient}`, {
      token: leader,
      headers: PROTOCOL_HEADERS,
    });
    expect(pulled.status).toBe(200);
    await h.push(leader, leaderClient, [
      { ...householdUpdate(household.id, { phone: '13900000002' }), mutationId: 1 },
    ]);
    expect(await conflictsSeenBy(leader)).toEqual([]);
  });

  it('still logs the overwrite when the first write was only in a page fetched ahead, not yet stored', async () => {
    const worker = await h.login('wgy01');
    const leader = await h.login('wgz01');
    const leaderClient = newClientId();
    const held = await h.store.towns.version(h.townId);
    await h.push(worker, newClientId(), [
      { ...householdUpdate(household.id, { phone: '13900000001' }), mutationId: 1 },
    ]);
    // The leader's device asks for the page after the worker's write while it still stores the one
    // before: it holds `held`, not the cursor it asks from.
    const cursor = await h.store.towns.version(h.townId);
    const ahead = await h.call('GET', `/api/pull?cursor=${cursor}&held=${held}&clientId=${leaderClient}`, {
      token: leader,
      headers: PROTOCOL_HEADERS,
    });
    expect(ahead.status).toBe(200);
    await h.push(leader, leaderClient, [
      { ...householdUpdate(household.id, { phone: '13900000002' }), mutationId: 1 },
    ]);
    expect(await conflictsSeenBy(leader)).toEqual([
      expect.objectContaining({ field: 'phone', overwritten: '13900000001', value: '13900000002' }),
    ]);
  });

  it('refuses a held cursor beyond the one asked from', async () => {
    const leader = await h.login('wgz01');
    const response = await h.call('GET', `/api/pull?cursor=1&held=5&clientId=${newClientId()}`, {
      token: leader,
      headers: PROTOCOL_HEADERS,
    });
    expect(await errorOf(response)).toMatchObject({ status: 400, reason: 'invalid-request' });
  });

  it('logs nothing when the push says the device has stored the page that brought the first write', async () => {
    const worker = await h.login('wgy01');
    const leader = await h.login('wgz01');
    const leaderClient = newClientId();
    const before = await h.store.towns.version(h.townId);
    await h.push(worker, newClientId(), [
      { ...householdUpdate(household.id, { phone: '13900000001' }), mutationId: 1 },
    ]);
    // The pull that brought the worker's write asked from before it; the server only knows that much.
    const pulled = await h.call('GET', `/api/pull?cursor=${before}&clientId=${leaderClient}`, {
      token: leader,
      headers: PROTOCOL_HEADERS,
    });
    const { cursor } = (await pulled.json()) as { cursor: number };
    // The leader's device stored that page, edits on top of it, and says so when it pushes.
    const push = await h.call('POST', '/api/push', {
      token: leader,
      body: {
        protocolVersion: PROTOCOL_VERSION,
        clientId: leaderClient,
        held: cursor,
        mutations: [
          {
            clientId: leaderClient,
            createdAt: T0,
            ...householdUpdate(household.id, { phone: '13900000002' }),
            mutationId: 1,
          },
        ],
      },
    });
    expect(push.status).toBe(200);
    expect(await conflictsSeenBy(leader)).toEqual([]);
  });

  it("shows a leader only their own grids' conflicts", async () => {
    const village = h.grid('HK-01');
    await h.addUser({ username: 'wgyhk', role: 'worker', gridCodes: ['HK-01'] });
    const center = await h.login('zhzx');
    const villageWorker = await h.login('wgyhk');
    const target = (await h.recordsIn('households', village))[0]!;
    await h.push(villageWorker, newClientId(), [
      { ...householdUpdate(target.id, { notes: '甲' }), mutationId: 1 },
    ]);
    await h.push(center, newClientId(), [{ ...householdUpdate(target.id, { notes: '乙' }), mutationId: 1 }]);
    expect(await conflictsSeenBy(center)).toHaveLength(1);
    expect(await conflictsSeenBy(await h.login('wgz01'))).toEqual([]);
  });

  it('keeps ID numbers in the conflict log from roles that may not see them', async () => {
    const worker = await h.login('wgy01');
    const leader = await h.login('wgz01');
    const person = (await h.recordsIn('people', h.grid('XF-01')))[0]!;
    const digits = person.birthDate.replaceAll('-', '');
    const idNumber = (seq: string) => `321283${digits}${seq}` + idNumberCheckChar(`321283${digits}${seq}`);
    const edit = (value: string) => ({
      mutationId: 1,
      name: 'person.update' as const,
      args: { id: person.id, changes: { idNumber: value } },
    });
    await h.push(worker, newClientId(), [edit(idNumber('111'))]);
    await h.push(leader, newClientId(), [edit(idNumber('222'))]);
    expect((await conflictsSeenBy(leader)).map((c) => c.field)).toEqual(['idNumber']);
    expect(
      (await h.store.journal.auditLog(h.townId, 10, 'read-sensitive')).map((r) => r.detail),
    ).toContainEqual({
      kind: 'conflicts',
      count: 1,
    });
    expect(await conflictsSeenBy(await h.login('zhzx'))).toEqual([]);
  });
});
