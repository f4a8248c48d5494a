import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Clients } from '../../src/server/store/clients.ts';
import { pushResponseSchema, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import type { Household, Problem } from '../../src/shared/schemas/index.ts';
import {
  createHarness,
  errorOf,
  householdUpdate,
  newClientId,
  newHousehold,
  newPerson,
  newProblem,
  numbered,
  type Harness,
} from './harness.ts';

let h: Harness;
let worker: string;
let ownHousehold: Household;
let otherHousehold: Household;

beforeEach(async () => {
  h = await createHarness({ households: 200 });
  worker = await h.login('wgy01');
  ownHousehold = (await h.recordsIn('households', h.grid('XF-01')))[0]!;
  otherHousehold = (await h.recordsIn('households', h.grid('XF-02')))[0]!;
});

const recordOf = <K extends 'households' | 'problems'>(kind: K, id: string) =>
  h.store.records.get(h.townId, kind, id);
const storedPhone = async (id: string) => (await recordOf('households', id))?.data.phone;

describe('push', () => {
  it('applies each mutation in its own savepoint and advances lastMutationId', async () => {
    const clientId = newClientId();
    const newOne = newHousehold(h.grid('XF-01'));
    const response = await h.push(
      worker,
      clientId,
      numbered([
        householdUpdate(ownHousehold.id, { phone: '13911112222' }),
        { mutationId: 0, name: 'household.create', args: { household: newOne, people: [newPerson(newOne)] } },
      ]),
    );
    expect(pushResponseSchema.parse(response)).toEqual({
      lastMutationId: 2,
      results: [
        { mutationId: 1, status: 'applied' },
        { mutationId: 2, status: 'applied' },
      ],
    });
    expect(await storedPhone(ownHousehold.id)).toBe('13911112222');
    expect((await recordOf('households', newOne.id))?.writtenBy).toBe(clientId);
    expect(await h.store.clients.get(clientId)).toMatchObject({ lastMutationId: 2 });
  });

  it('skips mutations it has already applied (a retry after a lost answer)', async () => {
    const clientId = newClientId();
    await h.push(worker, clientId, numbered([householdUpdate(ownHousehold.id, { phone: '13911112222' })]));
    const versionAfterFirst = await h.store.towns.version(h.townId);
    const retry = await h.push(
      worker,
      clientId,
      numbered([
        householdUpdate(ownHousehold.id, { phone: '13911112222' }),
        householdUpdate(ownHousehold.id, { notes: '第二次' }),
      ]),
    );
    expect(retry.results).toEqual([
      { mutationId: 1, status: 'duplicate' },
      { mutationId: 2, status: 'applied' },
    ]);
    expect(await h.store.towns.version(h.townId)).toBe(versionAfterFirst + 1);
  });

  it('rolls a whole request back when the database fails part-way, so the retry lands all of it', async () => {
    const clientId = newClientId();
    const batch = numbered([
      householdUpdate(ownHousehold.id, { phone: '13911112222' }),
      householdUpdate(ownHousehold.id, { notes: '第二条' }),
    ]);
    const versionBefore = await h.store.towns.version(h.townId);
    // The disk fills up part-way: the records of the request are written, its log entries are not.
    const full = vi
      .spyOn(Clients.prototype, 'logMutations')
      .mockRejectedValueOnce(new Error('SQLITE_FULL: database or disk is full'));
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(h.push(worker, clientId, batch)).rejects.toThrow(/push: 500/);
    expect(full).toHaveBeenCalledTimes(1);
    full.mockRestore();
    log.mockRestore();
    expect(await h.store.towns.version(h.townId)).toBe(versionBefore);
    expect(await storedPhone(ownHousehold.id)).not.toBe('13911112222');
    expect((await h.store.clients.get(clientId))?.lastMutationId ?? 0).toBe(0);

    const retry = await h.push(worker, clientId, batch);
    expect(retry.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await storedPhone(ownHousehold.id)).toBe('13911112222');
    expect((await recordOf('households', ownHousehold.id))?.data.notes).toBe('第二条');
  });

  it('records a mutation that can never succeed as rejected with a reason, and moves on', async () => {
    const clientId = newClientId();
    const response = await h.push(
      worker,
      clientId,
      numbered([
        householdUpdate(ownHousehold.id, { phone: 'not a phone' }),
        householdUpdate(otherHousehold.id, { phone: '13911112222' }),
        {
          mutationId: 0,
          name: 'person.moveOut',
          args: { id: ownHousehold.id, status: 'moved-out', at: h.clock.now },
        },
        householdUpdate(ownHousehold.id, { notes: '之后的修改照常应用' }),
      ]),
    );
    expect(response.lastMutationId).toBe(4);
    expect(response.results.map((r) => [r.status, r.reason])).toEqual([
      ['rejected', 'invalid'],
      ['rejected', 'forbidden'],
      ['rejected', 'not-found'],
      ['applied', undefined],
    ]);
    expect(response.results[0]!.message).toContain('电话号码格式不对');
    expect(await storedPhone(otherHousehold.id)).toBe(otherHousehold.phone);
    expect((await h.store.clients.mutationLog(clientId)).map((m) => m.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'applied',
    ]);
  });

  it('enforces the shared problem state machine with the real user', async () => {
    const clientId = newClientId();
    const problem = newProblem(h.grid('XF-01'), { reporter: { role: 'center', name: '冒充的指挥中心' } });
    const response = await h.push(
      worker,
      clientId,
      numbered([
        { mutationId: 0, name: 'problem.report', args: { problem } },
        // A worker may not dispatch, and nothing dispatched it, so nobody can accept it yet.
        {
          mutationId: 0,
          name: 'problem.act',
          args: {
            id: problem.id,
            action: 'dispatch',
            payload: { assignee: { kind: 'department', id: 'dept-police', name: '派出所' } },
            at: h.clock.now,
          },
        },
        {
          mutationId: 0,
          name: 'problem.act',
          args: { id: problem.id, action: 'accept', payload: {}, at: h.clock.now },
        },
      ]),
    );
    expect(response.results.map((r) => r.reason ?? r.status)).toEqual([
      'applied',
      'forbidden',
      'illegal-transition',
    ]);
    const stored = (await recordOf('problems', problem.id))!.data;
    expect(stored.reporter).toMatchObject({ role: 'worker', name: '王丽' });
    expect(stored.status).toBe('reported');
  });

  it('processes ids in order even when the device skipped some', async () => {
    const clientId = newClientId();
    const response = await h.push(
      worker,
      clientId,
      numbered(
        [householdUpdate(ownHousehold.id, { notes: 'a' }), householdUpdate(ownHousehold.id, { notes: 'b' })],
        5,
      ).map((m, i) => ({ ...m, mutationId: i === 0 ? 5 : 9 })),
    );
    expect(response).toEqual({
      lastMutationId: 9,
      results: [
        { mutationId: 5, status: 'applied' },
        { mutationId: 9, status: 'applied' },
      ],
    });
    // Anything at or below 9 now counts as done.
    const late = await h.push(
      worker,
      clientId,
      numbered([householdUpdate(ownHousehold.id, { notes: 'c' })], 7),
    );
    expect(late.results).toEqual([{ mutationId: 7, status: 'duplicate' }]);
  });

  it('refuses a batch whose ids do not increase, or that mixes client ids', async () => {
    const clientId = newClientId();
    const body = (mutations: unknown[]) => ({ protocolVersion: PROTOCOL_VERSION, clientId, mutations });
    const m = (mutationId: number, id = clientId) => ({
      clientId: id,
      mutationId,
      name: 'household.update',
      args: { id: ownHousehold.id, changes: { notes: 'x' } },
      createdAt: h.clock.now,
    });
    expect((await h.call('POST', '/api/push', { token: worker, body: body([m(2), m(1)]) })).status).toBe(400);
    expect(
      (await h.call('POST', '/api/push', { token: worker, body: body([m(1), m(2, newClientId())]) })).status,
    ).toBe(400);
    expect(await h.store.clients.get(clientId)).toBeUndefined();
  });

  it('binds a client id to the first user who pushes with it', async () => {
    const clientId = newClientId();
    await h.push(worker, clientId, numbered([householdUpdate(ownHousehold.id, { notes: 'mine' })]));
    const other = await h.login('wgz01');
    const response = await h.call('POST', '/api/push', {
      token: other,
      body: {
        protocolVersion: PROTOCOL_VERSION,
        clientId,
        mutations: numbered([householdUpdate(ownHousehold.id, { notes: 'theirs' })], 2).map((m) => ({
          ...m,
          clientId,
          createdAt: h.clock.now,
        })),
      },
    });
    expect(await errorOf(response)).toMatchObject({ status: 403, reason: 'forbidden' });
  });

  it('lets a department handle only the orders dispatched to it', async () => {
    const leader = await h.login('wgz01');
    const police = await h.login('pcs');
    const market = await h.login('scjg');
    const problem: Problem = newProblem(h.grid('XF-01'));
    await h.push(
      worker,
      newClientId(),
      numbered([{ mutationId: 0, name: 'problem.report', args: { problem } }]),
    );
    const dispatch = await h.push(leader, newClientId(), [
      {
        mutationId: 1,
        name: 'problem.act',
        args: {
          id: problem.id,
          action: 'dispatch',
          payload: { assignee: { kind: 'department', id: 'dept-police', name: '派出所' } },
          at: h.clock.now,
        },
      },
    ]);
    expect(dispatch.results[0]!.status).toBe('applied');
    const accept = {
      mutationId: 1,
      name: 'problem.act' as const,
      args: { id: problem.id, action: 'accept', payload: {}, at: h.clock.now },
    };
    expect((await h.push(market, newClientId(), [accept])).results[0]).toMatchObject({
      status: 'rejected',
      reason: 'forbidden',
    });
    expect((await h.push(police, newClientId(), [accept])).results[0]).toMatchObject({ status: 'applied' });
    // A department edits no household, even in the problem's grid.
    const edit = await h.push(
      police,
      newClientId(),
      numbered([householdUpdate(ownHousehold.id, { notes: 'x' })]),
    );
    expect(edit.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect((await recordOf('problems', problem.id))!.data.history.at(-1)!.actor).toMatchObject({
      role: 'department',
      departmentId: 'dept-police',
    });
  });

  it('refuses to create a record in a grid the user does not cover', async () => {
    const foreign = newHousehold(h.grid('XF-02'));
    const response = await h.push(
      worker,
      newClientId(),
      numbered([{ mutationId: 0, name: 'household.create', args: { household: foreign, people: [] } }]),
    );
    expect(response.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(await recordOf('households', foreign.id)).toBeUndefined();
  });

  it('does not stamp records in the future when the device clock runs fast', async () => {
    await h.push(worker, newClientId(), [
      {
        ...householdUpdate(ownHousehold.id, { notes: '时钟快了' }),
        mutationId: 1,
        createdAt: h.clock.now + 86_400_000,
      },
    ]);
    expect((await recordOf('households', ownHousehold.id))!.data.updatedAt).toBe(h.clock.now);
  });
});
