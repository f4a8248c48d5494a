/**
 * The devices of the load test (load-bench.ts): the run's shape, how each device signs in, queues its
 * writes, pushes and pulls in the app's rhythm, and the seeded town they work in.
 */
import { hashPassword } from '../../src/server/auth.ts';
import { DEMO_TOWNS, seedDemo } from '../../src/server/demo.ts';
import type { Store } from '../../src/server/store/store.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import {
  PROTOCOL_VERSION,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/protocol.ts';
import type { Household } from '../../src/shared/schemas/index.ts';
import {
  BENCH_KDF,
  BENCH_PASSWORD,
  httpRequest,
  pullUrl,
  residentsByHousehold,
  workerMutation,
  type WorkerMutation,
} from './push-load.ts';

export const DEVICES = 1_000;
export const ACCOUNTS = 100;
export const DEVICES_PER_ACCOUNT = DEVICES / ACCOUNTS;
/** The app syncs every 60 s; here ten times faster, so each device makes several cycles in under a minute. */
export const REAL_CYCLE_S = 60;
export const CYCLE_MS = 6_000;
export const CYCLES = 8;
/** Writes queued per cycle: household.update and visit.record in turn. */
export const WRITES_PER_CYCLE = 3;
/** The demo town at a third of its full size (23,000): 71 comprehensive grids of ~110 households. */
export const LOAD_HOUSEHOLDS = 8_000;
export const PULL_LIMIT = 2_000;
export const PROCESSES = 2;

export type Kind = 'login' | 'push' | 'pull';

interface Sample {
  kind: Kind;
  /** performance.now() when the answer was in. */
  at: number;
  ms: number;
}

export interface Device {
  index: number;
  username: string;
  clientId: string;
  households: Household[];
  residentsOf: ReadonlyMap<string, string[]>;
  token?: string;
  cursor: number;
  scope?: string;
  /** Requests made: the next goes to process (index + requests) % PROCESSES. */
  requests: number;
  /** Writes made so far (the next mutation id is written + 1). */
  written: number;
  /** Queued, not yet acknowledged (a failed push is sent again next cycle, as the app's outbox does). */
  outbox: Mutation[];
  /** What the device's writes leave behind: each household's last notes, every visit and need id. */
  notes: Map<string, string>;
  visits: Set<string>;
  needs: Set<string>;
}

export class Load {
  readonly samples: Sample[] = [];
  readonly errors: string[] = [];
  readonly perProcess = Array.from({ length: PROCESSES }, () => 0);
  /** How late each cycle started against its schedule (the devices keep up when this stays small). */
  readonly slips: number[] = [];
  cycles = 0;
  skipped = 0;
  constructor(readonly origins: readonly string[]) {}

  origin(device: Device): string {
    const index = (device.index + device.requests++) % PROCESSES;
    this.perProcess[index]!++;
    return this.origins[index]!;
  }

  async timed(kind: Kind, send: () => Promise<{ status: number; text: string }>) {
    const start = performance.now();
    const answer = await send();
    const at = performance.now();
    this.samples.push({ kind, at, ms: at - start });
    return answer;
  }

  error(what: string) {
    if (this.errors.length < 1_000) this.errors.push(what);
    else this.errors.push('');
  }
}

const sleepUntil = (at: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));

async function signIn(load: Load, device: Device) {
  try {
    const answer = await load.timed('login', () =>
      httpRequest(
        `${load.origin(device)}/api/login`,
        'POST',
        undefined,
        JSON.stringify({ username: device.username, password: BENCH_PASSWORD }),
      ),
    );
    if (answer.status !== 200) return load.error(`login ${device.username}: ${answer.status} ${answer.text}`);
    device.token = (JSON.parse(answer.text) as { token: string }).token;
  } catch (error) {
    load.error(`login ${device.username}: ${String(error)}`);
  }
}

/** Queues this cycle's writes, as the app's commands would between two syncs. */
function queueWrites(device: Device, cycle: number) {
  const now = Date.now();
  for (let k = 0; k < WRITES_PER_CYCLE; k++) {
    const i = device.written++;
    const household = device.households[Math.floor(i / 2) % device.households.length]!;
    const write: WorkerMutation = workerMutation(
      i,
      household,
      device.residentsOf.get(household.id) ?? [],
      now,
      `设备${device.index} 第${cycle}轮 `,
    );
    device.outbox.push({
      clientId: device.clientId,
      mutationId: i + 1,
      name: write.name,
      args: write.args,
      createdAt: now,
    });
    if (write.name === 'household.update') {
      const args = write.args as { id: string; changes: { notes: string } };
      device.notes.set(args.id, args.changes.notes);
    } else {
      const args = write.args as { visit: { id: string }; needs: { id: string }[] };
      device.visits.add(args.visit.id);
      for (const need of args.needs) device.needs.add(need.id);
    }
  }
}

