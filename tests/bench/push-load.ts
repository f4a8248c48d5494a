/**
 * What the benches that load a real server share (sync-bench.ts, store-bench.ts, load-bench.ts): cheap
 * bench accounts, keep-alive HTTP with sign-in and pulling, a worker's mutations and the push bodies
 * that carry them, and timing a set of devices that push side by side.
 */
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import type { KdfParams } from '../../src/server/auth.ts';
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
import type { MeasuredFigure } from './report.ts';
import { round } from './stats.ts';

export const loadNote = () => `load average ${loadavg()[0]!.toFixed(1)}`;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * More environment for the bench's server processes: BENCH_SERVER_NODE_OPTIONS becomes their
 * NODE_OPTIONS, e.g. `--import=/path/to/hook.mjs` where the hook starts node:inspector's Profiler and writes the
 * profile on exit, to profile the server under the bench's load (--cpu-prof is not allowed in NODE_OPTIONS).
 */
export function serverEnv(env: Record<string, string>): Record<string, string> {
  const nodeOptions = process.env.BENCH_SERVER_NODE_OPTIONS;
  return nodeOptions ? { ...env, NODE_OPTIONS: nodeOptions } : env;
}

// ---- Bench accounts ----

/**
 * Bench accounts hash their password with scrypt N = 2^10 instead of the server's 2^15: signing in
 * hundreds of accounts must not turn the bench into a KDF bench. Said in every note that signs in.
 */
export const BENCH_KDF: KdfParams = { N: 2 ** 10, r: 8, p: 1 };
export const BENCH_PASSWORD = 'bench-2026';
export const KDF_NOTE = 'bench accounts hashed with scrypt N=2^10 (the server default is 2^15)';

// ---- HTTP ----

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

/**
 * A device's first pull, from cursor 0 to the last page: each page handed to `onPage` with the ms from
 * request sent to last byte received. `origin` may be a function, asked again for each page.
 */
export async function pullPages(
  origin: string | (() => string),
  token: string,
  clientId: string,
  limit: number,
  onPage: (page: PullResponse, ms: number) => void,
  what = 'pull',
): Promise<void> {
  for (let cursor = 0, scope: string | undefined; ;) {
    const start = performance.now();
    const url = pullUrl(typeof origin === 'string' ? origin : origin(), cursor, clientId, limit, scope);
    const answer = await httpRequest(url, 'GET', token);
    const ms = performance.now() - start;
    if (answer.status !== 200) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
    const page = JSON.parse(answer.text) as PullResponse;
    onPage(page, ms);
    cursor = page.cursor;
    scope = page.scopeKey;
    if (!page.hasMore) return;
  }
}

/**
 * A device's first sync: signs `username` in, then pulls everything it may see from cursor 0 in pages
 * of 5,000 under a fresh clientId, each page handed to `onPage`. `origin` may be a function, asked
 * again for the sign-in and each page.
 */
export async function firstPull(
  origin: string | (() => string),
  username: string,
  password: string,
  onPage: (page: PullResponse) => void,
  what = 'pull',
): Promise<LoginResponse & { clientId: string }> {
  const signedIn = await login(typeof origin === 'string' ? origin : origin(), username, password);
  const clientId = newId();
  await pullPages(origin, signedIn.token, clientId, 5_000, onPage, what);
  return { ...signedIn, clientId };
}

// ---- A worker's mutations ----

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

/** shanghaiDay, once per hour of time: days start on the hour in Asia/Shanghai. */
const dayOfHour = new Map<number, string>();
function dayOf(at: number): string {
  const hour = Math.floor(at / 3_600_000);
  let day = dayOfHour.get(hour);
  if (day === undefined) dayOfHour.set(hour, (day = shanghaiDay(at)));
  return day;
}

/**
 * Mutation `i` of a worker's day: household notes edited (household.update, even i; the notes start
 * with `notesPrefix`) or a visit recorded (visit.record with the residents met, five-sees notes and,
 * every NEED_EVERY-th odd i, a need found on the visit).
 */
