/**
 * 上级任务 (issue 12): the center fans one task out over every household of the demo town (23,000
 * items) in one push, timed on the server end to end (HTTP body, zod, scope, planning, the store's
 * transaction), on SQLite and on PostgreSQL; then a worker's phone pulls her grid's items at 4x.
 */
import { join } from 'node:path';
import { DEMO_PASSWORD, seedDemo } from '../../src/server/demo.ts';
import { createServerApp } from '../../src/server/http/app.ts';
import { openStore, type Store, type StoreOptions } from '../../src/server/store/store.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import {
  MAX_BODY_BYTES,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  type PushResponse,
} from '../../src/shared/protocol.ts';
import { addCalendarDays, shanghaiDay } from '../../src/shared/time.ts';
import { createDatabase, startPostgres, type PgCluster } from '../support/postgres.ts';
import {
  CPU_THROTTLING_RATE,
  listenOnLoopback,
  makeProfileDir,
  removeDir,
  withCpuThrottling,
} from './browser.ts';
import { buildMorePage, callMorePage, openMorePage } from './page-more/host.ts';
import { progress } from './progress.ts';
import { BENCH_KDF, loadNote, seconds } from './push-load.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { round } from './stats.ts';

/** The demo town as the offline demo and `npm start` have it: 71 grids. */
const TOWN_HOUSEHOLDS = 23_000;
const ISSUER = 'zhzx';
const WORKER = 'wgy01';

type Backend = 'SQLite' | 'PostgreSQL';
type App = ReturnType<typeof createServerApp>;

