/**
 * The storage engines side by side (SQLite, the embedded default, and PostgreSQL): push throughput of
 * real HTTP pushes to a real server process (src/server/main.ts as a child process, so validation,
 * authorization, planning and the store all count) with 3 clients in one town and 3 clients in each
 * of 10 towns, and the server side of one device pulling a whole 12,000-person grid. Both engines get
 * the same database content, seeded through the store API before the server starts (DEMO=off): 10
 * small towns of 3 grids with a worker per grid, and a one-grid demo town of ~12,000 people.
 *
 * The helpers at the top (keep-alive HTTP, a worker's mutations, process CPU from /proc, cheap bench
 * accounts) are shared with load-bench.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, type KdfParams } from '../../src/server/auth.ts';
import { seedDemo } from '../../src/server/demo.ts';
import { openStore, type Store, type StoreOptions } from '../../src/server/store/store.ts';
import { addTown } from '../../src/server/town.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import type { MutationArgs, MutationName } from '../../src/shared/mutations.ts';
import {
  MAX_PUSH_MUTATIONS,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  type LoginResponse,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/protocol.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Household, Need, Person, Visit } from '../../src/shared/schemas/index.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import { createDatabase, startPostgres, type PgCluster } from '../support/postgres.ts';
import { startServer, type ServerProcess } from '../support/server-processes.ts';
import { progress } from './progress.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { median, percentile, round } from './stats.ts';

// ---- Shared with load-bench.ts ----

/**
 * Bench accounts hash their password with scrypt N = 2^10 instead of the server's 2^15: signing in
 * hundreds of accounts must not turn the bench into a KDF bench. Said in every note that signs in.
 */
export const BENCH_KDF: KdfParams = { N: 2 ** 10, r: 8, p: 1 };
export const BENCH_PASSWORD = 'bench-2026';
export const KDF_NOTE = 'bench accounts hashed with scrypt N=2^10 (the server default is 2^15)';

/** Keep-alive connections, so thousands of requests reuse a few sockets instead of exhausting ports. */
export const httpAgent = new Agent({ keepAlive: true, maxFreeSockets: 2048 });

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * Requests sent again because the kept-alive socket they were given had just been closed by the
 * server (its keepAliveTimeout racing the next request: ECONNRESET on a reused socket, the case
 * Node's docs say to retry). Idempotent here: a push sent twice answers "duplicate", which counts.
 */
export const staleSockets = { retried: 0 };

class StaleSocket extends Error {}

function sendOnce(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string | number>,
  body: string | undefined,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, agent: httpAgent, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      incoming.on('error', reject);
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const stale = outgoing.reusedSocket && error.code === 'ECONNRESET';
      reject(
        stale ? new StaleSocket(error.message) : new Error(`${error.code ?? ''} ${error.message}`.trim()),
      );
    });
    outgoing.end(body);
  });
}

/** One request over the keep-alive agent; the answer's body as text. */
export async function httpRequest(
  url: string,
  method: 'GET' | 'POST',
  token?: string,
  body?: string,
): Promise<HttpAnswer> {
  const headers: Record<string, string | number> = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(body);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendOnce(url, method, headers, body);
    } catch (error) {
      if (!(error instanceof StaleSocket) || attempt === 3) throw error;
      staleSockets.retried++;
    }
  }
}

/** A JSON call that must succeed. */
export async function api<T>(url: string, method: 'GET' | 'POST', token?: string, body?: string): Promise<T> {
  const answer = await httpRequest(url, method, token, body);
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`${method} ${url}: ${answer.status} ${answer.text.slice(0, 300)}`);
  return JSON.parse(answer.text) as T;
}

export const login = (origin: string, username: string, password = BENCH_PASSWORD) =>
  api<LoginResponse>(`${origin}/api/login`, 'POST', undefined, JSON.stringify({ username, password }));

