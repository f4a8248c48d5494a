/**
 * The demo town and one account per role, so `npm start` on a fresh clone has something to log into.
 * Loaded only into an empty database; a real deployment runs with DEMO=off.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_DEPARTMENTS, defaultDepartmentRecords } from '../shared/domain/departments.ts';
import { generateDemoProblems } from '../shared/domain/demo-problems.ts';
import { generateDemoTown, type DemoTown, type DemoTownOptions } from '../shared/domain/demo-town.ts';
import { generateDemoVisits } from '../shared/domain/demo-visits.ts';
import { newId } from '../shared/domain/ids.ts';
import type { RecordKind, RecordOf } from '../shared/records.ts';
import type { Actor } from '../shared/schemas/problem.ts';
import { shanghaiDay } from '../shared/time.ts';
import { DEFAULT_KDF, hashPassword, type KdfParams } from './auth.ts';
import { seedDemoTasksAndTeams } from './demo-teams.ts';
import type { Store, Town, UserRole } from './store/store.ts';

export const DEMO_PASSWORD = 'lianxin2026';

export interface DemoAccount {
  username: string;
  name: string;
  role: UserRole;
  /** Grid codes as printed on the grid card (XF-01); resolved to ids when created. */
  gridCodes: string[];
  departmentId?: string;
  note: string;
}

const departmentName = (id: string) => DEFAULT_DEPARTMENTS.find((d) => d.id === id)?.name ?? id;

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'wgy01', name: '王丽', role: 'worker', gridCodes: ['XF-01'], note: '网格员 · 幸福社区第1网格' },
  { username: 'wgy02', name: '陈军', role: 'worker', gridCodes: ['XF-02'], note: '网格员 · 幸福社区第2网格' },
  {
    username: 'zxh01',
    name: '赵桂英',
    role: 'helper',
    gridCodes: ['XF-01'],
    note: '中心户 · 幸福社区第1网格',
  },
  {
    username: 'wgz01',
    name: '刘建华',
    role: 'leader',
    gridCodes: ['XF-01', 'XF-02', 'XF-03', 'XF-04', 'XF-05', 'XF-06', 'XF-07'],
    note: '网格长 · 幸福社区第1-7网格',
  },
  { username: 'zhzx', name: '指挥中心值班', role: 'center', gridCodes: [], note: '指挥中心 · 全镇' },
  {
    username: 'pcs',
    name: '周警官',
    role: 'department',
    gridCodes: [],
    departmentId: 'dept-police',
    note: `职能部门 · ${departmentName('dept-police')}`,
  },
  {
    username: 'scjg',
    name: '吴科长',
    role: 'department',
    gridCodes: [],
    departmentId: 'dept-market',
    note: `职能部门 · ${departmentName('dept-market')}`,
  },
  { username: 'admin', name: '系统管理员', role: 'admin', gridCodes: [], note: '管理员 · 全镇' },
];

export interface SeedOptions {
  households?: number;
  /** Passed to generateDemoTown (e.g. one huge grid for a benchmark); `households` above wins over its own. */
  town?: DemoTownOptions;
  password?: string;
  kdf?: KdfParams;
  now?: number;
  /** Seed the past week's problems with the town (default true): every role then has work to see. */
  problems?: boolean;
  /**
   * Seed the workers' past visits with the town (default true), following each household's cadence
   * up to yesterday: Today then shows a day's work rather than every household never visited.
   */
  visits?: boolean;
  /** Seed the demo's two open tasks (上级任务) when its center and leader are created (default true). */
  tasks?: boolean;
  /** Also seed 青石镇, a second small town with its own accounts. */
  secondTown?: boolean;
}

export interface SeedReport {
  /** Records loaded (0 when the database already had data). */
  records: number;
  /** Of those, problems. */
  problems: number;
  /** Of those, visits. */
  visits: number;
  households: number;
  people: number;
  generateMs: number;
  insertMs: number;
  /** Accounts created (empty when accounts already existed). */
  accounts: DemoAccount[];
  password: string;
  /** Towns seeded (1, or 2 with secondTown). */
  towns: number;
}

/** The demo's towns: 红星镇 with every role, and a small 青石镇 beside it, so towns are seen apart. */
export const DEMO_TOWNS = {
  main: { code: 'HX', name: '红星镇' },
  second: {
    code: 'QS',
    name: '青石镇',
    town: { seed: 20260202, households: 400, comprehensiveGrids: 3, specialGrids: 1, enterprises: 4 },
  },
} as const;

/** 青石镇's accounts (usernames are unique across the deployment). */
export const SECOND_TOWN_ACCOUNTS: readonly DemoAccount[] = [
  {
    username: 'qs_wgy01',
    name: '孙晓燕',
    role: 'worker',
    gridCodes: ['XF-01'],
    note: '网格员 · 青石镇第1网格',
  },
  { username: 'qs_admin', name: '青石镇管理员', role: 'admin', gridCodes: [], note: '管理员 · 青石镇' },
];