async function call<T>(app: App, path: string, body: string, token?: string): Promise<T> {
  const response = await app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function seed(store: Store) {
  const started = performance.now();
  const now = Date.now();
  await seedDemo(store, {
    households: TOWN_HOUSEHOLDS,
    kdf: BENCH_KDF,
    now,
    problems: false,
    visits: false,
    tasks: false,
  });
  const town = (await store.towns.byCode('HX'))!;
  const rows = await store.sql.all<{ id: string }>(
    "SELECT id FROM records WHERE town_id = ? AND kind = 'households' AND is_deleted = 0",
    [town.id],
  );
  progress(`tasks: ${rows.length} households seeded in ${seconds(performance.now() - started)}`);
  return { townId: town.id, householdIds: rows.map((r) => r.id), now };
}

interface FanOut {
  ms: number;
  bodyBytes: number;
  items: number;
  taskId: string;
}

/** The center's task over every household, as its phone would push it: one mutation, one request. */
async function fanOut(app: App, store: Store, seeded: Awaited<ReturnType<typeof seed>>): Promise<FanOut> {
  const { token } = await call<{ token: string }>(
    app,
    '/api/login',
    JSON.stringify({ username: ISSUER, password: DEMO_PASSWORD }),
  );
  const clientId = newId();
  const taskId = newId();
  const today = shanghaiDay(Date.now());
  const task = {
    id: taskId,
    title: '全镇人口信息核查',
    kind: 'address-check',
    description: '逐户核对住址和家庭成员，有变动的当场更正。',
    dueDate: addCalendarDays(today, 30),
    targetKind: 'household',
    targetSummary: '全镇 · 全部住户',
  };
  const mutation = {
    clientId,
    mutationId: 1,
    name: 'task.create',
    args: { task, targets: { kind: 'household', ids: seeded.householdIds }, at: Date.now() },
    createdAt: Date.now(),
  };
  const body = JSON.stringify({ protocolVersion: PROTOCOL_VERSION, clientId, mutations: [mutation] });
  const started = performance.now();
  const answer = await call<PushResponse>(app, '/api/push', body, token);
  const ms = performance.now() - started;
  const result = answer.results[0];
  if (result?.status !== 'applied') throw new Error(`task.create was not applied: ${JSON.stringify(result)}`);
  const counted = await store.sql.get<{ n: number }>(
    "SELECT COUNT(*) AS n FROM records WHERE town_id = ? AND kind = 'taskItems'",
    [seeded.townId],
  );
  return { ms, bodyBytes: Buffer.byteLength(body), items: counted?.n ?? 0, taskId };
}

function fanOutFigure(backend: Backend, run: FanOut): MeasuredFigure {
  return figure(
    `task over every household of the town (${run.items.toLocaleString('en')} items), one push (${backend})`,
    round(run.ms / 1000, 2),
    's',
    `POST /api/push answered in-process (Hono app.request): JSON body ${(run.bodyBytes / 1024).toFixed(0)} KB ` +
      `of the ${(MAX_BODY_BYTES / 1024 / 1024).toFixed(0)} MB limit, zod, every target read and scope-checked, ` +
      `the planner, the task and ${run.items} items written in the push's transaction; demo town of ` +
      `${TOWN_HOUSEHOLDS} households (71 grids), signed in as ${ISSUER} (center); ${loadNote()}`,
    5,
  );
}

async function phoneFigures(
  store: Store,
  seeded: Awaited<ReturnType<typeof seed>>,
): Promise<MeasuredFigure[]> {
  const buildDir = await buildMorePage();
  const server = await listenOnLoopback(
    createServerApp({ store, distDir: buildDir, kdf: BENCH_KDF }).fetch,
    '127.0.0.1',
  );
  const app = createServerApp({ store, kdf: BENCH_KDF });
  const site = await openMorePage(server.origin, 'tasks');
  try {
    const page = site.page;
    const dbName = `bench-tasks-${process.pid}`;
    await callMorePage(page, 'signIn', WORKER, DEMO_PASSWORD);
    // Her grid's register first, untimed: the phone was in use before the task came.
    const register = await callMorePage(page, 'timeFirstPull', dbName);
    progress(
      `tasks: ${WORKER}'s grid pulled (${register.changes} changes, ${seconds(register.ms)} unthrottled)`,
    );
    const run = await fanOut(app, store, seeded);
    progress(`tasks: ${run.items} items in ${seconds(run.ms)} (SQLite); the worker pulls at 4x`);
    const at4x = <T>(work: () => Promise<T>) => withCpuThrottling(page, CPU_THROTTLING_RATE, work);
    // The same database again: the engine goes on from its cursor, so this pull brings the task and her items.
    const items = await at4x(() => callMorePage(page, 'timeFirstPull', dbName));
    const fresh = await at4x(() => callMorePage(page, 'timeFirstPull', `${dbName}-fresh`));
    progress(
      `tasks: items pulled in ${seconds(items.ms)}; a fresh phone's whole grid in ${seconds(fresh.ms)}`,
    );
    await callMorePage(page, 'dropDatabase', `${dbName}-fresh`);
    await callMorePage(page, 'dropDatabase', dbName);
    const setup = `signed in as ${WORKER} (worker, XF-01) through the app's ApiClient and SyncEngine; server in the bench process over a SQLite file; ${CPU_THROTTLING_RATE}x throttling; ${loadNote()}`;
    return [
      fanOutFigure('SQLite', run),
      figure(
        `a worker's pull of her grid's items of the town-wide task (${CPU_THROTTLING_RATE}x)`,
        round(items.ms / 1000, 2),
        's',
        `SyncEngine.pull() on a phone that had her grid already (${register.changes} records): ${items.changes} ` +
          `changes (the task and her grid's items of the ${run.items}) in ${items.requests} requests; ${setup}`,
        3,
      ),
      figure(
        `first pull of a whole grid with its task items (${CPU_THROTTLING_RATE}x)`,
        round(fresh.ms / 1000, 2),
        's',
        `context, no target: a fresh phone of the same worker, ${fresh.changes} changes (register, task, items) ` +
          `in ${fresh.requests} requests; ${setup}`,
      ),
    ];
  } finally {
    await site.close();
    await server.close();
  }
}

async function onSqlite(): Promise<MeasuredFigure[]> {
  const dataDir = await makeProfileDir('task-bench');
  const store = await openStore({ file: join(dataDir, 'lianxin.sqlite') });
  try {
    progress(`tasks SQLite: seeding the demo town (${TOWN_HOUSEHOLDS} households)`);
    return await phoneFigures(store, await seed(store));
  } finally {
    await store.close();
    await removeDir(dataDir);
  }
}

async function onPostgres(): Promise<MeasuredFigure[]> {
  let cluster: PgCluster | undefined;
  let store: Store | undefined;
  try {
    progress('tasks PostgreSQL: starting a fresh cluster');
    cluster = await startPostgres();
    const options: StoreOptions = { url: await createDatabase(cluster, 'task_bench') };
    store = await openStore(options);
    progress(`tasks PostgreSQL: seeding the demo town (${TOWN_HOUSEHOLDS} households)`);
    const seeded = await seed(store);
    await store.sql.run('ANALYZE');
    const run = await fanOut(createServerApp({ store, kdf: BENCH_KDF }), store, seeded);
    progress(`tasks PostgreSQL: ${run.items} items in ${seconds(run.ms)}`);
    return [fanOutFigure('PostgreSQL', run)];
  } finally {
    await store?.close();
    await cluster?.stop();
  }
}

export async function runTaskBench(): Promise<MeasuredFigure[]> {
  return [
    ...(await attempt('Task bench (SQLite and the phone)', onSqlite)),
    ...(await attempt('Task bench (PostgreSQL)', onPostgres)),
  ];
}
