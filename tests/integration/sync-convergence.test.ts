import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordVisit } from '../../src/app/commands/round.ts';
import { updateHousehold } from '../../src/app/commands/register.ts';
import { createHarness, type Harness } from '../server/harness.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import { openDevice, type Device } from './sync-client.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness({ households: 120 });
});

afterAll(async () => {
  await harness.store.close();
});

const USERS = ['wgy01', 'wgy01', 'wgz01'] as const;

type Op =
  | { kind: 'edit'; client: number; household: number; value: string }
  | { kind: 'visit'; client: number; household: number }
  | { kind: 'toggle-offline'; client: number }
  | { kind: 'sync'; client: number }
  | { kind: 'replay'; client: number; pick: number };

const client = fc.integer({ min: 0, max: USERS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    client,
    household: fc.nat(4),
    value: fc.string({ maxLength: 12 }),
  }),
  fc.record({ kind: fc.constant('visit' as const), client, household: fc.nat(4) }),
  fc.record({ kind: fc.constant('toggle-offline' as const), client }),
  fc.record({ kind: fc.constant('sync' as const), client }),
  fc.record({ kind: fc.constant('replay' as const), client, pick: fc.nat() }),
);

interface Replayable {
  device: Device;
  isOffline: boolean;
  /** Push requests this client sent, to deliver again later (duplicated and out of order). */
  sent: Array<{ input: string; init: RequestInit }>;
}

async function openClients(seed: number): Promise<Replayable[]> {
  const clients: Replayable[] = [];
  for (const [i, username] of USERS.entries()) {
    const device = await openDevice(harness, username, { random: seededRandom(seed + i) });
    const entry: Replayable = { device, isOffline: false, sent: [] };
    const deliver = device.transport.fetch;
    // Offline periods and a memory of pushes, wrapped around the device's own transport.
    device.transport.fetch = async (input, init) => {
      if (entry.isOffline) throw new TypeError('offline');
      if (input.startsWith('/api/push') && init) entry.sent.push({ input, init });
      return deliver(input, init);
    };
    clients.push(entry);
  }
  return clients;
}

/** The households and visits of these grids, as the server holds them. */
async function serverView(gridIds: Set<string>) {
  const notes = new Map<string, string | undefined>();
  const visits = new Set<string>();
  for (const gridId of gridIds) {
    for (const h of await harness.recordsIn('households', gridId)) notes.set(h.id, h.notes);
    for (const v of await harness.recordsIn('visits', gridId)) visits.add(v.id);
  }
  return { notes, visits };
}

describe('convergence (property test: several clients, offline periods, duplicated and reordered pushes)', () => {
  it('every client ends with the server view of its scope', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30 }), fc.integer(), async (ops, seed) => {
        const clients = await openClients(seed);
        try {
          for (const c of clients) await c.device.syncUntilSettled();
          const households = await Promise.all(
            clients.map(async (c) =>
              (await c.device.db.households.orderBy('id').limit(5).toArray()).map((h) => h.id),
            ),
          );
          for (const op of ops) {
            const c = clients[op.client]!;
            const ids = households[op.client]!;
            if (op.kind === 'edit')
              await updateHousehold(c.device.ctx, ids[op.household % ids.length]!, {
                notes: op.value || undefined,
              });
            else if (op.kind === 'visit')
              await recordVisit(c.device.ctx, {
                householdId: ids[op.household % ids.length]!,
                outcome: 'met',
                shift: 'day',
              });
            else if (op.kind === 'toggle-offline') c.isOffline = !c.isOffline;
            else if (op.kind === 'sync')
              await c.device.engine.syncOnce(c.device.actor).catch(() => undefined);
            else if (c.sent.length > 0 && !c.isOffline) {
              // An old push delivered again, after newer ones: the server must skip what it applied.
              const old = c.sent[op.pick % c.sent.length]!;
              await harness.app.request(old.input, old.init);
            }
          }
          for (const c of clients) c.isOffline = false;
          for (const c of clients) await c.device.syncUntilSettled();
          // A second pass so everyone sees the others' last pushes.
          for (const c of clients) await c.device.syncUntilSettled();

          for (const c of clients) {
            const localHouseholds = await c.device.db.households.toArray();
            const gridIds = new Set(localHouseholds.map((h) => h.gridId));
            const server = await serverView(gridIds);
            expect(localHouseholds.length).toBe(server.notes.size);
            for (const h of localHouseholds) expect(h.notes).toBe(server.notes.get(h.id));
            const localVisits = new Set((await c.device.db.visits.toArray()).map((v) => v.id));
            expect(localVisits).toEqual(server.visits);
            expect(await c.device.db.outbox.count()).toBe(0);
          }
        } finally {
          await Promise.all(clients.map((c) => c.device.close()));
        }
      }),
      { numRuns: 12 },
    );
  });
});