/**
 * The town of `code`, created when missing. A database from before towns holds its one town as
 * "default": the demo goes on in it rather than starting a second 红星镇 beside it.
 */
export async function ensureTown(store: Store, code: string, name: string, now: number): Promise<Town> {
  const existing =
    (await store.towns.byCode(code)) ??
    (code === DEMO_TOWNS.main.code ? await store.towns.byCode('default') : undefined);
  if (existing) return existing;
  return store.towns.create({ id: newId(), code, name, createdAt: now });
}

/**
 * Loads the demo town (and, with `secondTown`, 青石镇) into towns that have no records yet, and
 * creates each town's demo accounts when it has none.
 */
export async function seedDemo(store: Store, options: SeedOptions = {}): Promise<SeedReport> {
  const now = options.now ?? Date.now();
  const main = await ensureTown(store, DEMO_TOWNS.main.code, DEMO_TOWNS.main.name, now);
  const report = await seedTown(
    store,
    main,
    DEMO_ACCOUNTS,
    {
      ...options.town,
      ...(options.households === undefined ? {} : { households: options.households }),
    },
    options,
    now,
  );
  if (options.secondTown) {
    const { code, name, town } = DEMO_TOWNS.second;
    const second = await ensureTown(store, code, name, now);
    const extra = await seedTown(
      store,
      second,
      SECOND_TOWN_ACCOUNTS,
      { ...town, townName: name, townCode: code },
      { ...options, problems: false },
      now,
    );
    report.accounts.push(...extra.accounts);
    report.towns = 2;
  }
  return report;
}

async function seedTown(
  store: Store,
  target: Town,
  accounts: readonly DemoAccount[],
  townOptions: DemoTownOptions,
  options: SeedOptions,
  now: number,
): Promise<SeedReport> {
  const report: SeedReport = {
    records: 0,
    problems: 0,
    visits: 0,
    households: 0,
    people: 0,
    generateMs: 0,
    insertMs: 0,
    accounts: [],
    password: options.password ?? DEMO_PASSWORD,
    towns: 1,
  };
  let places = new Map<string, string[]>();
  let town: DemoTown | undefined;
  if ((await store.records.count(target.id)) === 0) {
    let started = performance.now();
    town = generateDemoTown(townOptions);
    const { visits } =
      options.visits === false
        ? { visits: [] }
        : generateDemoVisits({ households: town.households, people: town.people, now });
    report.generateMs = performance.now() - started;
    started = performance.now();
    // Parents before children (grids, then what lies in them), so a first pull arrives in that order too.
    // The town's departments first: the demo problems are dispatched to them.
    const groups: [RecordKind, readonly RecordOf<RecordKind>[]][] = [
      ['departments', defaultDepartmentRecords(now)],
      ['grids', town.grids],
      ['buildings', town.buildings],
      ['enterprises', town.enterprises],
      ['households', town.households],
      ['people', town.people],
      ['visits', visits],
    ];
    const items = groups.flatMap(([kind, records]) => records.map((record) => ({ kind, record })));
    await store.appendRecords(target.id, items, null, now);
    places = placesByGrid(town);
    report.insertMs = performance.now() - started;
    Object.assign(report, {
      records: items.length,
      households: town.households.length,
      people: town.people.length,
      visits: visits.length,
    });
  }
  if ((await store.accounts.count(target.id)) === 0) {
    const grids = await store.records.live(target.id, 'grids');
    const gridByCode = new Map(grids.map((g) => [g.code.toUpperCase(), g.id]));
    const hashes = await Promise.all(
      accounts.map(() => hashPassword(report.password, options.kdf ?? DEFAULT_KDF)),
    );
    for (const [i, account] of accounts.entries()) {
      await store.accounts.create({
        id: newId(),
        townId: target.id,
        username: account.username,
        name: account.name,
        role: account.role,
        gridIds: account.gridCodes.flatMap((code) => gridByCode.get(code) ?? []),
        ...(account.departmentId ? { departmentId: account.departmentId } : {}),
        passwordHash: hashes[i]!,
        createdAt: now,
      });
    }
    report.accounts = [...accounts];
  }
  if (report.records > 0 && options.problems !== false)
    report.problems = await seedDemoProblems(store, target.id, now, places);
  report.records += report.problems;
  if (town)
    report.records += await seedDemoTasksAndTeams(store, target.id, town, now, options.tasks !== false);
  return report;
}

const DEMO_PHOTO = new URL('./demo-photo.jpg', import.meta.url);

