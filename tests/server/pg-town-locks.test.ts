/**
 * On PostgreSQL a push holds its own town's lock and no other: while one town's push is in flight
 * (its transaction holding the town row), another town's push completes; a second push of the same
 * town waits for the first and then sees what it wrote.
 */
import { describe, expect, it } from 'vitest';
import { pushMutations } from '../../src/server/push-batch.ts';
import { scopeFor } from '../../src/server/scope.ts';
import type { Store } from '../../src/server/store/store.ts';
import { openTestStore } from '../support/test-store.ts';
import { householdUpdate, newClientId, newHousehold, numbered, T0 } from './harness.ts';

const GRID = '01900000-0000-7000-8000-0000000000a1';

async function townWithWorker(store: Store, code: string) {
  const town = await store.towns.create({ id: `town-${code}`, code, name: code, createdAt: T0 });
  const grid = {
    id: GRID,
    updatedAt: T0,
    isDeleted: false,
    parentId: null,
    kind: 'grid' as const,
    name: 'G',
    code: 'G',
  };
  const household = newHousehold(GRID);
  await store.appendRecords(
    town.id,
    [
      { kind: 'grids', record: grid },
      { kind: 'households', record: household },
    ],
    null,
    T0,
  );
  const user = await store.accounts.create({
    id: `user-${code}`,
    townId: town.id,
    username: `w_${code.toLowerCase()}`,
    name: 'w',
    role: 'worker',
    gridIds: [GRID],
    passwordHash: 'x',
    createdAt: T0,
  });
  const clientId = newClientId();
  await store.clients.bind(clientId, town.id, user.id, T0);
  const push = (note: string, first = 1) =>
    pushMutations(
      store,
      user,
      scopeFor(user, [{ id: GRID, parentId: null }]),
      {
        clientId,
        mutations: numbered([householdUpdate(household.id, { notes: note })], first).map((m) => ({
          ...m,
          clientId,
          createdAt: T0,
        })),
      },
      T0,
    );
  return { town, household, push };
}

describe('town locks on PostgreSQL', () => {
  it('lets another town push while one town is locked, and queues pushes of the same town', async () => {
    const store = await openTestStore('postgres');
    const a = await townWithWorker(store, 'A');
    const b = await townWithWorker(store, 'B');
    let releaseA!: () => void;
    const held = new Promise<void>((resolve) => (releaseA = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = store.transaction(async (tx) => {
      await tx.towns.lock(a.town.id);
      locked();
      await held;
    });
    await isLocked;
    // Town B is not held up by town A's lock.
    const other = await Promise.race([
      b.push('乙镇').then((r) => r.results[0]!.status),
      new Promise<string>((resolve) => setTimeout(() => resolve('waited'), 5_000)),
    ]);
    expect(other).toBe('applied');
    // Town A's own push waits until the lock is released.
    let settled = false;
    const sameTown = a.push('甲镇').then((r) => {
      settled = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    releaseA();
    await holder;
    expect((await sameTown).results[0]!.status).toBe('applied');
    expect((await store.records.get(a.town.id, 'households', a.household.id))?.data).toMatchObject({
      notes: '甲镇',
    });
    await store.close();
  });
});
