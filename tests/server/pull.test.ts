import { beforeEach, describe, expect, it } from 'vitest';
import { pullResponseSchema, type PullResponse } from '../../src/shared/protocol.ts';
import type { RecordKind } from '../../src/shared/records.ts';
import { CARE_TAGS } from '../../src/shared/schemas/care-tags.ts';
import type { Person } from '../../src/shared/schemas/index.ts';
import {
  createHarness,
  errorOf,
  householdUpdate,
  newClientId,
  newProblem,
  numbered,
  PROTOCOL_HEADERS,
  type Harness,
} from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ households: 200 });
});

async function pullPage(token: string, query: Record<string, string | number>): Promise<PullResponse> {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const response = await h.call('GET', `/api/pull?${params}`, { token, headers: PROTOCOL_HEADERS });
  expect(response.status).toBe(200);
  return pullResponseSchema.parse(await response.json());
}

const gridOfChange = (change: PullResponse['changes'][number]) =>
  change.kind === 'grids' ? change.id : (change.data as { gridId?: string } | undefined)?.gridId;

describe('pull', () => {
  it('pages through the changes in version order, with a cursor and a remaining count', async () => {
    const token = await h.login('wgy01');
    const first = await pullPage(token, { cursor: 0, limit: 5 });
    expect(first.changes).toHaveLength(5);
    expect(first.hasMore).toBe(true);
    expect(first.cursor).toBe(first.changes.at(-1)!.version);
    const all = await h.pullAll(token, undefined, 5);
    expect(all.length).toBeGreaterThan(10);
    expect(first.remaining).toBe(all.length - 5);
    const versions = all.map((c) => c.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(all.map((c) => `${c.kind}/${c.id}`)).size).toBe(all.length);
    // Nothing new: an empty page and the same place to start from next time.
    const newest = await h.store.towns.version(h.townId);
    const last = await pullPage(token, { cursor: newest, limit: 50 });
    expect(last).toMatchObject({
      changes: [],
      hasMore: false,
      remaining: 0,
      cursor: newest,
    });
  });

  it('sends what changed after the cursor, including tombstones without data', async () => {
    const token = await h.login('wgy01');
    const cursor = await h.store.towns.version(h.townId);
    const [a, b] = await h.recordsIn('households', h.grid('XF-01'));
    await h.push(token, newClientId(), numbered([householdUpdate(a!.id, { notes: '新备注' })]));
    await h.store.appendRecords(
      h.townId,
      [{ kind: 'households', record: { ...b!, isDeleted: true } }],
      null,
      h.clock.now,
    );
    const page = await pullPage(token, { cursor });
    expect(page.changes).toEqual([
      expect.objectContaining({
        kind: 'households',
        id: a!.id,
        isDeleted: false,
        data: expect.objectContaining({ notes: '新备注' }),
      }),
      { kind: 'households', id: b!.id, version: cursor + 2, isDeleted: true },
    ]);
  });

  it('gives a worker only their grid (and the names of the grids above it)', async () => {
    const token = await h.login('wgy01');
    const own = h.grid('XF-01');
    const changes = await h.pullAll(token);
    const kinds = new Set<RecordKind>(changes.map((c) => c.kind));
    // The town's departments are town-wide: every role pulls them (to dispatch and to name assignees).
    // Her grid's team (网格连心卡) is her grid's record like the register.
    expect(kinds).toEqual(
      new Set(['departments', 'grids', 'buildings', 'households', 'people', 'gridTeams']),
    );
    const grids = changes.filter((c) => c.kind === 'grids').map((c) => (c.data as { code: string }).code);
    expect(grids.sort()).toEqual(['HX', 'XF', 'XF-01']);
    for (const change of changes.filter((c) => c.kind !== 'grids' && c.kind !== 'departments'))
      expect(gridOfChange(change)).toBe(own);
    expect(changes.filter((c) => c.kind === 'households')).toHaveLength(
      (await h.recordsIn('households', own)).length,
    );
  });

  it('gives a leader the grids they lead and nothing else', async () => {
    const token = await h.login('wgz01');
    const led = new Set(['XF-01', 'XF-02', 'XF-03', 'XF-04', 'XF-05', 'XF-06', 'XF-07'].map(h.grid));
    const changes = await h.pullAll(token);
    const households = changes.filter((c) => c.kind === 'households');
    expect(households.length).toBeGreaterThan(0);
    for (const change of changes.filter((c) => c.kind !== 'grids' && c.kind !== 'departments'))
      expect(led.has(gridOfChange(change)!)).toBe(true);
  });

  it('shows ID numbers and sensitive tags to the worker, and writes an audit row for it', async () => {
    const token = await h.login('wgy01');
    const people = (await h.pullAll(token)).filter((c) => c.kind === 'people').map((c) => c.data as Person);
    expect(people.every((p) => p.idNumber !== undefined)).toBe(true);
    const sensitive = people.filter(
      (p) => p.idNumber !== undefined || p.tags.some((t) => CARE_TAGS[t].isSensitive),
    );
    const audit = await h.store.journal.auditLog(h.townId, 100, 'read-sensitive');
    expect(audit.reduce((sum, row) => sum + (row.detail as { count: number }).count, 0)).toBe(
      sensitive.length,
    );
  });

  it.each(['zxh01', 'zhzx'])('hides ID numbers and sensitive tags from %s', async (username) => {
    const token = await h.login(username);
    const people = (await h.pullAll(token)).filter((c) => c.kind === 'people').map((c) => c.data as Person);
    expect(people.length).toBeGreaterThan(0);
    for (const person of people) {
      expect(person).not.toHaveProperty('idNumber');
      expect(person.tags.filter((t) => CARE_TAGS[t].isSensitive)).toEqual([]);
    }
    expect(await h.store.journal.auditLog(h.townId, 100, 'read-sensitive')).toEqual([]);
  });

  it('gives a department only the problems dispatched to it, and tells it when one is passed on', async () => {
    const worker = await h.login('wgy01');
    const leader = await h.login('wgz01');
    const police = await h.login('pcs');
    const [mine, notMine] = [newProblem(h.grid('XF-01')), newProblem(h.grid('XF-01'))];
    await h.push(
      worker,
      newClientId(),
      numbered([
        { mutationId: 0, name: 'problem.report', args: { problem: mine } },
        { mutationId: 0, name: 'problem.report', args: { problem: notMine } },
      ]),
    );
    const dispatch = (id: string, deptId: string, name: string) => ({
      mutationId: 0,
      name: 'problem.act' as const,
      args: {
        id,
        action: 'dispatch',
        payload: { assignee: { kind: 'department', id: deptId, name } },
        at: h.clock.now,
      },
    });
    const leaderClient = newClientId();
    await h.push(
      leader,
      leaderClient,
      numbered([
        dispatch(mine.id, 'dept-police', '派出所'),
        dispatch(notMine.id, 'dept-market', '市场监管所'),
      ]),
    );
    const first = await h.pullAll(police);
    expect(first.filter((c) => c.kind !== 'departments').map((c) => [c.kind, c.id])).toEqual([
      ['problems', mine.id],
    ]);
    const cursor = await h.store.towns.version(h.townId);
    const transfer = {
      mutationId: 3,
      name: 'problem.act' as const,
      args: {
        id: mine.id,
        action: 'transfer',
        payload: {
          assignee: { kind: 'department', id: 'dept-market', name: '市场监管所' },
          note: '属于市场监管',
        },
        at: h.clock.now,
      },
    };
    expect((await h.push(leader, leaderClient, [transfer])).results[0]!.status).toBe('applied');
    const after = await pullPage(police, { cursor });
    expect(after.changes).toHaveLength(1);
    expect(after.changes[0]!.data).toMatchObject({ id: mine.id, assignee: { id: 'dept-market' } });
    // No longer theirs: they can see it left, but can no longer act on it.
    const act = await h.push(police, newClientId(), [
      {
        mutationId: 1,
        name: 'problem.act',
        args: { id: mine.id, action: 'accept', payload: {}, at: h.clock.now },
      },
    ]);
    expect(act.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
  });

  it("returns the client's lastMutationId, and 0 for another user's client", async () => {
    const worker = await h.login('wgy01');
    const clientId = newClientId();
    const [a] = await h.recordsIn('households', h.grid('XF-01'));
    await h.push(
      worker,
      clientId,
      numbered([householdUpdate(a!.id, { notes: 'x' }), householdUpdate(a!.id, { notes: 'y' })]),
    );
    const cursor = await h.store.towns.version(h.townId);
    expect((await pullPage(worker, { cursor, clientId })).lastMutationId).toBe(2);
    const leader = await h.login('wgz01');
    expect((await pullPage(leader, { cursor, clientId })).lastMutationId).toBe(0);
  });

  it('refuses a pull without the protocol header, with a bad query, or from beyond the newest version', async () => {
    const token = await h.login('wgy01');
    expect(await errorOf(await h.call('GET', '/api/pull?cursor=0', { token }))).toMatchObject({
      status: 400,
      reason: 'protocol-version',
    });
    expect(
      await errorOf(
        await h.call('GET', '/api/pull?cursor=0', { token, headers: { 'x-lianxin-protocol': '0' } }),
      ),
    ).toMatchObject({ status: 400, reason: 'protocol-version' });
    for (const query of ['cursor=-1', 'cursor=abc', 'limit=0', 'limit=99999', 'clientId=short'])
      expect(
        await errorOf(await h.call('GET', `/api/pull?${query}`, { token, headers: PROTOCOL_HEADERS })),
      ).toMatchObject({ status: 400, reason: 'invalid-request' });
    const beyond = await h.call('GET', `/api/pull?cursor=${(await h.store.towns.version(h.townId)) + 1}`, {
      token,
      headers: PROTOCOL_HEADERS,
    });
    expect(await errorOf(beyond)).toMatchObject({ status: 409, reason: 'invalid-request' });
  });
});