export const pullUrl = (origin: string, cursor: number, clientId: string, limit: number, scope?: string) =>
  `${origin}/api/pull?${new URLSearchParams({
    cursor: String(cursor),
    clientId,
    limit: String(limit),
    ...(scope ? { scope } : {}),
  })}`;

export type WorkerMutation = Pick<Mutation, 'name' | 'args'>;

/** Resident people of each household, the ones a visit meets. */
export function residentsByHousehold(people: Iterable<Person>): Map<string, string[]> {
  const residentsOf = new Map<string, string[]>();
  for (const person of people) {
    if (person.status !== 'resident' || person.isDeleted) continue;
    const list = residentsOf.get(person.householdId);
    if (list) list.push(person.id);
    else residentsOf.set(person.householdId, [person.id]);
  }
  return residentsOf;
}

export const NEED_EVERY = 25;

/**
 * A worker's day, as sync-bench.ts has it: household notes edited (household.update, even i) and
 * visits recorded (visit.record with the residents met, five-sees notes and, every NEED_EVERY-th odd
 * i, a need found on the visit), over the worker's own households in turn.
 */
export function workerMutation(
  i: number,
  household: Household,
  residents: readonly string[],
  visitedAt: number,
  label: string,
): WorkerMutation {
  const mutation = <N extends MutationName>(name: N, args: MutationArgs<N>): WorkerMutation => ({
    name,
    args,
  });
  if (i % 2 === 0)
    return mutation('household.update', {
      id: household.id,
      changes: { notes: `${label} 第 ${i} 次走访：家中老人身体尚可，子女每周回来一次，需关注用电安全` },
    });
  const visitId = newId();
  const needs: Need[] =
    i % NEED_EVERY === 1
      ? [
          {
            id: newId(),
            updatedAt: visitedAt,
            isDeleted: false,
            householdId: household.id,
            gridId: household.gridId,
            type: 'medical',
            description: '老人需要陪同去医院复查，子女在外地',
            urgency: 'normal',
            status: 'open',
            history: [{ at: visitedAt, status: 'open' }],
            foundInVisitId: visitId,
            createdAt: visitedAt,
          },
        ]
      : [];
  const visit: Visit = {
    id: visitId,
    updatedAt: visitedAt,
    isDeleted: false,
    householdId: household.id,
    gridId: household.gridId,
    personIds: residents.slice(0, 2),
    visitedAt,
    day: shanghaiDay(visitedAt),
    shift: 'day',
    outcome: 'met',
    fiveSees: { person: '精神状态良好', scene: '家中整洁，燃气已关闭' },
    notes: '提醒按时服药，宣传防诈骗知识',
    needIds: needs.map((n) => n.id),
    photoIds: [],
  };
  return mutation('visit.record', { visit, needs });
}

/** One push request body: `mutations` numbered from `firstId`. */
export function pushBody(
  clientId: string,
  mutations: readonly WorkerMutation[],
  firstId: number,
  createdAt: number,
): string {
  const page = mutations.map((m, i): Mutation => ({
    clientId,
    mutationId: firstId + i,
    name: m.name,
    args: m.args,
    createdAt,
  }));
  return JSON.stringify({ protocolVersion: PROTOCOL_VERSION, clientId, mutations: page });
}

/** Fields of /proc/<pid>/stat from field 3 on (after the command, which may hold spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds (user + system, clock ticks of 1/100 s) of one process, all its threads, and with
 * `children` also of its children that have exited and been waited for; NaN when it is gone or off Linux.
 */
export function processCpuSeconds(pid: number, children = false): number {
  try {
    const fields = statFields(pid);
    // utime is field 14, stime 15, cutime 16, cstime 17.
    const own = Number(fields[11]) + Number(fields[12]);
    return (children ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
  } catch {
    return NaN;
  }
}

const parentOf = (pid: number): number => {
  try {
    return Number(statFields(pid)[1]);
  } catch {
    return -1;
  }
};

const processIds = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

/**
 * The pid of the process listening on 127.0.0.1:`port` (startServer does not say), found through
 * /proc/net/tcp's socket inode and the process that holds it; undefined off Linux.
 */
export function pidListeningOn(port: number): number | undefined {
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] (ADDR:PORT in hex), st cols[3] (0A = LISTEN), inode cols[9].
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(`socket:[${cols[9]}]`);
    }
    for (const pid of processIds()) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
        } catch {
          // Closed meanwhile.
        }
      }
    }
  } catch {
    // Not Linux.
  }
  return undefined;
}

