/**
 * Sync (issue 5). The server's push throughput is measured against the real server running as a child
 * process (`tsx src/server/main.ts` on a temporary data directory), so this process (the load
 * generator) and the server each have a core. The device figures run the app's ApiClient and
 * SyncEngine in the bench page at 4x, against a server in this process whose one worker grid holds
 * ~12,000 people; that server also serves the page, so the app's requests stay same-origin.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, seedDemo } from '../../src/server/demo.ts';
import { createServerApp } from '../../src/server/http/app.ts';
import { openStore } from '../../src/server/store/store.ts';
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
import type { Household, Need, Person, Visit } from '../../src/shared/schemas/index.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import {
  CPU_THROTTLING_RATE,
  listenOnLoopback,
  makeProfileDir,
  removeDir,
  withCpuThrottling,
} from './browser.ts';
import { buildMorePage, callMorePage, loadNote, openMorePage, type MorePage } from './page-more/host.ts';
import { progress } from './progress.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { percentile, round } from './stats.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The demo town the child server seeds (71 grids; XF-01 and XF-02 get ~30 households each). */
const PUSH_TOWN_HOUSEHOLDS = 2_000;
/** Each client is a worker's device pushing its own grid(s); the leader takes grids XF-03 to XF-07. */
const PUSH_ACCOUNTS = ['wgy01', 'wgy02', 'wgz01'] as const;
/** Timed mutations per client, after one untimed warm-up request each. */
const PUSH_MUTATIONS_PER_CLIENT = 10_000;
const PUSH_TARGET_PER_SECOND = 10_000;
const SERVER_START_TIMEOUT_MS = 120_000;

/** One grid of the issue's size: ~12,000 people (3,300 demo households), the only grid in the town. */
const PULL_TOWN = { households: 3_300, comprehensiveGrids: 1, specialGrids: 0, enterprises: 0 } as const;
/** The demo worker bound to XF-01, the code a one-grid demo town gives its grid. */
const PULL_ACCOUNT = 'wgy01';
const DEVICE_MUTATIONS = 10_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export interface SyncBenchOptions {
  /** Also time the prototypes behind the suggestions for missed targets. */
  investigate?: boolean;
}

export async function runSyncBench({ investigate = false }: SyncBenchOptions = {}): Promise<
  MeasuredFigure[]
> {
  return [
    ...(await attempt('Server push throughput', serverPushFigures)),
    ...(await attempt('Device pull and push', () => deviceFigures(investigate))),
  ];
}

// ---- The server under push load ----

interface ServerProcess {
  origin: string;
  pid: number;
  /** Seconds the server's threads have run, and its main thread waited for a CPU; NaN off Linux. */
  schedule(): Schedule;
  stop(): Promise<void>;
}

interface Schedule {
  cpuSeconds: number;
  waitSeconds: number;
}

/**
 * From /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU, then nanoseconds runnable but waiting):
 * CPU time of all the server's threads, and the waiting of its main thread, where requests are served.
 */
function scheduleOf(pid: number): Schedule {
  try {
    const read = (tid: string) =>
      readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
    let cpu = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) cpu += read(tid)[0]!;
    return { cpuSeconds: cpu / 1e9, waitSeconds: read(String(pid))[1]! / 1e9 };
  } catch {
    return { cpuSeconds: NaN, waitSeconds: NaN };
  }
}

/**
 * `node --import tsx src/server/main.ts` (what `npx tsx` runs, without the npx and tsx wrapper
 * processes, so the pid is the server itself) on a free loopback port chosen by the server.
 */