export function workerMutation(
  i: number,
  household: Household,
  residents: readonly string[],
  visitedAt: number,
  notesPrefix = '',
): WorkerMutation {
  const mutation = <N extends MutationName>(name: N, args: MutationArgs<N>): WorkerMutation => ({
    name,
    args,
  });
  if (i % 2 === 0)
    return mutation('household.update', {
      id: household.id,
      changes: { notes: `${notesPrefix}第 ${i} 次走访：家中老人身体尚可，子女每周回来一次，需关注用电安全` },
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
    day: dayOf(visitedAt),
    shift: 'day',
    outcome: 'met',
    fiveSees: { person: '精神状态良好', scene: '家中整洁，燃气已关闭' },
    notes: '提醒按时服药，宣传防诈骗知识',
    needIds: needs.map((n) => n.id),
    photoIds: [],
  };
  return mutation('visit.record', { visit, needs });
}

/**
 * A worker's day, many times over: `count` mutations over the worker's households in turn, half
 * household.update of notes, half visit.record, one a second up to now.
 */
function workerMutations(
  households: readonly Household[],
  residentsOf: ReadonlyMap<string, readonly string[]>,
  count: number,
  notesPrefix = '',
): WorkerMutation[] {
  const start = Date.now() - count * 1000;
  const mutations: WorkerMutation[] = [];
  for (let i = 0; i < count; i++) {
    const household = households[i % households.length]!;
    const residents = residentsOf.get(household.id) ?? [];
    mutations.push(workerMutation(i, household, residents, start + i * 1000, notesPrefix));
  }
  return mutations;
}

/** Push request bodies, ready to send: `mutations` in pages of MAX_PUSH_MUTATIONS, numbered from 1. */
function pushBodies(clientId: string, mutations: readonly WorkerMutation[]): string[] {
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
  return bodies;
}

/** A worker's push bodies (see workerMutations), ready to send under `clientId`. */
export const workerPushBodies = (
  clientId: string,
  households: readonly Household[],
  residentsOf: ReadonlyMap<string, readonly string[]>,
  count: number,
  notesPrefix = '',
) => pushBodies(clientId, workerMutations(households, residentsOf, count, notesPrefix));

// ---- Devices pushing side by side ----

const PUSH_TARGET_PER_SECOND = 10_000;

export interface PushTally {
  applied: number;
  rejected: number;
  duplicate: number;
  firstRejection?: string;
}

export interface PushRun<M> {
  tally: PushTally;
  /** Each timed request, send to parsed answer. */
  latencies: number[];
  wallMs: number;
  mutations: number;
  perSecond: number;
  /** `measure()` just before the first timed request, and just after the last answer. */
  before: M;
  after: M;
}

/** Sends one push and counts its results into `tally`; the ms from send to parsed answer. */
async function timedPush(send: () => Promise<PushResponse>, tally: PushTally): Promise<number> {
  const start = performance.now();
  const response = await send();
  const ms = performance.now() - start;
  for (const result of response.results) {
    tally[result.status]++;
    if (result.status === 'rejected') tally.firstRejection ??= `${result.reason}: ${result.message}`;
  }
  return ms;
}

/**
 * Every client's first body at once as an untimed warm-up, then the timed run: each device sends its
 * other bodies one after another, as the sync engine does; the devices run side by side.
 */
export async function runPushes<C extends { bodies: readonly string[] }, M>(
  clients: readonly C[],
  send: (client: C, body: string) => Promise<PushResponse>,
  measure: () => M,
): Promise<PushRun<M>> {
  const warmUp: PushTally = { applied: 0, rejected: 0, duplicate: 0 };
  await Promise.all(clients.map((client) => timedPush(() => send(client, client.bodies[0]!), warmUp)));

  const tally: PushTally = { applied: 0, rejected: 0, duplicate: 0 };
  const latencies: number[] = [];
  const before = measure();
  const start = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (const body of client.bodies.slice(1))
        latencies.push(await timedPush(() => send(client, body), tally));
    }),
  );
  const wallMs = performance.now() - start;
  const after = measure();
  const mutations = tally.applied + tally.rejected + tally.duplicate;
  return { tally, latencies, wallMs, mutations, perSecond: mutations / (wallMs / 1000), before, after };
}

/**
 * The throughput row of a push run, against PUSH_TARGET_PER_SECOND. Its note opens with met or missed,
 * the mix of mutations, the time and what became of them; `more` goes on from there.
 */
export function pushThroughputFigure(name: string, run: PushRun<unknown>, more: string): MeasuredFigure {
  const { tally, mutations, wallMs, perSecond } = run;
  const met = perSecond >= PUSH_TARGET_PER_SECOND;
  const outcome =
    `${tally.applied} applied, ${tally.rejected} rejected, ${tally.duplicate} duplicate` +
    (tally.firstRejection ? ` (first rejection: ${tally.firstRejection})` : '');
  return {
    figure: name,
    value: round(perSecond, 0),
    unit: '/s',
    target: `>= ${PUSH_TARGET_PER_SECOND} /s`,
    note:
      `${met ? 'met' : 'MISSED'}: ${mutations} mutations (half household.update of notes, half visit.record ` +
      `with residents, five sees and a need every ${NEED_EVERY * 2}th) in ${seconds(wallMs)}; ${outcome}; ` +
      more,
  };
}

/** The setup note's account of the requests: `clients` each sent its bodies after the warm-up. */
export const requestsNote = (clients: readonly { bodies: readonly string[] }[]) =>
  `each sending its ${clients[0]!.bodies.length - 1} requests of ${MAX_PUSH_MUTATIONS} in turn after one untimed warm-up request`;