/**
 * CPU seconds of a PostgreSQL cluster: the postmaster, every backend it forked that still runs, and
 * those that ended (a pool closes idle connections), which the postmaster has waited for.
 */
export function postgresCpuSeconds(cluster: PgCluster): number {
  try {
    const postmaster = Number(
      readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    let total = processCpuSeconds(postmaster, true);
    for (const pid of processIds()) if (parentOf(pid) === postmaster) total += processCpuSeconds(pid) || 0;
    return total;
  } catch {
    return NaN;
  }
}

/**
 * More environment for the bench's server processes: BENCH_SERVER_NODE_OPTIONS becomes their
 * NODE_OPTIONS, e.g. `--import=/path/to/hook.mjs` where the hook starts node:inspector's Profiler and writes the
 * profile on exit, to profile the server under the bench's load (--cpu-prof is not allowed in NODE_OPTIONS).
 */
export function serverEnv(env: Record<string, string>): Record<string, string> {
  const nodeOptions = process.env.BENCH_SERVER_NODE_OPTIONS;
  return nodeOptions ? { ...env, NODE_OPTIONS: nodeOptions } : env;
}

export const loadNote = () => `load average ${loadavg()[0]!.toFixed(1)}`;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

// ---- The bench's towns ----

const PUSH_TARGET_PER_SECOND = 10_000;
const TOWNS = 10;
/** Each push town: 3 grids (two communities and a village) of ~100 households, one worker each. */
const PUSH_TOWN = { households: 300, comprehensiveGrids: 3, specialGrids: 0, enterprises: 0 } as const;
/** Timed mutations per client, after one untimed warm-up request of MAX_PUSH_MUTATIONS each. */
const ONE_TOWN_MUTATIONS_PER_CLIENT = 10_000;
const TEN_TOWNS_MUTATIONS_PER_CLIENT = 2_000;
/** One grid of ~12,000 people (3,300 demo households), the only grid of the demo town, as sync-bench.ts. */
const PULL_TOWN = { households: 3_300, comprehensiveGrids: 1, specialGrids: 0, enterprises: 0 } as const;
const PULL_ACCOUNT = 'wgy01';
const PULL_LIMIT = 5_000;
const PULL_REPEATS = 5;
const POOL_SIZE = 10;

type Backend = 'SQLite' | 'PostgreSQL';

interface BenchWorker {
  username: string;
  town: string;
  households: Household[];
  residentsOf: Map<string, string[]>;
}

/** Town `code`: its administrator (addTown), a small demo town's records, and a worker on each grid. */
async function seedPushTown(store: Store, index: number, now: number): Promise<BenchWorker[]> {
  const code = `T${String(index + 1).padStart(2, '0')}`;
  const name = `压测${index + 1}镇`;
  const { town } = await addTown(store, code, name, now, BENCH_KDF);
  const demo = generateDemoTown({ ...PUSH_TOWN, seed: 20260300 + index, townName: name, townCode: code });
  const groups: [RecordKind, readonly RecordOf<RecordKind>[]][] = [
    ['grids', demo.grids],
    ['buildings', demo.buildings],
    ['households', demo.households],
    ['people', demo.people],
  ];
  await store.appendRecords(
    town.id,
    groups.flatMap(([kind, records]) => records.map((record) => ({ kind, record }))),
    null,
    now,
  );
  const residentsOf = residentsByHousehold(demo.people);
  const workers: BenchWorker[] = [];
  for (const [g, grid] of demo.grids.filter((grid) => grid.kind === 'grid').entries()) {
    const username = `${code.toLowerCase()}_wgy${String(g + 1).padStart(2, '0')}`;
    await store.accounts.create({
      id: newId(),
      townId: town.id,
      username,
      name: `网格员${g + 1}`,
      role: 'worker',
      gridIds: [grid.id],
      passwordHash: await hashPassword(BENCH_PASSWORD, BENCH_KDF),
      createdAt: now,
    });
    workers.push({
      username,
      town: code,
      households: demo.households.filter((h) => h.gridId === grid.id),
      residentsOf,
    });
  }
  return workers;
}

interface Seeded {
  towns: BenchWorker[][];
  records: number;
  ms: number;
}

async function seedDatabase(options: StoreOptions, backend: Backend): Promise<Seeded> {
  const started = performance.now();
  const store = await openStore(options);
  try {
    const now = Date.now();
    await seedDemo(store, { town: PULL_TOWN, kdf: BENCH_KDF, password: BENCH_PASSWORD, now });
    const towns: BenchWorker[][] = [];
    for (let i = 0; i < TOWNS; i++) towns.push(await seedPushTown(store, i, now));
    // What a running PostgreSQL's autovacuum would have done by now: planner statistics.
    if (backend === 'PostgreSQL') await store.sql.run('ANALYZE');
    return {
      towns,
      records: await store.records.count(),
      ms: performance.now() - started,
    };
  } finally {
    await store.close();
  }
}

// ---- Pushing ----

interface PushClient {
  username: string;
  token: string;
  /** Request bodies, ready to send: the first is the untimed warm-up. */
  bodies: string[];
}

async function preparePushClients(
  origin: string,
  workers: readonly BenchWorker[],
  perClient: number,
): Promise<PushClient[]> {
  const start = Date.now() - (perClient + MAX_PUSH_MUTATIONS) * 1000;
  // Bodies first, then the sign-ins: seconds of building with the event loop busy would let the
  // server close the sign-ins' idle keep-alive sockets unseen, and the first push reuse a dead one.
  const prepared = workers.map((worker) => {
    const clientId = newId();
    const mutations: WorkerMutation[] = [];
    for (let i = 0; i < MAX_PUSH_MUTATIONS + perClient; i++) {
      const household = worker.households[i % worker.households.length]!;
      const residents = worker.residentsOf.get(household.id) ?? [];
      mutations.push(workerMutation(i, household, residents, start + i * 1000, worker.username));
    }
    const createdAt = Date.now();
    const bodies: string[] = [];
    for (let first = 0; first < mutations.length; first += MAX_PUSH_MUTATIONS)
      bodies.push(
        pushBody(clientId, mutations.slice(first, first + MAX_PUSH_MUTATIONS), first + 1, createdAt),
      );
    return { username: worker.username, bodies };
  });
  return Promise.all(
    prepared.map(async (client) => ({ ...client, token: (await login(origin, client.username)).token })),
  );
}

interface PushTally {
  applied: number;
  rejected: number;
  duplicate: number;
  firstRejection?: string;
}

async function sendPush(origin: string, client: PushClient, body: string, tally: PushTally): Promise<number> {
  const start = performance.now();
  const response = await api<PushResponse>(`${origin}/api/push`, 'POST', client.token, body);
  const ms = performance.now() - start;
  for (const result of response.results) {
    tally[result.status]++;
    if (result.status === 'rejected') tally.firstRejection ??= `${result.reason}: ${result.message}`;
  }
  return ms;
}

/** CPU seconds so far of what serves the requests: the server process, and PostgreSQL's processes. */
interface Cpu {
  server: number;
  database: number;
  own: number;
}

function cpuNow(serverPid: number | undefined, cluster: PgCluster | undefined): Cpu {
  const own = process.cpuUsage();
  return {
    server: serverPid === undefined ? NaN : processCpuSeconds(serverPid),
    database: cluster ? postgresCpuSeconds(cluster) : 0,
    own: (own.user + own.system) / 1e6,
  };
}

const cpuSince = (before: Cpu, after: Cpu): Cpu => ({
  server: after.server - before.server,
  database: after.database - before.database,
  own: after.own - before.own,
});

interface Setup {
  backend: Backend;
  server: ServerProcess;
  serverPid: number | undefined;
  cluster: PgCluster | undefined;
  seeded: Seeded;
}

const engineNote = (setup: Setup) =>
  (setup.backend === 'SQLite'
    ? 'SQLite file in a temp dir'
    : `PostgreSQL (a fresh local cluster, fsync off, ANALYZEd after seeding; DATABASE_POOL=${POOL_SIZE})`) +
  ` holding ${setup.seeded.records} records of ${TOWNS + 1} towns at the start`;

async function pushFigures(
  setup: Setup,
  workers: readonly BenchWorker[],
  perClient: number,
  what: string,
): Promise<MeasuredFigure[]> {
  const { server, backend } = setup;
  const origin = server.url;
  const clients = await preparePushClients(origin, workers, perClient);
  const towns = new Set(workers.map((w) => w.town)).size;
  progress(
    `store ${backend}: ${what}: ${clients.length} clients, ${perClient} mutations each in requests of ${MAX_PUSH_MUTATIONS}`,
  );
  const warmUp: PushTally = { applied: 0, rejected: 0, duplicate: 0 };
  await Promise.all(clients.map((client) => sendPush(origin, client, client.bodies[0]!, warmUp)));

  const tally: PushTally = { applied: 0, rejected: 0, duplicate: 0 };
  const latencies: number[] = [];
  const before = cpuNow(setup.serverPid, setup.cluster);
  const start = performance.now();
  // Each device sends its pages one after another, as the sync engine does; the devices run side by side.
  await Promise.all(
    clients.map(async (client) => {
      for (const body of client.bodies.slice(1)) latencies.push(await sendPush(origin, client, body, tally));
    }),
  );
  const wallMs = performance.now() - start;
  const cpu = cpuSince(before, cpuNow(setup.serverPid, setup.cluster));
  const mutations = tally.applied + tally.rejected + tally.duplicate;
  const perSecond = mutations / (wallMs / 1000);
  const met = perSecond >= PUSH_TARGET_PER_SECOND;
  const us = (cpuSeconds: number) => ((cpuSeconds * 1e6) / mutations).toFixed(0);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  progress(
    `store ${backend}: ${what}: ${mutations} mutations in ${seconds(wallMs)} = ${perSecond.toFixed(0)}/s; ` +
      `server CPU ${cpu.server.toFixed(2)} s (${us(cpu.server)} µs/mutation)` +
      (backend === 'PostgreSQL'
        ? `, PostgreSQL CPU ${cpu.database.toFixed(2)} s (${us(cpu.database)} µs/mutation)`
        : '') +
      `; p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`,
  );
  const outcome =
    `${tally.applied} applied, ${tally.rejected} rejected, ${tally.duplicate} duplicate` +
    (tally.firstRejection ? ` (first rejection: ${tally.firstRejection})` : '');
  const cpuNote =
    `server process CPU ${cpu.server.toFixed(2)} s = ${us(cpu.server)} µs per mutation` +
    (backend === 'PostgreSQL'
      ? `, PostgreSQL processes ${cpu.database.toFixed(2)} s = ${us(cpu.database)} µs per mutation`
      : '') +
    `, load generator ${cpu.own.toFixed(2)} s (all on the same cores: ${loadNote()})`;
  const setupNote =
    `real server as a child process (startServer: node --import tsx src/server/main.ts, DEMO=off, ${engineNote(setup)}), ` +
    `HTTP keep-alive on loopback; ${clients.length} clients in parallel in ${towns} town${towns > 1 ? 's' : ''} ` +
    `(a worker per grid, each its own clientId and ~${Math.round(workers[0]!.households.length)} households), each sending its ` +
    `${clients[0]!.bodies.length - 1} requests of ${MAX_PUSH_MUTATIONS} in turn after one untimed warm-up request; ${KDF_NOTE}`;
  return [
    {
      figure: `push ${what} (${backend})`,
      value: round(perSecond, 0),
      unit: '/s',
      target: `>= ${PUSH_TARGET_PER_SECOND} /s`,
      note:
        `${met ? 'met' : 'MISSED'}: ${mutations} mutations (half household.update of notes, half visit.record ` +
        `with residents, five sees and a need every ${NEED_EVERY * 2}th) in ${seconds(wallMs)}; ${outcome}; ` +
        `validation, authorization, planning and one transaction per request under the town's lock, as the server does; ` +
        `${cpuNote}; ${setupNote}`,
    },
    figure(
      `p99 push request, ${what} (${backend})`,
      round(p99, 1),
      'ms',
      `context, no target: ${latencies.length} requests of ${MAX_PUSH_MUTATIONS} mutations, send to answer parsed; ` +
        `p50 ${p50.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ${clients.length} clients share ` +
        `one server process, so a request also waits for the others' (and, in one town, for the town's lock)`,
    ),
  ];
}

// ---- Pulling ----

interface PullRun {
  /** Request sent to whole body received, summed over the pages: the client's JSON.parse is left out. */
  ms: number;
  wallMs: number;
  pages: number[];
  changes: number;
  people: number;
}

async function timePull(origin: string, token: string): Promise<PullRun> {
  const clientId = newId();
  const run: PullRun = { ms: 0, wallMs: 0, pages: [], changes: 0, people: 0 };
  const wallStart = performance.now();
  for (let cursor = 0, scope: string | undefined; ;) {
    const start = performance.now();
    const answer = await httpRequest(pullUrl(origin, cursor, clientId, PULL_LIMIT, scope), 'GET', token);
    const ms = performance.now() - start;
    if (answer.status !== 200) throw new Error(`pull: ${answer.status} ${answer.text.slice(0, 300)}`);
    run.pages.push(ms);
    run.ms += ms;
    const page = JSON.parse(answer.text) as PullResponse;
    run.changes += page.changes.length;
    run.people += page.changes.filter((c) => c.kind === 'people').length;
    cursor = page.cursor;
    scope = page.scopeKey;
    if (!page.hasMore) break;
  }
  run.wallMs = performance.now() - wallStart;
  return run;
}

async function pullFigures(setup: Setup): Promise<MeasuredFigure[]> {
  const { server, backend } = setup;
  const { token, user } = await login(server.url, PULL_ACCOUNT);
  if (user.gridIds.length !== 1) throw new Error(`${PULL_ACCOUNT} should cover the pull town's one grid`);
  await timePull(server.url, token);
  const before = cpuNow(setup.serverPid, setup.cluster);
  const runs: PullRun[] = [];
  for (let i = 0; i < PULL_REPEATS; i++) runs.push(await timePull(server.url, token));
  const cpu = cpuSince(before, cpuNow(setup.serverPid, setup.cluster));
  const pages = runs.flatMap((r) => r.pages);
  const ms = median(runs.map((r) => r.ms));
  const run = runs[0]!;
  progress(
    `store ${backend}: pull ${run.changes} changes (${run.people} people) in ${run.pages.length} pages: ` +
      `median ${seconds(ms)}, pages p99 ${percentile(pages, 99).toFixed(0)} ms`,
  );
  const setupNote = `real server as a child process (${engineNote(setup)}), HTTP keep-alive on loopback`;
  return [
    figure(
      `pull 12,000-person grid (${backend})`,
      round(ms / 1000, 2),
      's',
      `context, no target: one device (${PULL_ACCOUNT}, worker of the town's only grid) pulling everything from cursor 0 ` +
        `with limit ${PULL_LIMIT}: ${run.changes} changes (${run.people} people, the rest households, buildings, grids ` +
        `and the demo's problems) in ${run.pages.length} pages; median of ${PULL_REPEATS} pulls (each a fresh clientId, ` +
        `after one untimed), request sent to last byte received summed over the pages (the client's JSON.parse left out; ` +
        `with it ${seconds(median(runs.map((r) => r.wallMs)))}); server CPU ${((cpu.server / PULL_REPEATS) * 1000).toFixed(0)} ms per pull` +
        (backend === 'PostgreSQL'
          ? `, PostgreSQL ${((cpu.database / PULL_REPEATS) * 1000).toFixed(0)} ms per pull`
          : '') +
        `; ${setupNote}; ${KDF_NOTE}`,
    ),
    figure(
      `p99 pull page (${backend})`,
      round(percentile(pages, 99), 1),
      'ms',
      `context, no target: ${pages.length} pages of up to ${PULL_LIMIT} changes from the ${PULL_REPEATS} pulls, ` +
        `request sent to last byte received; p50 ${percentile(pages, 50).toFixed(1)} ms; one request at a time`,
    ),
  ];
}

// ---- One engine ----

async function measureBackend(backend: Backend, cluster?: PgCluster): Promise<MeasuredFigure[]> {
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-store-bench-'));
  let server: ServerProcess | undefined;
  try {
    let options: StoreOptions;
    let serverOptions: Parameters<typeof startServer>[0];
    const env = serverEnv({ DEMO: 'off', DATABASE_POOL: String(POOL_SIZE) });
    if (backend === 'SQLite') {
      options = { file: join(dataDir, 'lianxin.sqlite') };
      serverOptions = { dataDir, env };
    } else {
      if (!cluster) throw new Error('no PostgreSQL cluster');
      const url = await createDatabase(cluster, `bench_store_${process.pid}`);
      options = { url };
      serverOptions = { databaseUrl: url, dataDir, env };
    }
    progress(
      `store ${backend}: seeding ${TOWNS} towns of ${PUSH_TOWN.households} households and a one-grid town of ${PULL_TOWN.households}`,
    );
    const seeded = await seedDatabase(options, backend);
    progress(`store ${backend}: ${seeded.records} records in ${seconds(seeded.ms)}; starting the server`);
    server = await startServer(serverOptions);
    const setup: Setup = { backend, server, serverPid: pidListeningOn(server.port), cluster, seeded };
    if (setup.serverPid === undefined) progress(`store ${backend}: server pid not found, no CPU figures`);
    const figures = [
      ...(await attempt(`Store ${backend}: push 1 town`, () =>
        pushFigures(setup, seeded.towns[0]!, ONE_TOWN_MUTATIONS_PER_CLIENT, '3 clients, 1 town'),
      )),
      ...(await attempt(`Store ${backend}: push 10 towns`, () =>
        pushFigures(
          setup,
          seeded.towns.flat(),
          TEN_TOWNS_MUTATIONS_PER_CLIENT,
          `${TOWNS * 3} clients, ${TOWNS} towns`,
        ),
      )),
      ...(await attempt(`Store ${backend}: pull`, () => pullFigures(setup))),
    ];
    progress(`store ${backend}: done in ${seconds(performance.now() - started)}`);
    return figures;
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The figures of both engines, each SQLite row followed by the same row for PostgreSQL. */
export async function runStoreBench(): Promise<MeasuredFigure[]> {
  const sqlite = await attempt('Store bench (SQLite)', () => measureBackend('SQLite'));
  let cluster: PgCluster | undefined;
  const postgres = await attempt('Store bench (PostgreSQL)', async () => {
    progress('store PostgreSQL: starting a fresh cluster');
    cluster = await startPostgres();
    return measureBackend('PostgreSQL', cluster);
  });
  await cluster?.stop();
  if (sqlite.length !== postgres.length) return [...sqlite, ...postgres];
  return sqlite.flatMap((row, i) => [row, postgres[i]!]);
}