export async function push(load: Load, device: Device) {
  if (device.outbox.length === 0) return;
  const mutations = device.outbox.slice(0, 200);
  const body = JSON.stringify({ protocolVersion: PROTOCOL_VERSION, clientId: device.clientId, mutations });
  try {
    const answer = await load.timed('push', () =>
      httpRequest(`${load.origin(device)}/api/push`, 'POST', device.token, body),
    );
    if (answer.status !== 200)
      return load.error(`push ${device.clientId}: ${answer.status} ${answer.text.slice(0, 200)}`);
    const response = JSON.parse(answer.text) as PushResponse;
    const notApplied = response.results.filter((r) => r.status !== 'applied');
    if (notApplied.length > 0)
      load.error(
        `push ${device.clientId}: ${notApplied.length} not applied (${JSON.stringify(notApplied[0])})`,
      );
    const done = new Set(response.results.map((r) => r.mutationId));
    device.outbox = device.outbox.filter((m) => !done.has(m.mutationId));
  } catch (error) {
    load.error(`push ${device.clientId}: ${String(error)}`);
  }
}

async function pull(load: Load, device: Device) {
  try {
    for (;;) {
      const answer = await load.timed('pull', () =>
        httpRequest(
          pullUrl(load.origin(device), device.cursor, device.clientId, PULL_LIMIT, device.scope),
          'GET',
          device.token,
        ),
      );
      if (answer.status !== 200)
        return load.error(`pull ${device.clientId}: ${answer.status} ${answer.text.slice(0, 200)}`);
      const page = JSON.parse(answer.text) as PullResponse;
      device.cursor = page.cursor;
      device.scope = page.scopeKey;
      if (!page.hasMore) return;
    }
  } catch (error) {
    load.error(`pull ${device.clientId}: ${String(error)}`);
  }
}

/** One device's life: sign in at its phase, then a push and a pull every cycle. */
export async function runDevice(load: Load, device: Device, t0: number) {
  const phase = (device.index / DEVICES) * CYCLE_MS;
  await sleepUntil(t0 + phase);
  await signIn(load, device);
  if (!device.token) return;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const due = t0 + phase + cycle * CYCLE_MS;
    // Bounded: a device that has fallen more than a cycle behind its schedule stops there.
    if (performance.now() > t0 + (CYCLES + 1) * CYCLE_MS) {
      load.skipped += CYCLES - cycle;
      return;
    }
    await sleepUntil(due);
    load.slips.push(performance.now() - due);
    load.cycles++;
    queueWrites(device, cycle);
    await push(load, device);
    await pull(load, device);
  }
}

export interface Seeded {
  townId: string;
  devices: Device[];
  startVersion: number;
  records: number;
  grids: number;
}

/** The demo town, 100 worker accounts spread over its grids, 10 devices each with households of their own. */
export async function seed(store: Store): Promise<Seeded> {
  const now = Date.now();
  await seedDemo(store, { households: LOAD_HOUSEHOLDS, kdf: BENCH_KDF, password: BENCH_PASSWORD, now });
  const town = await store.towns.byCode(DEMO_TOWNS.main.code);
  if (!town) throw new Error('the demo town is missing');
  const households = await store.records.live(town.id, 'households');
  const residentsOf = residentsByHousehold(await store.records.live(town.id, 'people'));
  const byGrid = new Map<string, Household[]>();
  for (const household of households) {
    const list = byGrid.get(household.gridId);
    if (list) list.push(household);
    else byGrid.set(household.gridId, [household]);
  }
  const grids = (await store.records.live(town.id, 'grids')).filter(
    (g) => g.kind === 'grid' && (byGrid.get(g.id)?.length ?? 0) > 0,
  );
  const accountsOf = new Map<string, number[]>();
  const devices: Device[] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const grid = grids[a % grids.length]!;
    const username = `lt_wgy${String(a + 1).padStart(3, '0')}`;
    await store.accounts.create({
      id: newId(),
      townId: town.id,
      username,
      name: `压测网格员${a + 1}`,
      role: 'worker',
      gridIds: [grid.id],
      passwordHash: await hashPassword(BENCH_PASSWORD, BENCH_KDF),
      createdAt: now,
    });
    accountsOf.set(grid.id, [...(accountsOf.get(grid.id) ?? []), a]);
  }
  const startVersion = await store.towns.version(town.id);
  // The devices of one grid share its households out, so each household has one writer and its
  // last value is known: the last notes that device wrote.
  for (const grid of grids) {
    const accounts = accountsOf.get(grid.id) ?? [];
    const gridHouseholds = byGrid.get(grid.id)!;
    const sharing = accounts.length * DEVICES_PER_ACCOUNT;
    accounts.forEach((a, k) => {
      for (let d = 0; d < DEVICES_PER_ACCOUNT; d++) {
        const rank = k * DEVICES_PER_ACCOUNT + d;
        const own = gridHouseholds.filter((_, i) => i % sharing === rank);
        devices.push({
          index: a * DEVICES_PER_ACCOUNT + d,
          username: `lt_wgy${String(a + 1).padStart(3, '0')}`,
          clientId: newId(),
          households: own.length > 0 ? own : [gridHouseholds[rank % gridHouseholds.length]!],
          residentsOf,
          cursor: startVersion,
          requests: 0,
          written: 0,
          outbox: [],
          notes: new Map(),
          visits: new Set(),
          needs: new Set(),
        });
      }
    });
  }
  devices.sort((a, b) => a.index - b.index);
  return {
    townId: town.id,
    devices,
    startVersion,
    records: await store.records.count(),
    grids: grids.length,
  };
}