async function startServerProcess(dataDir: string): Promise<ServerProcess> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/main.ts'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DEMO: 'on',
        DEMO_HOUSEHOLDS: String(PUSH_TOWN_HOUSEHOLDS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the server process');
  // Never leave it behind, whatever happens to this process.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  };
  let output = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not start in ${SERVER_START_TIMEOUT_MS / 1000} s: ${output}`)),
        SERVER_START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /running on http:\/\/localhost:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening: ${output.trim()}`));
      });
    });
    const seeded = /演示数据：[^\n]*/.exec(output)?.[0];
    if (seeded) progress(`server: ${seeded}`);
    return { origin: `http://127.0.0.1:${port}`, pid, schedule: () => scheduleOf(pid), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function postJson<T>(url: string, body: string, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function login(origin: string, username: string): Promise<LoginResponse> {
  return postJson<LoginResponse>(
    `${origin}/api/login`,
    JSON.stringify({ username, password: DEMO_PASSWORD }),
  );
}

/** Everything the user may see, as a device's first pull gets it. */
async function pullAll(origin: string, token: string, clientId: string): Promise<PullResponse['changes']> {
  const changes: PullResponse['changes'] = [];
  for (let cursor = 0; ;) {
    const query = new URLSearchParams({ cursor: String(cursor), clientId, limit: '5000' });
    const response = await fetch(`${origin}/api/pull?${query}`, {
      headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    });
    if (!response.ok) throw new Error(`pull: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as PullResponse;
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return changes;
  }
}

interface PushClient {
  username: string;
  token: string;
  clientId: string;
  households: number;
  /** Request bodies, ready to send: the first is the warm-up. */
  bodies: string[];
}

const NEED_EVERY = 25;

/**
 * A worker's day, many times over: household notes edited (household.update) and visits recorded
 * (visit.record with the residents met, five-sees notes and, now and then, a need found on the visit).
 */
function workerMutations(
  households: readonly Household[],
  residentsOf: ReadonlyMap<string, string[]>,
  count: number,
): Array<Pick<Mutation, 'name' | 'args'>> {
  const mutations: Array<Pick<Mutation, 'name' | 'args'>> = [];
  const start = Date.now() - count * 1000;
  const dayOf = new Map<number, string>();
  const mutation = <N extends MutationName>(name: N, args: MutationArgs<N>) => mutations.push({ name, args });
  for (let i = 0; i < count; i++) {
    const household = households[i % households.length]!;
    if (i % 2 === 0) {
      mutation('household.update', {
        id: household.id,
        changes: { notes: `第 ${i} 次走访：家中老人身体尚可，子女每周回来一次，需关注用电安全` },
      });
      continue;
    }
    const visitedAt = start + i * 1000;
    const hour = Math.floor(visitedAt / 3_600_000);
    let day = dayOf.get(hour);
    if (day === undefined) dayOf.set(hour, (day = shanghaiDay(visitedAt)));
    const residents = residentsOf.get(household.id) ?? [];
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
      day,
      shift: 'day',
      outcome: 'met',
      fiveSees: { person: '精神状态良好', scene: '家中整洁，燃气已关闭' },
      notes: '提醒按时服药，宣传防诈骗知识',
      needIds: needs.map((n) => n.id),
      photoIds: [],
    };
    mutation('visit.record', { visit, needs });
  }
  return mutations;
}

async function preparePushClient(
  origin: string,
  username: string,
  exceptGrids: ReadonlySet<string>,
): Promise<PushClient & { gridIds: string[] }> {
  const { token, user } = await login(origin, username);
  const clientId = newId();
  const changes = await pullAll(origin, token, clientId);
  const households = changes
    .filter((c) => c.kind === 'households' && !c.isDeleted)
    .map((c) => c.data as Household)
    .filter((h) => !exceptGrids.has(h.gridId));
  if (households.length === 0) throw new Error(`${username} sees no households of its own`);
  const residentsOf = new Map<string, string[]>();
  for (const change of changes) {
    if (change.kind !== 'people' || change.isDeleted) continue;
    const person = change.data as Person;
    if (person.status !== 'resident') continue;
    residentsOf.set(person.householdId, [...(residentsOf.get(person.householdId) ?? []), person.id]);
  }
  const mutations = workerMutations(households, residentsOf, MAX_PUSH_MUTATIONS + PUSH_MUTATIONS_PER_CLIENT);
  const createdAt = Date.now();
  const bodies: string[] = [];
  for (let first = 0; first < mutations.length; first += MAX_PUSH_MUTATIONS) {
    const page = mutations.slice(first, first + MAX_PUSH_MUTATIONS).map((m, i): Mutation => ({
      clientId,
      mutationId: first + i + 1,
      name: m.name,
      args: m.args,
      createdAt,
    }));
    bodies.push(JSON.stringify({ protocolVersion: PROTOCOL_VERSION, clientId, mutations: page }));
  }
  return { username, token, clientId, households: households.length, bodies, gridIds: user.gridIds };
}

interface PushTally {
  applied: number;
  rejected: number;
  duplicate: number;
  firstRejection?: string;
}

async function sendPush(origin: string, client: PushClient, body: string, tally: PushTally): Promise<number> {
  const start = performance.now();
  const response = await postJson<PushResponse>(`${origin}/api/push`, body, client.token);
  const ms = performance.now() - start;
  for (const result of response.results) {
    tally[result.status]++;
    if (result.status === 'rejected') tally.firstRejection ??= `${result.reason}: ${result.message}`;
  }
  return ms;
}

async function serverPushFigures(): Promise<MeasuredFigure[]> {
  const dataDir = await makeProfileDir('push-server');
  let server: ServerProcess | undefined;
  try {
    progress(`push: starting the server (${PUSH_TOWN_HOUSEHOLDS} demo households) as a child process`);
    server = await startServerProcess(dataDir);
    const { origin } = server;
    // Workers first, so the leader's client keeps to the grids no worker here covers.
    const clients: PushClient[] = [];
    const taken = new Set<string>();
    for (const username of PUSH_ACCOUNTS) {
      const client = await preparePushClient(origin, username, taken);
      client.gridIds.forEach((id) => taken.add(id));
      clients.push(client);
    }
    progress(
      `push: ${clients.map((c) => `${c.username} ${c.households} households`).join(', ')}; ` +
        `${PUSH_MUTATIONS_PER_CLIENT} mutations each in requests of ${MAX_PUSH_MUTATIONS}`,
    );
    const warmUp: PushTally = { applied: 0, rejected: 0, duplicate: 0 };
    await Promise.all(clients.map((client) => sendPush(origin, client, client.bodies[0]!, warmUp)));

    const tally: PushTally = { applied: 0, rejected: 0, duplicate: 0 };
    const latencies: number[] = [];
    const before = server.schedule();
    const ownCpuBefore = process.cpuUsage();
    const start = performance.now();
    // Each device sends its pages one after another, as the sync engine does; the devices run side by side.
    await Promise.all(
      clients.map(async (client) => {
        for (const body of client.bodies.slice(1))
          latencies.push(await sendPush(origin, client, body, tally));
      }),
    );
    const wallMs = performance.now() - start;
    const after = server.schedule();
    const serverCpu = after.cpuSeconds - before.cpuSeconds;
    const serverWaited = after.waitSeconds - before.waitSeconds;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const mutations = tally.applied + tally.rejected + tally.duplicate;
    const perSecond = mutations / (wallMs / 1000);
    const met = perSecond >= PUSH_TARGET_PER_SECOND;
    const cpuPerMutationUs = (serverCpu * 1e6) / mutations;
    progress(
      `push: ${mutations} mutations in ${seconds(wallMs)} = ${perSecond.toFixed(0)}/s; ` +
        `server CPU ${serverCpu.toFixed(2)} s, waited for a CPU ${serverWaited.toFixed(2)} s; p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(0)} ms`,
    );
    const outcome =
      `${tally.applied} applied, ${tally.rejected} rejected, ${tally.duplicate} duplicate` +
      (tally.firstRejection ? ` (first rejection: ${tally.firstRejection})` : '');
    const setup =
      `real server as a child process (node --import tsx src/server/main.ts, SQLite file in a temp dir, ` +
      `demo town of ${PUSH_TOWN_HOUSEHOLDS} households), HTTP on loopback; ${clients.length} clients in parallel ` +
      `(${clients.map((c) => c.username).join(', ')}, each its own clientId and grids), each sending its ` +
      `${clients[0]!.bodies.length - 1} requests of ${MAX_PUSH_MUTATIONS} in turn after one untimed warm-up request`;
    return [
      {
        figure: 'server push throughput (mutations/s)',
        value: round(perSecond, 0),
        unit: '/s',
        target: `>= ${PUSH_TARGET_PER_SECOND} /s`,
        note:
          `${met ? 'met' : 'MISSED'}: ${mutations} mutations (half household.update of notes, half visit.record ` +
          `with residents, five sees and a need every ${NEED_EVERY * 2}th) in ${seconds(wallMs)}; ${outcome}; ` +
          `validation, authorization and planning in memory, then one SQLite transaction per request under the town's lock, as the server does; ` +
          `server threads on a CPU ${serverCpu.toFixed(2)} s = ${cpuPerMutationUs.toFixed(0)} µs per mutation ` +
          `(${(1e6 / cpuPerMutationUs).toFixed(0)}/s if the server had a core to itself and never waited), ` +
          `main thread runnable but waiting for a CPU ${serverWaited.toFixed(2)} s (${loadNote()}), ` +
          `load generator ${((ownCpu.user + ownCpu.system) / 1e6).toFixed(2)} s CPU; ${setup}; ` +
          `per the issue, a bare endpoint over the same SQLite reaches about 15,000/s on this machine`,
      },
      figure(
        'server push p99 (ms per 200-mutation request)',
        round(percentile(latencies, 99), 1),
        'ms',
        `context, no target: ${latencies.length} requests, send to parsed answer; p50 ` +
          `${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ` +
          `server CPU ${((serverCpu * 1000) / latencies.length).toFixed(1)} ms per request; ${clients.length} ` +
          `clients share one server thread, so a request also waits for the others' in the queue`,
      ),
    ];
  } finally {
    await server?.stop();
    await removeDir(dataDir);
  }
}

