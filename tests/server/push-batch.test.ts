/**
 * Pushes of one town that arrive together go into one transaction (push-batch.ts), each still
 * answered on its own and exactly as if it had come alone: the same device twice in a batch (a retry
 * sent while the first was waiting) is told "duplicate" for what landed and "rejected" again for
 * what was refused; one request that cannot run fails alone.
 */
import { describe, expect, it } from 'vitest';
import { pushMutations } from '../../src/server/push-batch.ts';
import { scopeFor } from '../../src/server/scope.ts';
import type { Mutation } from '../../src/shared/protocol.ts';
import { createHarness, householdUpdate, newClientId, numbered } from './harness.ts';

describe('batched pushes', () => {
  it('answers each request of a batch as if it had come alone', async () => {
    const h = await createHarness({ households: 120 });
    const users = await Promise.all(['wgy01', 'wgy02'].map((u) => h.store.accounts.byUsername(u)));
    const tree = await h.store.records.gridTree(h.townId);
    const [first, second] = await Promise.all(
      users.map(async (user) => {
        const clientId = newClientId();
        await h.store.clients.bind(clientId, h.townId, user!.id, h.clock.now);
        const grid = user!.gridIds[0]!;
        const households = await h.recordsIn('households', grid);
        return { user: user!, clientId, scope: scopeFor(user!, tree), households };
      }),
    );
    const mutationsOf = (client: typeof first, notes: string): Mutation[] =>
      numbered([
        householdUpdate(client!.households[0]!.id, { notes }),
        householdUpdate('01900000-0000-7000-8000-00000000dead', { notes: '没有这户' }),
        householdUpdate(client!.households[1]!.id, { notes }),
      ]).map((m) => ({ ...m, clientId: client!.clientId, createdAt: h.clock.now }));
    const push = (client: typeof first, mutations: Mutation[]) =>
      pushMutations(
        h.store,
        client!.user,
        client!.scope,
        { clientId: client!.clientId, mutations },
        h.clock.now,
      );
    const a = mutationsOf(first, '甲');
    const b = mutationsOf(second, '乙');
    const strayUser = { ...first!.user, id: 'someone-else' };
    // Sent together: the first goes in at once, the rest queue behind it and go in as one batch, so
    // the retry of `a` lands in the same transaction as `a` itself.
    const [two, one, again, stray] = await Promise.all([
      push(second, b),
      push(first, a),
      push(first, a),
      pushMutations(
        h.store,
        strayUser,
        first!.scope,
        { clientId: first!.clientId, mutations: a },
        h.clock.now,
      ).catch((error: unknown) => error),
    ]);
    expect(one.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(two.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'rejected', 'duplicate']);
    expect(again.lastMutationId).toBe(3);
    expect(stray).toBeInstanceOf(Error);
    for (const [client, notes] of [
      [first, '甲'],
      [second, '乙'],
    ] as const) {
      expect((await h.store.clients.get(client!.clientId))?.lastMutationId).toBe(3);
      expect((await h.store.clients.mutationLog(client!.clientId)).map((m) => m.status)).toEqual([
        'applied',
        'rejected',
        'applied',
      ]);
      expect(
        (await h.store.records.get(h.townId, 'households', client!.households[1]!.id))?.data,
      ).toMatchObject({
        notes,
      });
    }
    // Every version is used once across the batch.
    const versions = await h.store.sql.all<{ n: number; d: number }>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT version) AS d FROM records WHERE town_id = ?',
      [h.townId],
    );
    expect(versions[0]!.n).toBe(versions[0]!.d);
  });
});
