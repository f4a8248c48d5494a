/**
 * The real server in one process: SQLite in memory, a small demo town, the demo accounts (with a
 * cheap hashing cost) and the Hono app answered through app.request(), so no port is needed.
 */
import { createProblemReport } from '../../src/shared/domain/problem-workflow.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import {
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/protocol.ts';
import type { MutationArgs, MutationName } from '../../src/shared/mutations.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Household, Person, Problem } from '../../src/shared/schemas/index.ts';
import { hashPassword, type KdfParams } from '../../src/server/auth.ts';
import { DEMO_PASSWORD, DEMO_TOWNS, seedDemo } from '../../src/server/demo.ts';
import { createServerApp } from '../../src/server/http/app.ts';
import type { Store, UserRole } from '../../src/server/store/store.ts';
import { openTestStore } from '../support/test-store.ts';

/** Fast enough for hundreds of logins in a test run; production uses DEFAULT_KDF. */
export const TEST_KDF: KdfParams = { N: 2 ** 10, r: 8, p: 1 };
export const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);
export const PASSWORD = DEMO_PASSWORD;

export interface Harness {
  store: Store;
  /** The demo town's id (红星镇): every record and account of the harness is in it. */
  townId: string;
  app: ReturnType<typeof createServerApp>;
  clock: { now: number };
  /** Grid id by code (XF-01, HK-01, ZS-01...). */
  grid(code: string): string;
  /** Live records of a kind in a grid (from the store, unredacted). */
  recordsIn<K extends RecordKind>(kind: K, gridId: string): Promise<RecordOf<K>[]>;
  login(username: string, password?: string): Promise<string>;
  call(method: string, path: string, init?: CallInit): Promise<Response>;
  push(token: string, clientId: string, mutations: TestMutation[]): Promise<PushResponse>;
  pullAll(token: string, clientId?: string, limit?: number): Promise<PullResponse['changes']>;
  addUser(user: {
    username: string;
    role: UserRole;
    gridCodes?: string[];
    departmentId?: string;
    name?: string;
  }): Promise<string>;
}