// ---- A device's first pull and a full outbox, in the browser ----

async function deviceFigures(investigate: boolean): Promise<MeasuredFigure[]> {
  const buildDir = await buildMorePage();
  const dataDir = await makeProfileDir('sync-server');
  const store = await openStore({ file: join(dataDir, 'lianxin.sqlite') });
  let site: MorePage | undefined;
  let server: Awaited<ReturnType<typeof listenOnLoopback>> | undefined;
  try {
    progress(`pull: seeding a one-grid town (${PULL_TOWN.households} households) into a temp SQLite file`);
    const seeded = await seedDemo(store, { town: PULL_TOWN });
    const account = await store.accounts.byUsername(PULL_ACCOUNT);
    if (!account || account.gridIds.length !== 1)
      throw new Error(`${PULL_ACCOUNT} is not bound to the town's one grid (XF-01)`);
    const gridCode = (await store.records.get(account.townId, 'grids', account.gridIds[0]!))?.data.code;
    progress(`pull: ${seeded.households} households, ${seeded.people} people, ${seeded.records} records`);
    // The sync server serves the built page too: the app's requests are same-origin, as in production.
    server = await listenOnLoopback(createServerApp({ store, distDir: buildDir }).fetch, '127.0.0.1');
    site = await openMorePage(server.origin, 'sync');
    const page = site.page;
    const dbName = `bench-sync-${process.pid}`;
    const signedIn = await callMorePage(page, 'signIn', PULL_ACCOUNT, DEMO_PASSWORD);

    const at4x = <T>(work: () => Promise<T>): Promise<T> =>
      withCpuThrottling(page, CPU_THROTTLING_RATE, work);

    const pull = await at4x(() => callMorePage(page, 'timeFirstPull', dbName));
    const { stored } = pull;
    progress(
      `pull: ${pull.changes} changes in ${seconds(pull.ms)} (${pull.requests} requests, ` +
        `waiting ${seconds(pull.waitingMs)})`,
    );
    const pullFigure = figure(
      'first pull of a whole grid of 12,000 people into the browser (4x)',
      round(pull.ms / 1000, 2),
      's',
      `SyncEngine.pull() from the first request to the last page applied, into a fresh AppDB; ` +
        `${pull.changes} records (${stored.people} people, ${stored.households} households, ` +
        `${stored.buildings} buildings, ${stored.grids} grids) in ${pull.requests} pages of up to 2,000; ` +
        `requests in flight ${seconds(pull.waitingMs)} in all (the next page is fetched while one is stored, so ` +
        `this overlaps the page's own work: zod, search keys with pinyin, IndexedDB); signed in as ${PULL_ACCOUNT} (${signedIn.role}, grid ${gridCode}) through the app's ApiClient; ` +
        `server in the bench process over a SQLite file; ${CPU_THROTTLING_RATE}x throttling; ${loadNote()}`,
      10,
    );

    const investigated = investigate
      ? await attempt('Investigate the pull', async () => {
          const parts = await at4x(() => callMorePage(page, 'investigatePull', `${dbName}-again`));
          return [
            figure(
              'Investigate: first pull split (4x)',
              round(parts.applyMs / 1000, 2),
              's',
              `the same ${parts.changes} changes fetched again (${seconds(parts.fetchMs)}), then applied page by page ` +
                `with applyPulledChanges into a fresh AppDB: ${seconds(parts.applyMs)}, of which zod ` +
                `(recordSchemas) ${seconds(parts.parseMs)}, search keys (pinyin) ${seconds(parts.rowsMs)}; ` +
                `the finished rows bulkPut page by page into another fresh AppDB: ${seconds(parts.storeWithKeysMs)} ` +
                `with their search keys, ${seconds(parts.storeWithoutKeysMs)} with empty searchKeys (the ` +
                `multi-entry search indexes' share)`,
            ),
          ];
        })
      : [];
    progress(`push: queueing ${DEVICE_MUTATIONS} writes through the app's commands (unthrottled, untimed)`);
    const queued = await callMorePage(page, 'enqueueMutations', DEVICE_MUTATIONS);
    progress(`push: ${queued.queued} outbox rows queued in ${seconds(queued.ms)}; pushing at 4x`);
    const push = await at4x(() => callMorePage(page, 'timePush'));
    progress(`push: ${seconds(push.ms)} (${push.requests} requests, waiting ${seconds(push.waitingMs)})`);
    const pushFigure = figure(
      'push 10,000 queued mutations from one device (4x)',
      round(push.ms / 1000, 2),
      's',
      `SyncEngine.push() until the outbox is empty: ${queued.queued} outbox rows (${queued.householdUpdates} ` +
        `updateHousehold notes, ${queued.visits} recordVisit) queued through the app's commands before the clock ` +
        `(${seconds(queued.ms)} unthrottled); ${push.requests} requests, in flight ${seconds(push.waitingMs)} in all ` +
        `(the next page is read from the outbox meanwhile); ${push.outboxLeft} rows left, ${push.rejected} rejected; same device and ` +
        `server as the pull; ${CPU_THROTTLING_RATE}x throttling; ${loadNote()}`,
      10,
    );
    await callMorePage(page, 'dropDatabase', dbName);
    return [pullFigure, ...investigated, pushFigure];
  } finally {
    await site?.close();
    await server?.close();
    await store.close();
    await removeDir(dataDir);
  }
}
