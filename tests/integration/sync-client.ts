/**
 * A device in one process: the app's real database (fake-indexeddb), its real commands and sync
 * engine, talking to the real server handlers through a transport that can fail like a network.
 */
import type { PlanActor } from '../../src/shared/domain/apply-mutation.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import type { Harness } from '../server/harness.ts';
import type { CommandContext } from '../../src/app/commands/run-command.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { ApiClient, type FetchLike } from '../../src/app/sync/api-client.ts';
import { SyncEngine } from '../../src/app/sync/sync-engine.ts';

export interface Faults {
  /** Share of requests answered 500/503/429 without reaching the server. */
  errorRate: number;
  /** Share of pushes the server applies in part (a prefix of the mutations), then dies before answering. */
  killMidPushRate: number;
  /** Share of requests the server completes whose answer is lost on the way back. */
  dropResponseRate: number;
}

export const NO_FAULTS: Faults = { errorRate: 0, killMidPushRate: 0, dropResponseRate: 0 };

export interface FaultyTransport {
  fetch: FetchLike;
  faults: Faults;
  counts: { requests: number; injectedErrors: number; killedPushes: number; droppedResponses: number };
}

export function faultyTransport(harness: Harness, random: () => number, faults: Faults): FaultyTransport {
  const transport: FaultyTransport = {
    faults,
    counts: { requests: 0, injectedErrors: 0, killedPushes: 0, droppedResponses: 0 },
    fetch: async (input, init) => {
      transport.counts.requests++;
      const f = transport.faults;
      if (random() < f.errorRate) {
        transport.counts.injectedErrors++;
        const status = [500, 503, 429][Math.floor(random() * 3)]!;
        return new Response(JSON.stringify({ error: { reason: 'server-error', message: 'injected' } }), {
          status,
          headers: { 'content-type': 'application/json' },
        });
      }
      const isPush = input.startsWith('/api/push');
      if (isPush && random() < f.killMidPushRate && typeof init?.body === 'string') {
        // The server commits the first k mutations and then dies before the rest (and before answering).
        const body = JSON.parse(init.body) as { mutations: unknown[] };
        const k = Math.floor(random() * body.mutations.length);
        if (k > 0) {
          await harness.app.request(input, {
            ...init,
            body: JSON.stringify({ ...body, mutations: body.mutations.slice(0, k) }),
          });
        }
        transport.counts.killedPushes++;
        throw new TypeError('connection reset (server killed mid-push)');
      }
      const response = await harness.app.request(input, init);
      if (random() < f.dropResponseRate) {
        transport.counts.droppedResponses++;
        await response.arrayBuffer();
        throw new TypeError('connection reset (response lost after commit)');
      }
      return response;
    },
  };
  return transport;
}

export interface Device {
  db: AppDB;
  engine: SyncEngine;
  actor: PlanActor;
  /** What the device's commands are given: its database, its user and the harness's clock. */
  ctx: CommandContext;
  transport: FaultyTransport;
  /** Runs sync rounds until the outbox is empty and a pull completed, retrying through faults. */
  syncUntilSettled(maxRounds?: number): Promise<number>;
  close(): Promise<void>;
}

export async function openDevice(
  harness: Harness,
  username: string,
  options: { random: () => number; faults?: Faults; pullLimit?: number },
): Promise<Device> {
  const token = await harness.login(username);
  const me = (await (await harness.call('GET', '/api/me', { token })).json()) as {
    user?: { id: string; role: PlanActor['role']; name: string; departmentId?: string };
    id?: string;
    role?: PlanActor['role'];
    name?: string;
  };
  const user =
    me.user ?? (me as { id: string; role: PlanActor['role']; name: string; departmentId?: string });
  const actor: PlanActor = {
    role: user.role,
    userId: user.id,
    name: user.name,
    ...(user.departmentId ? { departmentId: user.departmentId } : {}),
  };
  const db = new AppDB(`device-${username}-${newId()}`);
  const transport = faultyTransport(harness, options.random, options.faults ?? NO_FAULTS);
  // Through the transport object, so a test can wrap its fetch after the device is open.
  const api = new ApiClient({ fetch: (input, init) => transport.fetch(input, init), getToken: () => token });
  const engine = new SyncEngine({
    db,
    api,
    actor: () => actor,
    pinyin: loadPinyin,
    now: () => harness.clock.now,
    random: options.random,
    ...(options.pullLimit ? { pullLimit: options.pullLimit } : {}),
  });
  return {
    db,
    engine,
    actor,
    ctx: { db, actor, now: () => harness.clock.now },
    transport,
    async syncUntilSettled(maxRounds = 500) {
      for (let round = 1; round <= maxRounds; round++) {
        try {
          await engine.syncOnce(actor);
          if ((await db.outbox.count()) === 0) return round;
        } catch {
          // A fault: the next round retries, as the backoff timer would.
        }
      }
      throw new Error(`not settled after ${maxRounds} rounds`);
    },
    async close() {
      db.close();
      await db.delete();
    },
  };
}