/** Real places of each grid for the demo problems: a building's unit, or a village house. */
function placesByGrid(town: ReturnType<typeof generateDemoTown>): Map<string, string[]> {
  const buildings = new Map(town.buildings.map((b) => [b.id, b]));
  const places = new Map<string, Set<string>>();
  for (const household of town.households) {
    const building = household.buildingId ? buildings.get(household.buildingId) : undefined;
    const place = building
      ? `${building.estate}${building.name}${household.unit ?? 1}单元`
      : household.address;
    const set = places.get(household.gridId) ?? new Set<string>();
    places.set(household.gridId, set.add(place));
  }
  return new Map([...places].map(([gridId, set]) => [gridId, [...set]]));
}

/**
 * A week of problems in the freshly loaded town, acted on by the demo accounts where one covers the
 * grid or the department (so 王丽 finds her own reports, 刘建华 his inbox, 周警官 his orders), by
 * stand-ins elsewhere. One stored photo serves as every picture.
 */
async function seedDemoProblems(
  store: Store,
  townId: string,
  now: number,
  places: ReadonlyMap<string, string[]>,
): Promise<number> {
  const grids = (await store.records.live(townId, 'grids')).filter((grid) => grid.kind === 'grid');
  const departments = await store.records.live(townId, 'departments');
  const users = (await store.accounts.list(townId)).filter((user) =>
    DEMO_ACCOUNTS.some((account) => account.username === user.username),
  );
  const actorOf = (user: (typeof users)[number]): Actor => ({
    role: user.role,
    userId: user.id,
    name: user.name,
    ...(user.departmentId ? { departmentId: user.departmentId } : {}),
  });
  const workerOf = new Map(
    users.filter((u) => u.role === 'worker').flatMap((u) => u.gridIds.map((id) => [id, actorOf(u)] as const)),
  );
  const center = users.find((u) => u.role === 'center');
  const leader = users.find((u) => u.role === 'leader');
  if (!center || grids.length === 0) return 0;
  const demoGrids = grids.map((grid) => ({
    id: grid.id,
    places: places.get(grid.id) ?? [],
    worker: workerOf.get(grid.id) ?? {
      role: 'worker' as const,
      userId: `demo-${grid.code}`,
      name: `网格员（${grid.code}）`,
    },
  }));
  const departmentStaff = new Map(
    users
      .filter((u) => u.role === 'department' && u.departmentId)
      .map((u) => [u.departmentId!, actorOf(u)] as const),
  );

  const bytes = readFileSync(DEMO_PHOTO);
  const photoId = createHash('sha256').update(bytes).digest('hex');
  const common = {
    departments,
    departmentStaff,
    lastDay: shanghaiDay(now),
    days: 7,
    notAfter: now,
    photoIds: [photoId],
  };
  const townWide = generateDemoProblems({
    ...common,
    grids: demoGrids,
    count: demoGrids.length * 2,
    dispatcher: actorOf(center),
    seed: 20261122,
  });
  // The grid leader's own grids get more, dispatched by the leader: a full inbox to log into.
  const leaderGrids = demoGrids.filter((g) => leader?.gridIds.includes(g.id));
  const leaders =
    leader && leaderGrids.length > 0
      ? generateDemoProblems({
          ...common,
          grids: leaderGrids,
          count: 40,
          dispatcher: actorOf(leader),
          seed: 7,
        })
      : { problems: [] };
  const problems = [...townWide.problems, ...leaders.problems];

  const uploader = [...workerOf.values()][0]?.userId ?? center.id;
  await store.blobs.put(
    townId,
    { sha256: photoId, size: bytes.length, type: 'image/jpeg', uploadedBy: uploader, gridId: null, at: now },
    bytes,
  );
  await store.appendRecords(
    townId,
    problems.map((record) => ({ kind: 'problems' as const, record })),
    null,
    now,
  );
  return problems.length;
}

/**
 * With the demo off and no accounts, an administrator with a one-time random password, printed once,
 * so a fresh deployment can be logged into at all.
 */
export async function ensureAdmin(
  store: Store,
  kdf: KdfParams = DEFAULT_KDF,
  town: { code: string; name: string } = { code: 'default', name: '本镇' },
): Promise<string | undefined> {
  if ((await store.accounts.count()) > 0) return undefined;
  const target = (await store.towns.list())[0] ?? (await ensureTown(store, town.code, town.name, Date.now()));
  const password = randomBytes(12).toString('base64url');
  await store.accounts.create({
    id: newId(),
    townId: target.id,
    username: 'admin',
    name: '系统管理员',
    role: 'admin',
    gridIds: [],
    passwordHash: await hashPassword(password, kdf),
    createdAt: Date.now(),
  });
  return password;
}

export function formatAccounts(accounts: readonly DemoAccount[], password: string): string {
  const width = Math.max(...accounts.map((a) => a.username.length), 8);
  const lines = accounts.map(
    (a) => `  ${a.username.padEnd(width)}  ${a.role.padEnd(10)}  ${a.name}（${a.note}）`,
  );
  return [
    `演示账号（密码均为 ${password}）：`,
    `  ${'用户名'.padEnd(width - 1)}  ${'角色'.padEnd(9)}  姓名`,
    ...lines,
  ].join('\n');
}
