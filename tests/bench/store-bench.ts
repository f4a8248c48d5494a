/**
 * The storage engines side by side (SQLite, the embedded default, and PostgreSQL): push throughput of
 * real HTTP pushes to a real server process (src/server/main.ts as a child process, so validation,
 * authorization, planning and the store all count) with 3 clients in one town and 3 clients in each
 * of 10 towns, and the server side of one device pulling a whole 12,000-person grid. Both engines get
 * the same database content, seeded through the store API before the server starts (DEMO=off): 10
 * small towns of 3 grids with a worker per grid, and a one-grid demo town of ~12,000 people.
 *
 * Keep-alive HTTP, a worker's mutations and timing the pushes come from push-load.ts (shared with
 * sync-bench.ts and load-bench.ts), process CPU from /proc from process-cpu.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/server/auth.ts';
import { seedDemo } from '../../src/server/demo.ts';
import { openStore, type Store, type StoreOptions } from '../../src/server/store/store.ts';
import { addTown } from '../../src/server/town.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { MAX_PUSH_MUTATIONS, type PushResponse } from '../../src/shared/protocol.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Household } from '../../src/shared/schemas/index.ts';
import { createDatabase, startPostgres, type PgCluster } from '../support/postgres.ts';
import { startServer, type ServerProcess } from '../support/server-processes.ts';
import { pidListeningOn, postgresCpuSeconds, processCpuSeconds } from './process-cpu.ts';
import { progress } from './progress.ts';
import {
  api,
  BENCH_KDF,
  BENCH_PASSWORD,
  KDF_NOTE,
  loadNote,
  login,
  pullPages,
  pushThroughputFigure,
  requestsNote,
  residentsByHousehold,
  runPushes,
  seconds,
  serverEnv,
  workerPushBodies,
} from './push-load.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { median, percentile, round } from './stats.ts';

// ---- The bench's towns ----

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
  // Bodies first, then the sign-ins: seconds of building with the event loop busy would let the
  // server close the sign-ins' idle keep-alive sockets unseen, and the first push reuse a dead one.
  const prepared = workers.map((worker) => {
    const count = MAX_PUSH_MUTATIONS + perClient;
    const bodies = workerPushBodies(
      newId(),
      worker.households,
      worker.residentsOf,
      count,
      `${worker.username} `,
    );
    return { username: worker.username, bodies };
  });
  return Promise.all(
    prepared.map(async (client) => ({ ...client, token: (await login(origin, client.username)).token })),
  );
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
  const run = await runPushes(
    clients,
    (client, body) => api<PushResponse>(`${origin}/api/push`, 'POST', client.token, body),
    () => cpuNow(setup.serverPid, setup.cluster),
  );
  const { latencies, wallMs, mutations, perSecond } = run;
  const cpu = cpuSince(run.before, run.after);
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
  const cpuNote =
    `server process CPU ${cpu.server.toFixed(2)} s = ${us(cpu.server)} µs per mutation` +
    (backend === 'PostgreSQL'
      ? `, PostgreSQL processes ${cpu.database.toFixed(2)} s = ${us(cpu.database)} µs per mutation`
      : '') +
    `, load generator ${cpu.own.toFixed(2)} s (all on the same cores: ${loadNote()})`;
  const setupNote =
    `real server as a child process (startServer: node --import tsx src/server/main.ts, DEMO=off, ${engineNote(setup)}), ` +
    `HTTP keep-alive on loopback; ${clients.length} clients in parallel in ${towns} town${towns > 1 ? 's' : ''} ` +
    `(a worker per grid, each its own clientId and ~${Math.round(workers[0]!.households.length)} households), ` +
    `${requestsNote(clients)}; ${KDF_NOTE}`;
  return [
    pushThroughputFigure(
      `push ${what} (${backend})`,
      run,
      `validation, authorization, planning and one transaction per request under the town's lock, as the server does; ` +
        `${cpuNote}; ${setupNote}`,
    ),
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
  const run: PullRun = { ms: 0, wallMs: 0, pages: [], changes: 0, people: 0 };
  const wallStart = performance.now();
  await pullPages(origin, token, newId(), PULL_LIMIT, (page, ms) => {
    run.pages.push(ms);
    run.ms += ms;
    run.changes += page.changes.length;
    run.people += page.changes.filter((c) => c.kind === 'people').length;
  });
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
