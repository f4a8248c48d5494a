/**
 * A bounded load test (`npm run bench -- --only load`, never in the default run): 1,000 simulated
 * devices against TWO server processes over one PostgreSQL, on loopback. Each device signs in once,
 * then keeps the app's rhythm compressed in time: every cycle (the app's 60 s, here CYCLE_MS) it
 * pushes a few writes and pulls from its cursor. Its requests alternate between the two processes,
 * as behind a load balancer. It stops by itself after CYCLES cycles, then checks in the database that
 * every device's writes landed exactly once, and that a fresh pull of each account shows them at
 * their last values.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { hashPassword } from '../../src/server/auth.ts';
import { DEMO_TOWNS, seedDemo } from '../../src/server/demo.ts';
import { openStore, type Store } from '../../src/server/store/store.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import {
  PROTOCOL_VERSION,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/protocol.ts';
import type { Household } from '../../src/shared/schemas/index.ts';
import { createDatabase, startPostgres, type PgCluster } from '../support/postgres.ts';
import { startServer, type ServerProcess } from '../support/server-processes.ts';
import { progress } from './progress.ts';
import { figure, type MeasuredFigure } from './report.ts';
import { percentile, round } from './stats.ts';
import {
  BENCH_KDF,
  BENCH_PASSWORD,
  httpAgent,
  httpRequest,
  KDF_NOTE,
  loadNote,
  login,
  pidListeningOn,
  postgresCpuSeconds,
  processCpuSeconds,
  pullUrl,
  residentsByHousehold,
  seconds,
  serverEnv,
  staleSockets,
  workerMutation,
  type WorkerMutation,
} from './store-bench.ts';

const DEVICES = 1_000;
const ACCOUNTS = 100;
const DEVICES_PER_ACCOUNT = DEVICES / ACCOUNTS;
/** The app syncs every 60 s; here ten times faster, so each device makes several cycles in under a minute. */
const REAL_CYCLE_S = 60;
const CYCLE_MS = 6_000;
const CYCLES = 8;
/** Writes queued per cycle: household.update and visit.record in turn. */
const WRITES_PER_CYCLE = 3;
/** The demo town at a third of its full size (23,000): 71 comprehensive grids of ~110 households. */
const LOAD_HOUSEHOLDS = 8_000;
const PULL_LIMIT = 2_000;
const POOL_SIZE = 16;
const PROCESSES = 2;
const P99_TARGET_MS = 200;

type Kind = 'login' | 'push' | 'pull';

interface Sample {
  kind: Kind;
  /** performance.now() when the answer was in. */
  at: number;
  ms: number;
}

interface Device {
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

class Load {
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
      `设备${device.index} 第${cycle}轮`,
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

async function push(load: Load, device: Device) {
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
async function runDevice(load: Load, device: Device, t0: number) {
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

/**
 * What PostgreSQL's sessions are waiting for, sampled while the load runs: for each wait (type, event
 * and the statement's start), the most sessions seen in it at once.
 */
class WaitSampler {
  readonly most = new Map<string, number>();
  samples = 0;
  #busy = false;
  readonly #timer: NodeJS.Timeout;
  constructor(readonly store: Store) {
    this.#timer = setInterval(() => void this.#sample(), 500);
  }

  async #sample() {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const rows = await this.store.sql.all<{ wait: string | null; query: string; n: number | string }>(
        `SELECT COALESCE(wait_event_type || ':' || wait_event, 'on CPU') AS wait,
           regexp_replace(left(query, 48), '\\s+', ' ', 'g') AS query, COUNT(*) AS n
         FROM pg_stat_activity
         WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()
         GROUP BY 1, 2`,
      );
      this.samples++;
      for (const row of rows) {
        const key = `${row.wait} (${row.query.trim()})`;
        this.most.set(key, Math.max(this.most.get(key) ?? 0, Number(row.n)));
      }
    } catch {
      // A sample lost is no matter.
    } finally {
      this.#busy = false;
    }
  }

