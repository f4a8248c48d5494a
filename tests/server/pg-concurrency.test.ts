/**
 * Two server processes over one PostgreSQL, as behind a load balancer: workers sharing grids push in
 * parallel, every request to the other process than the last, while a leader and the center pull
 * on from their cursors. In PostgreSQL a change numbered lower can commit later than one numbered
 * higher; if the cursor design let that happen, a puller would step over it and never see it. At the
 * end every puller must hold exactly the server's scoped view, and every write must have landed once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/protocol.ts';
import { freshPostgresUrl } from '../support/test-store.ts';
import { startServer, type ServerProcess } from '../support/server-processes.ts';
import { newClientId, PASSWORD } from './harness.ts';

const WORKERS_PER_GRID = 2;
const GRIDS = ['XF-01', 'XF-02', 'XF-03'];
const ROUNDS = 8;
const BATCH = 25;

let databaseUrl: string;
let servers: ServerProcess[] = [];
let turn = 0;
/** The next process in turn: consecutive requests of one device land on different processes. */
const nextServer = () => servers[turn++ % servers.length]!.url;

async function api<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${nextServer()}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const login = async (username: string) =>
  (await api<{ token: string }>('POST', '/api/login', undefined, { username, password: PASSWORD })).token;

/** A device's local copy: id -> version, advanced page by page from its cursor. */
class Device {
  readonly clientId = newClientId();
  readonly held = new Map<string, number>();
  cursor = 0;
  scope: string | undefined;
  constructor(readonly token: string) {}

  async pullOnce(): Promise<boolean> {
    const query = new URLSearchParams({ cursor: String(this.cursor), limit: '200', clientId: this.clientId });
    if (this.scope) query.set('scope', this.scope);
    const page = await api<PullResponse>('GET', `/api/pull?${query}`, this.token);
    for (const change of page.changes) {
      const key = `${change.kind}/${change.id}`;
      const had = this.held.get(key);
      if (had !== undefined && had >= change.version)
        throw new Error(`change ${key}@${change.version} came twice`);
      this.held.set(key, change.version);
    }
    this.cursor = page.cursor;
    this.scope = page.scopeKey;
    return page.hasMore;
  }

  async pullAll() {
    while (await this.pullOnce());
  }
}

beforeAll(async () => {
  databaseUrl = await freshPostgresUrl();
  const env = { DEMO_HOUSEHOLDS: '1500', DEMO_TOWNS: '1', DATABASE_POOL: '8' };
  // Started together: one seeds the demo, the other waits for it (store.exclusively).
  servers = await Promise.all([startServer({ databaseUrl, env }), startServer({ databaseUrl, env })]);
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('two server processes over one PostgreSQL', () => {
  it('serves every client exactly the scoped view, no change skipped or doubled, every write once', async () => {
    const admin = await login('admin');
    const center = new Device(await login('zhzx'));
    const leader = new Device(await login('wgz01'));
    await center.pullAll();
    const gridIdByCode = new Map<string, string>();
    const codes = await api<PullResponse>('GET', '/api/pull?cursor=0&limit=200', center.token);
    for (const change of codes.changes)
      if (change.kind === 'grids' && change.data)
        gridIdByCode.set((change.data as { code: string }).code, change.id);

    const workers: { device: Device; households: string[] }[] = [];
    for (const code of GRIDS) {
      for (let i = 0; i < WORKERS_PER_GRID; i++) {
        const username = `cc_${code.toLowerCase()}_${i}`;
        await api('POST', '/api/admin/users', admin, {
          username,
          name: username,
          role: 'worker',
          gridIds: [gridIdByCode.get(code)!],
          password: PASSWORD,
        });
        const device = new Device(await login(username));
        await device.pullAll();
        const households = [...device.held.keys()]
          .filter((k) => k.startsWith('households/'))
          .map((k) => k.slice(11));
        expect(households.length).toBeGreaterThan(5);
        workers.push({ device, households });
      }
    }

    let pushing = true;
    const pullers = [center, leader].map(async (device) => {
      while (pushing) await device.pullOnce();
    });
    await Promise.all(
      workers.map(async ({ device, households }, w) => {
        for (let round = 0; round < ROUNDS; round++) {
          const mutations = Array.from({ length: BATCH }, (_, i) => ({
            clientId: device.clientId,
            mutationId: round * BATCH + i + 1,
            name: 'household.update',
            args: {
              id: households[(round * 7 + i * 3 + w) % households.length],
              changes: { notes: `w${w} r${round} #${i}` },
            },
            createdAt: Date.now(),
          }));
          const answer = await api<PushResponse>('POST', '/api/push', device.token, {
            protocolVersion: PROTOCOL_VERSION,
            clientId: device.clientId,
            mutations,
          });
          expect(answer.results.every((r) => r.status === 'applied')).toBe(true);
        }
      }),
    );
    pushing = false;
    await Promise.all(pullers);

    // Every device now pulls on from its cursor; the result must be the view a fresh device gets.
    for (const device of [center, leader, ...workers.map((w) => w.device)]) {
      await device.pullAll();
      const fresh = new Device(device.token);
      await fresh.pullAll();
      expect(device.held).toEqual(fresh.held);
    }
    // Each write landed once: the log has every mutation id of every device exactly once.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      for (const { device } of workers) {
        const { rows } = await db.query<{ n: string; distinct_ids: string; max: string }>(
          "SELECT COUNT(*) AS n, COUNT(DISTINCT mutation_id) AS distinct_ids, MAX(mutation_id) AS max FROM mutation_log WHERE client_id = $1 AND status = 'applied'",
          [device.clientId],
        );
        expect(rows[0]).toEqual({
          n: String(ROUNDS * BATCH),
          distinct_ids: String(ROUNDS * BATCH),
          max: String(ROUNDS * BATCH),
        });
      }
      const versions = await db.query<{ n: string; distinct_versions: string }>(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT version) AS distinct_versions FROM records',
      );
      expect(versions.rows[0]!.n).toBe(versions.rows[0]!.distinct_versions);
    } finally {
      await db.end();
    }
    expect(servers.every((s) => s.output().includes('running on'))).toBe(true);
  }, 180_000);
});