export interface CallInit {
  token?: string;
  body?: unknown;
  /** Sent as-is (no JSON encoding). */
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export interface TestMutation {
  mutationId: number;
  name: MutationName;
  args: unknown;
  createdAt?: number;
}

/**
 * `problems`: also seed the demo's week of problems (off by default: most tests start with none).
 * `secondTown`: also seed 青石镇 (qs_wgy01, qs_admin). The backend is SQLite in memory, or the
 * PostgreSQL test cluster when TEST_DATABASE=postgres (tests/support/test-store.ts).
 */
export async function createHarness(
  options: {
    households?: number;
    problems?: boolean;
    /** The demo's past visits (off by default: most tests count what they write themselves). */
    visits?: boolean;
    /** The demo's two open tasks (off by default, like the problems). */
    tasks?: boolean;
    secondTown?: boolean;
    store?: Store;
  } = {},
): Promise<Harness> {
  const store = options.store ?? (await openTestStore());
  const clock = { now: T0 };
  await seedDemo(store, {
    households: options.households ?? 300,
    kdf: TEST_KDF,
    now: T0,
    problems: options.problems ?? false,
    visits: options.visits ?? false,
    tasks: options.tasks ?? false,
    secondTown: options.secondTown ?? false,
  });
  const town = await store.towns.byCode(DEMO_TOWNS.main.code);
  if (!town) throw new Error('the demo town was not seeded');
  const townId = town.id;
  const app = createServerApp({ store, now: () => clock.now, kdf: TEST_KDF });
  const codes = new Map((await store.records.live(townId, 'grids')).map((g) => [g.code, g.id] as const));
  const grid = (code: string) => {
    const id = codes.get(code);
    if (!id) throw new Error(`no grid ${code}`);
    return id;
  };
  const call = (method: string, path: string, init: CallInit = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: BodyInit | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, body }));
  };
  const harness: Harness = {
    store,
    townId,
    app,
    clock,
    grid,
    async recordsIn(kind, gridId) {
      const rows = await store.sql.all<{ data: string }>(
        'SELECT data FROM records WHERE town_id = ? AND kind = ? AND grid_id = ? AND is_deleted = 0 ORDER BY version',
        [townId, kind, gridId],
      );
      return rows.map((r) => JSON.parse(r.data) as RecordOf<typeof kind>);
    },
    async login(username, password = PASSWORD) {
      const response = await call('POST', '/api/login', { body: { username, password } });
      if (response.status !== 200)
        throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
    call,
    async push(token, clientId, mutations) {
      const response = await call('POST', '/api/push', {
        token,
        body: {
          protocolVersion: PROTOCOL_VERSION,
          clientId,
          mutations: mutations.map((m) => ({ clientId, createdAt: clock.now, ...m })),
        },
      });
      if (response.status !== 200) throw new Error(`push: ${response.status} ${await response.text()}`);
      return (await response.json()) as PushResponse;
    },
    async pullAll(token, clientId, limit = 1000) {
      const changes: PullResponse['changes'] = [];
      let cursor = 0;
      for (let page = 0; page < 1000; page++) {
        const query = new URLSearchParams({ cursor: String(cursor), limit: String(limit) });
        if (clientId) query.set('clientId', clientId);
        const response = await call('GET', `/api/pull?${query}`, {
          token,
          headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
        });
        if (response.status !== 200) throw new Error(`pull: ${response.status} ${await response.text()}`);
        const body = (await response.json()) as PullResponse;
        changes.push(...body.changes);
        cursor = body.cursor;
        if (!body.hasMore) return changes;
      }
      throw new Error('pull did not finish');
    },
    async addUser(user) {
      const id = newId();
      await store.accounts.create({
        id,
        townId,
        username: user.username,
        name: user.name ?? user.username,
        role: user.role,
        gridIds: (user.gridCodes ?? []).map(grid),
        ...(user.departmentId ? { departmentId: user.departmentId } : {}),
        passwordHash: await hashPassword(PASSWORD, TEST_KDF),
        createdAt: T0,
      });
      return id;
    },
  };
  return harness;
}

/** A fresh device id, as a device makes one per database. */
export function newClientId(): string {
  return newId();
}

export function householdUpdate(
  id: string,
  changes: MutationArgs<'household.update'>['changes'],
): TestMutation {
  return { mutationId: 0, name: 'household.update', args: { id, changes } };
}

/** Numbers mutations 1..n (or from `first`), as a device's outbox would. */
export function numbered(mutations: TestMutation[], first = 1): TestMutation[] {
  return mutations.map((m, i) => ({ ...m, mutationId: first + i }));
}

export function newHousehold(gridId: string, overrides: Partial<Household> = {}): Household {
  return {
    id: newId(),
    updatedAt: T0,
    isDeleted: false,
    gridId,
    villageGroup: '测试组',
    houseNumber: '1号',
    address: '测试村测试组1号',
    ...overrides,
  };
}

export function newPerson(household: Household, overrides: Partial<Person> = {}): Person {
  return {
    id: newId(),
    updatedAt: T0,
    isDeleted: false,
    householdId: household.id,
    gridId: household.gridId,
    status: 'resident',
    name: '测试人',
    gender: 'female',
    relation: 'head',
    birthDate: '1950-03-08',
    tags: [],
    ...overrides,
  };
}

/** A problem as the device builds it (the device's idea of the actor is overwritten by the server). */
export function newProblem(gridId: string, overrides: Partial<Problem> = {}): Problem {
  return {
    ...createProblemReport(
      {
        id: newId(),
        gridId,
        category: 'environment',
        severity: 'yellow',
        description: '楼道堆物',
        place: { text: '3栋楼道' },
        photoIds: [],
        source: 'snap',
        links: {},
      },
      { role: 'worker', name: '网格员' },
      T0,
    ),
    ...overrides,
  };
}

export const PROTOCOL_HEADERS = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };

export async function errorOf(
  response: Response,
): Promise<{ status: number; reason: string; message: string }> {
  const body = (await response.json()) as { error: { reason: string; message: string } };
  return { status: response.status, ...body.error };
}
