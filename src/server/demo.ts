/**
 * The demo town and one account per role, so `npm start` on a fresh clone has something to log into.
 * Loaded only into an empty database; a real deployment runs with DEMO=off.
 */
import { randomBytes } from 'node:crypto';
import { DEPARTMENTS } from '../shared/domain/departments.ts';
import { generateDemoTown, type DemoTownOptions } from '../shared/domain/demo-town.ts';
import { newId } from '../shared/domain/ids.ts';
import type { RecordKind, RecordOf } from '../shared/records.ts';
import { DEFAULT_KDF, hashPassword, type KdfParams } from './auth.ts';
import type { Store, UserRole } from './store/store.ts';

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

const departmentName = (id: string) => DEPARTMENTS.find((d) => d.id === id)?.name ?? id;

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
}

export interface SeedReport {
  /** Records loaded (0 when the database already had data). */
  records: number;
  households: number;
  people: number;
  generateMs: number;
  insertMs: number;
  /** Accounts created (empty when accounts already existed). */
  accounts: DemoAccount[];
  password: string;
}

/** Loads the town into an empty records table and creates the demo accounts if there are none. */
export async function seedDemo(store: Store, options: SeedOptions = {}): Promise<SeedReport> {
  const report: SeedReport = {
    records: 0,
    households: 0,
    people: 0,
    generateMs: 0,
    insertMs: 0,
    accounts: [],
    password: options.password ?? DEMO_PASSWORD,
  };
  if (store.countRecords() === 0) {
    let started = performance.now();
    const town = generateDemoTown({
      ...options.town,
      ...(options.households === undefined ? {} : { households: options.households }),
    });
    report.generateMs = performance.now() - started;
    started = performance.now();
    // Parents before children (grids, then what lies in them), so a first pull arrives in that order too.
    const groups: [RecordKind, readonly RecordOf<RecordKind>[]][] = [
      ['grids', town.grids],
      ['buildings', town.buildings],
      ['enterprises', town.enterprises],
      ['households', town.households],
      ['people', town.people],
    ];
    const count = groups.reduce((sum, [, records]) => sum + records.length, 0);
    function* items() {
      for (const [kind, records] of groups) for (const record of records) yield { kind, record };
    }
    store.bulkInsert(items(), count, options.now ?? Date.now());
    report.insertMs = performance.now() - started;
    Object.assign(report, { records: count, households: town.households.length, people: town.people.length });
  }
  if (store.countUsers() === 0) {
    const gridByCode = new Map(
      store.gridTree().map((g) => [(store.getRecord('grids', g.id)?.data.code ?? '').toUpperCase(), g.id]),
    );
    const hashes = await Promise.all(
      DEMO_ACCOUNTS.map(() => hashPassword(report.password, options.kdf ?? DEFAULT_KDF)),
    );
    DEMO_ACCOUNTS.forEach((account, i) => {
      store.createUser({
        id: newId(),
        username: account.username,
        name: account.name,
        role: account.role,
        gridIds: account.gridCodes.flatMap((code) => gridByCode.get(code) ?? []),
        ...(account.departmentId ? { departmentId: account.departmentId } : {}),
        passwordHash: hashes[i]!,
        createdAt: options.now ?? Date.now(),
      });
    });
    report.accounts = [...DEMO_ACCOUNTS];
  }
  return report;
}

/**
 * With the demo off and no accounts, an administrator with a one-time random password, printed once,
 * so a fresh deployment can be logged into at all.
 */
export async function ensureAdmin(store: Store, kdf: KdfParams = DEFAULT_KDF): Promise<string | undefined> {
  if (store.countUsers() > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  store.createUser({
    id: newId(),
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