  stop() {
    clearInterval(this.#timer);
  }

  top(count: number): string {
    return [...this.most]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, n]) => `${n} x ${key}`)
      .join('; ');
  }
}

interface Seeded {
  townId: string;
  devices: Device[];
  startVersion: number;
  records: number;
  grids: number;
}

/** The demo town, 100 worker accounts spread over its grids, 10 devices each with households of their own. */
async function seed(store: Store): Promise<Seeded> {
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

interface Check {
  /** Writes acknowledged or sent that are missing from the log or the records, or wrong there. */
  lost: number;
  /** Writes logged or stored more than once, or that no device sent. */
  doubled: number;
  notes: string[];
}

/** Every device's mutation_log holds exactly the ids it sent, once each, applied; the records agree. */
async function checkDatabase(store: Store, seeded: Seeded): Promise<Check> {
  const check: Check = { lost: 0, doubled: 0, notes: [] };
  const logRows = await store.sql.all<{
    client_id: string;
    n: number | string;
    ids: number | string;
    low: number | string;
    high: number | string;
    applied: number | string;
  }>(
    `SELECT client_id, COUNT(*) AS n, COUNT(DISTINCT mutation_id) AS ids, MIN(mutation_id) AS low,
       MAX(mutation_id) AS high, SUM(CASE WHEN status = 'applied' THEN 1 ELSE 0 END) AS applied
     FROM mutation_log GROUP BY client_id`,
  );
  const logOf = new Map(logRows.map((row) => [row.client_id, row]));
  const recordRows = await store.sql.all<{ written_by: string; kind: string; n: number | string }>(
    `SELECT written_by, kind, COUNT(*) AS n FROM records
     WHERE town_id = ? AND written_by IS NOT NULL GROUP BY written_by, kind`,
    [seeded.townId],
  );
  const recordsOf = new Map<string, Map<string, number>>();
  for (const row of recordRows) {
    const kinds = recordsOf.get(row.written_by) ?? new Map<string, number>();
    recordsOf.set(row.written_by, kinds.set(row.kind, Number(row.n)));
  }
  const clients = await store.sql.all<{ client_id: string; last_mutation_id: number | string }>(
    'SELECT client_id, last_mutation_id FROM clients WHERE town_id = ?',
    [seeded.townId],
  );
  const lastOf = new Map(clients.map((row) => [row.client_id, Number(row.last_mutation_id)]));
  const known = new Set(seeded.devices.map((d) => d.clientId));
  for (const device of seeded.devices) {
    const sent = device.written;
    const row = logOf.get(device.clientId);
    const applied = Number(row?.applied ?? 0);
    const n = Number(row?.n ?? 0);
    const ids = Number(row?.ids ?? 0);
    const fine =
      n === sent &&
      ids === sent &&
      applied === sent &&
      (sent === 0 || (Number(row!.low) === 1 && Number(row!.high) === sent));
    if (!fine) {
      check.lost += Math.max(0, sent - applied);
      check.doubled += Math.max(0, n - ids) + Math.max(0, Number(row?.high ?? 0) - sent);
      if (check.notes.length < 3)
        check.notes.push(
          `${device.clientId}: sent 1..${sent}, log ${n} rows, ${ids} ids, ${applied} applied`,
        );
    }
    if ((lastOf.get(device.clientId) ?? 0) !== sent) check.lost++;
    const stored = recordsOf.get(device.clientId) ?? new Map<string, number>();
    const expected: [string, number][] = [
      ['households', device.notes.size],
      ['visits', device.visits.size],
      ['needs', device.needs.size],
    ];
    for (const [kind, count] of expected) {
      const got = stored.get(kind) ?? 0;
      if (got < count) check.lost += count - got;
      if (got > count) check.doubled += got - count;
    }
  }
  for (const row of logRows) if (!known.has(row.client_id)) check.doubled += Number(row.n);
  return check;
}

/** A fresh pull of each account from cursor 0: its devices' households at their last notes, every visit there. */
async function checkPulls(origins: readonly string[], seeded: Seeded): Promise<Check> {
  const check: Check = { lost: 0, doubled: 0, notes: [] };
  const byAccount = new Map<string, Device[]>();
  for (const device of seeded.devices)
    byAccount.set(device.username, [...(byAccount.get(device.username) ?? []), device]);
  let turn = 0;
  for (const [username, devices] of byAccount) {
    const { token } = await login(origins[turn++ % origins.length]!, username);
    const clientId = newId();
    const held = new Map<string, { version: number; data?: unknown }>();
    for (let cursor = 0, scope: string | undefined; ;) {
      const answer = await httpRequest(
        pullUrl(origins[turn++ % origins.length]!, cursor, clientId, 5_000, scope),
        'GET',
        token,
      );
      if (answer.status !== 200)
        throw new Error(`final pull of ${username}: ${answer.status} ${answer.text}`);
      const page = JSON.parse(answer.text) as PullResponse;
      for (const change of page.changes) {
        const key = `${change.kind}/${change.id}`;
        if (held.has(key)) check.doubled++;
        held.set(key, { version: change.version, data: change.data });
      }
      cursor = page.cursor;
      scope = page.scopeKey;
      if (!page.hasMore) break;
    }
    for (const device of devices) {
      for (const [id, notes] of device.notes) {
        const got = (held.get(`households/${id}`)?.data as Household | undefined)?.notes;
        if (got !== notes) {
          check.lost++;
          if (check.notes.length < 3)
            check.notes.push(`${username}: household ${id} has "${got}", not "${notes}"`);
        }
      }
      for (const id of device.visits) if (!held.has(`visits/${id}`)) check.lost++;
      for (const id of device.needs) if (!held.has(`needs/${id}`)) check.lost++;
    }
  }
  return check;
}

export async function runLoadBench(): Promise<MeasuredFigure[]> {
  const started = performance.now();
  let cluster: PgCluster | undefined;
  let servers: ServerProcess[] = [];
  let store: Store | undefined;
  try {
    progress('load: starting a fresh PostgreSQL cluster');
    cluster = await startPostgres();
    const url = await createDatabase(cluster, `bench_load_${process.pid}`);
    store = await openStore({ url, poolSize: 4 });
    progress(`load: seeding the demo town (${LOAD_HOUSEHOLDS} households), ${ACCOUNTS} accounts`);
    const seeded = await seed(store);
    // What a running PostgreSQL's autovacuum would have done by now: planner statistics.
    await store.sql.run('ANALYZE');
    progress(`load: ${seeded.records} records; starting ${PROCESSES} server processes over one PostgreSQL`);
    const env = serverEnv({ DEMO: 'off', DATABASE_POOL: String(POOL_SIZE) });
    servers = await Promise.all(
      Array.from({ length: PROCESSES }, () => startServer({ databaseUrl: url, env })),
    );
    const pids = servers.map((s) => pidListeningOn(s.port));
    const load = new Load(servers.map((s) => s.url));
    const lag = monitorEventLoopDelay({ resolution: 10 });
    progress(
      `load: ${DEVICES} devices (${ACCOUNTS} accounts x ${DEVICES_PER_ACCOUNT}), ${CYCLES} cycles of ${CYCLE_MS / 1000} s ` +
        `(the app's ${REAL_CYCLE_S} s, ${REAL_CYCLE_S / (CYCLE_MS / 1000)}x compressed), ${WRITES_PER_CYCLE} writes per cycle`,
    );
    const cpuBefore = {
      servers: pids.map((pid) => (pid === undefined ? NaN : processCpuSeconds(pid))),
      database: postgresCpuSeconds(cluster),
      own: process.cpuUsage(),
    };
    const waits = new WaitSampler(store);
    const staleBefore = staleSockets.retried;
    lag.enable();
    const t0 = performance.now() + 200;
    const ticker = setInterval(() => {
      const recent = load.samples.filter((s) => s.at > performance.now() - 1000);
      progress(`load: ${load.samples.length} requests, ${recent.length}/s now, ${load.errors.length} errors`);
    }, 10_000);
    try {
      await Promise.all(seeded.devices.map((device) => runDevice(load, device, t0)));
    } finally {
      clearInterval(ticker);
      waits.stop();
    }
    const t1 = performance.now();
    lag.disable();
    const cpu = {
      servers: pids.map((pid, i) =>
        pid === undefined ? NaN : processCpuSeconds(pid) - cpuBefore.servers[i]!,
      ),
      database: postgresCpuSeconds(cluster) - cpuBefore.database,
      own: (() => {
        const own = process.cpuUsage(cpuBefore.own);
        return (own.user + own.system) / 1e6;
      })(),
    };
    // What a failed push left queued goes out now, as the app's next sync would (not timed or counted).
    const queued = seeded.devices.reduce((sum, d) => sum + d.outbox.length, 0);
    const flush = new Load(load.origins);
    await Promise.all(seeded.devices.filter((d) => d.outbox.length > 0).map((d) => push(flush, d)));
    const left = seeded.devices.reduce((sum, d) => sum + d.outbox.length, 0);
    const runMs = t1 - t0;
    const all = load.samples.map((s) => s.ms);
    const of = (kind: Kind) => load.samples.filter((s) => s.kind === kind).map((s) => s.ms);
    // Held: the rate while every device cycles (after the first cycle's sign-ins, before the last ends).
    const steadyFrom = t0 + CYCLE_MS;
    const steadyTo = t0 + (CYCLES - 1) * CYCLE_MS;
    const steady = load.samples.filter((s) => s.at >= steadyFrom && s.at < steadyTo);
    const buckets = new Map<number, number>();
    for (const s of steady)
      buckets.set(
        Math.floor((s.at - steadyFrom) / 1000),
        (buckets.get(Math.floor((s.at - steadyFrom) / 1000)) ?? 0) + 1,
      );
    const perSecond = [...buckets.values()];
    const held = steady.length / ((steadyTo - steadyFrom) / 1000);
    const writes = seeded.devices.reduce((sum, d) => sum + d.written, 0);
    const p50 = percentile(all, 50);
    const p99 = percentile(all, 99);
    const slip = percentile(load.slips, 99);
    progress(
      `load: ${load.samples.length} requests in ${seconds(runMs)}, held ${held.toFixed(0)}/s; p50 ${p50.toFixed(1)} ms, ` +
        `p99 ${p99.toFixed(1)} ms; ${load.errors.length} errors${load.errors[0] ? ` (first: ${load.errors[0]})` : ''}; ` +
        `servers CPU ${cpu.servers.map((s) => s.toFixed(1)).join(' + ')} s, PostgreSQL ${cpu.database.toFixed(1)} s, ` +
        `load generator ${cpu.own.toFixed(1)} s`,
    );

    progress('load: checking every write in the database and in a fresh pull of each account');
    const inDatabase = await checkDatabase(store, seeded);
    const inPulls = await checkPulls(load.origins, seeded);
    const lost = inDatabase.lost + inPulls.lost + left;
    const doubled = inDatabase.doubled + inPulls.doubled;
    progress(`load: lost ${lost}, doubled ${doubled} ${[...inDatabase.notes, ...inPulls.notes].join('; ')}`);

    const setup =
      `${DEVICES} simulated devices (${ACCOUNTS} worker accounts spread over the demo town's ${seeded.grids} grids, ` +
      `${DEVICES_PER_ACCOUNT} devices = clientIds each; demo town of ${LOAD_HOUSEHOLDS} households, ${seeded.records} records), ` +
      `each signing in once at its phase in the first cycle, then every ${CYCLE_MS / 1000} s (the app's ${REAL_CYCLE_S} s ` +
      `sync rhythm ${REAL_CYCLE_S / (CYCLE_MS / 1000)}x compressed) queueing ${WRITES_PER_CYCLE} writes (household.update ` +
      `and visit.record in turn, on households no other device writes) and pushing them, then pulling from its cursor ` +
      `(limit ${PULL_LIMIT}; devices start synced to the seeded version ${seeded.startVersion}, so pulls carry the ` +
      `others' writes); ${CYCLES} cycles, ${seconds(runMs)} in all; requests alternate between ${PROCESSES} server ` +
      `processes (startServer, DEMO=off, DATABASE_POOL=${POOL_SIZE}) over one fresh PostgreSQL cluster (fsync off), on ` +
      `loopback with keep-alive (node:http Agent); ${KDF_NOTE}`;
    const cpuNote =
      `CPU in the run: server processes ${cpu.servers.map((s) => `${s.toFixed(1)} s`).join(' and ')}, PostgreSQL ` +
      `${cpu.database.toFixed(1)} s, load generator ${cpu.own.toFixed(1)} s (one machine, ${loadNote()}; its event ` +
      `loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, which every latency here includes); PostgreSQL ` +
      `sessions at once, most seen in ${waits.samples} samples of pg_stat_activity: ${waits.top(5)}`;
    const kinds = (['login', 'push', 'pull'] as const)
      .map((kind) => {
        const samples = of(kind);
        return `${kind} ${samples.length} (p50 ${percentile(samples, 50).toFixed(1)}, p99 ${percentile(samples, 99).toFixed(1)} ms)`;
      })
      .join(', ');
    const elapsed = seconds(performance.now() - started);
    return [
      figure(
        'load: requests per second held (1,000 devices, 2 processes, PostgreSQL)',
        round(held, 0),
        '/s',
        `context, no target: offered ${Math.round((DEVICES * 2) / (CYCLE_MS / 1000))}/s (a push and a pull per device ` +
          `per cycle); ${steady.length} requests answered between the end of the first cycle and the start of ` +
          `the last (1-s buckets ${Math.min(...perSecond)}-${Math.max(...perSecond)}/s), ${load.samples.length} in all ` +
          `(${load.perProcess.join(' + ')} per process); ${writes} writes; ${load.cycles} of ${DEVICES * CYCLES} device ` +
          `cycles run (${load.skipped} dropped by devices more than a cycle behind); cycles started late by p99 ${slip.toFixed(0)} ms ` +
          `(max ${Math.max(...load.slips).toFixed(0)} ms) against their schedule; ${setup}; whole group ${elapsed}`,
      ),
      figure(
        'load: p50 latency',
        round(p50, 1),
        'ms',
        `context, no target: every request (${kinds}), sent to answer received, in the load generator; ${cpuNote}`,
      ),
      figure(
        'load: p99 latency',
        round(p99, 1),
        'ms',
        `every request, as p50; max ${Math.max(...all).toFixed(0)} ms`,
        P99_TARGET_MS,
      ),
      figure(
        'load: errors',
        load.errors.length,
        'errors',
        (load.errors.length === 0
          ? 'no request failed or answered other than 2xx, and every pushed mutation was applied'
          : `requests that failed or answered other than 2xx, and pushed mutations not applied; first: ` +
            load.errors.filter(Boolean).slice(0, 3).join(' | ')) +
          `; not counted: ${staleSockets.retried - staleBefore} requests sent again because the kept-alive socket ` +
          `they got had just been closed by the server (ECONNRESET on a reused socket, keep-alive's race)`,
        0,
      ),
      figure(
        'load: lost or doubled writes',
        lost + doubled,
        'writes',
        `lost ${lost}, doubled ${doubled}: after the run, each device's mutation_log holds exactly ids 1..n it sent, once ` +
          `each, all applied, and clients.last_mutation_id = n; records written by each clientId are exactly its ` +
          `households, visits and needs (none missing or extra); a fresh pull of each account (over both processes) ` +
          `has every household of its devices at the last notes written and every visit and need; ${queued} writes ` +
          `were still queued after a failed push when the run ended and were pushed once more, ${left} of them never landed` +
          (inDatabase.notes.length + inPulls.notes.length > 0
            ? ` (${[...inDatabase.notes, ...inPulls.notes].join('; ')})`
            : ''),
        0,
      ),
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await store?.close();
    httpAgent.destroy();
    await cluster?.stop();
  }
}
