/**
 * A town with a year of everything the dashboard counts, for its tests (at a small scale) and its
 * bench (at seed 000's and seed 001's: 23,000 households, 85,000 people, 60,000 problems a year):
 * the demo town's register, a year of visits on each household's cadence (generateDemoVisits) and
 * today's round so far, the last days' checklist runs, the needs found over the year, a year of
 * problems (dashboard-problems.ts), one grid with its own cadence, and the accounts and devices that
 * wrote them. Seeded: the same options give the same town. `seedDashboardTown` puts it in a store.
 */
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { generateDemoVisits } from '../../src/shared/domain/demo-visits.ts';
import { deterministicId } from '../../src/shared/domain/ids.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import {
  computeDueList,
  DEFAULT_CADENCE_CONFIG,
  lastCountedDays,
  type CadenceConfig,
} from '../../src/shared/domain/visit-cadence.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type {
  ChecklistRun,
  GridCadence,
  Need,
  Problem,
  Shift,
  Visit,
  VisitOutcome,
} from '../../src/shared/schemas/index.ts';
import type { Actor } from '../../src/shared/schemas/problem.ts';
import { shanghaiDay, shanghaiDayStart } from '../../src/shared/time.ts';
import type { Store, UserRole } from '../../src/server/store/store.ts';
import { yearOfProblems } from './dashboard-problems.ts';
import { recentRuns, yearOfNeeds } from './dashboard-records.ts';

/** Wednesday 18 November 2026, 20:45 in Asia/Shanghai: the evening catch-up is under way. */
export const DASHBOARD_NOW = Date.parse('2026-11-18T20:45:00+08:00');
const MINUTE = 60_000;
const DAY = 86_400_000;

export interface DashboardTownOptions {
  /** 1 = the seeds' town and district rate; the unit run uses a small share of it. */
  scale: number;
  now?: number;
  seed?: number;
  /** Days of checklist runs up to today (runs of earlier days do not show on the dashboard). */
  runDays?: number;
}

export interface TownAccount {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  gridIds: string[];
  departmentId?: string;
  /** The device its writes came from (workers). */
  clientId?: string;
}

export interface DashboardTown {
  now: number;
  town: ReturnType<typeof generateDemoTown>;
  visits: Visit[];
  /** Which account's device wrote each visit (by visit id), for the brute-force count per worker. */
  visitWriter: Map<string, string>;
  problems: Problem[];
  needs: Need[];
  runs: ChecklistRun[];
  cadences: GridCadence[];
  accounts: TownAccount[];
  /** Grids that hold households (a worker each). */
  workGridIds: string[];
}

const accountId = (n: number) =>
  deterministicId(
    Date.UTC(2026, 0, 1),
    new Uint8Array(16).fill(n % 256).map((b, i) => (i === 0 ? n >> 8 : b)),
  );

export function generateDashboardTown(options: DashboardTownOptions): DashboardTown {
  const now = options.now ?? DASHBOARD_NOW;
  const seed = options.seed ?? 20261118;
  const scale = options.scale;
  const random = seededRandom(seed);
  const today = shanghaiDay(now);
  const town = generateDemoTown({
    seed,
    households: Math.round(23_000 * scale),
    comprehensiveGrids: Math.max(4, Math.round(71 * scale)),
    specialGrids: Math.max(1, Math.round(5 * scale)),
    enterprises: Math.max(3, Math.round(140 * scale)),
    now: now - 400 * DAY,
  });
  const workGridIds = [...new Set(town.households.map((h) => h.gridId))];

  // Accounts: a worker per grid with households, a leader over the first half, the center, an admin,
  // a helper beside the first worker, and department staff.
  const accounts: TownAccount[] = [];
  const add = (account: Omit<TownAccount, 'id'>) => {
    const made = { ...account, id: accountId(accounts.length + 1) };
    accounts.push(made);
    return made;
  };
  const workers = workGridIds.map((gridId, i) =>
    add({
      username: `dw${i + 1}`,
      name: `网格员${i + 1}`,
      role: 'worker',
      gridIds: [gridId],
      clientId: `client-dw${i + 1}`,
    }),
  );
  add({
    username: 'dhelper',
    name: '中心户',
    role: 'helper',
    gridIds: [workGridIds[0]!],
    clientId: 'client-dhelper',
  });
  add({
    username: 'dleader',
    name: '网格长',
    role: 'leader',
    gridIds: workGridIds.slice(0, Math.ceil(workGridIds.length / 2)),
  });
  const center = add({ username: 'dcenter', name: '指挥中心', role: 'center', gridIds: [] });
  add({ username: 'dadmin', name: '管理员', role: 'admin', gridIds: [] });
  const staff = ['dept-police', 'dept-market', 'dept-urban'].map((departmentId, i) =>
    add({
      username: `dstaff${i + 1}`,
      name: `部门值班${i + 1}`,
      role: 'department',
      gridIds: [],
      departmentId,
    }),
  );
  const actor = (a: TownAccount): Actor => ({
    role: a.role,
    userId: a.id,
    name: a.name,
    ...(a.departmentId ? { departmentId: a.departmentId } : {}),
  });
  const workerOfGrid = new Map(workers.map((w) => [w.gridIds[0]!, w]));

  // One grid asks for 空巢老人 daily: its due list must follow its own cadence.
  const ownConfig: CadenceConfig = {
    byTag: { ...DEFAULT_CADENCE_CONFIG.byTag, 'empty-nest': 'daily' },
    everyoneElse: 'quarterly',
  };
  const cadences: GridCadence[] = [
    {
      id: workGridIds[1]!,
      gridId: workGridIds[1]!,
      updatedAt: now - 30 * DAY,
      isDeleted: false,
      ...ownConfig,
    },
  ];
  const configOf = (gridId: string) => (gridId === workGridIds[1] ? ownConfig : DEFAULT_CADENCE_CONFIG);

  // A year of visits up to yesterday, then today's round so far.
  const history = workGridIds.flatMap(
    (gridId, g) =>
      generateDemoVisits({
        households: town.households.filter((h) => h.gridId === gridId),
        people: town.people.filter((p) => p.gridId === gridId),
        now,
        seed: seed + g,
        config: configOf(gridId),
        fullDays: 365,
      }).visits,
  );
  const visits = [...history, ...todaysVisits(town, history, today, now, configOf, random)];
  const visitWriter = new Map<string, string>();
  for (const visit of visits) {
    const writer = workerOfGrid.get(visit.gridId);
    if (writer) visitWriter.set(visit.id, writer.id);
  }

  return {
    now,
    town,
    visits,
    visitWriter,
    problems: yearOfProblems({
      grids: workGridIds.map((id) => {
        const worker = workerOfGrid.get(id);
        return { id, ...(worker ? { worker: actor(worker) } : {}) };
      }),
      perYear: Math.round(60_000 * scale),
      now,
      center: actor(center),
      leader: actor(accounts.find((a) => a.role === 'leader')!),
      staff: staff.map(actor),
      seed: seed + 7,
    }),
    needs: yearOfNeeds(town, now, random),
    runs: recentRuns(town, today, now, options.runDays ?? 3, random),
    cadences,
    accounts,
    workGridIds,
  };
}

/** Today's knocks: most of the due list visited by day, some nobody home, half of those caught up tonight. */
function todaysVisits(
  town: DashboardTown['town'],
  history: readonly Visit[],
  today: string,
  now: number,
  configOf: (gridId: string) => CadenceConfig,
  random: () => number,
): Visit[] {
  const visits: Visit[] = [];
  const dayStart = shanghaiDayStart(today);
  const idBytes = new Uint8Array(16);
  const knock = (
    household: { id: string; gridId: string },
    shift: Shift,
    outcome: VisitOutcome,
    minute: number,
    isDeleted = false,
  ) => {
    const visitedAt = Math.min(now, dayStart + minute * MINUTE);
    for (let b = 0; b < 16; b++) idBytes[b] = Math.floor(random() * 256);
    visits.push({
      id: deterministicId(visitedAt, idBytes),
      updatedAt: visitedAt,
      isDeleted,
      householdId: household.id,
      gridId: household.gridId,
      personIds: [],
      visitedAt,
      day: today,
      shift,
      outcome,
      fiveSees: {},
      needIds: [],
      photoIds: [],
    });
  };
  const summaries = lastCountedDays(history);
  for (const gridId of new Set(town.households.map((h) => h.gridId))) {
    const households = town.households.filter((h) => h.gridId === gridId);
    const due = computeDueList({
      households,
      people: town.people.filter((p) => p.gridId === gridId),
      visits: [],
      lastCountedDays: summaries,
      config: configOf(gridId),
      today,
    });
    const byId = new Map(households.map((h) => [h.id, h]));
    for (const item of due.items) {
      const household = byId.get(item.householdId)!;
      const draw = random();
      const dayMinute = 8 * 60 + 30 + Math.floor(random() * 500);
      if (item.status === 'upcoming') {
        if (draw < 0.02) knock(household, 'day', 'met', dayMinute);
        continue;
      }
      if (draw < 0.6) knock(household, 'day', random() < 0.03 ? 'in-hospital' : 'met', dayMinute);
      else if (draw < 0.75) {
        knock(household, 'day', 'nobody-home', dayMinute);
        if (random() < 0.5)
          knock(
            household,
            'night',
            random() < 0.7 ? 'met' : 'nobody-home',
            18 * 60 + 30 + Math.floor(random() * 130),
          );
      } else if (draw < 0.77) knock(household, 'day', 'refused', dayMinute);
      // A quick entry taken back (撤销): withdrawn, it counts for nothing.
      else if (draw < 0.79) knock(household, 'day', 'met', dayMinute, true);
    }
  }
  return visits;
}

/** The town in a store: its accounts (one password hash for all), their devices, and every record. */
export async function seedDashboardTown(
  store: Store,
  data: DashboardTown,
  passwordHash: string,
): Promise<string> {
  const town = await store.towns.create({
    id: deterministicId(data.now, new Uint8Array(16).fill(7)),
    code: 'DB',
    name: '看板镇',
    createdAt: data.now - 400 * DAY,
  });
  const at = data.now - DAY;
  for (const account of data.accounts) {
    await store.accounts.create({
      id: account.id,
      townId: town.id,
      username: account.username,
      name: account.name,
      role: account.role,
      gridIds: account.gridIds,
      ...(account.departmentId ? { departmentId: account.departmentId } : {}),
      passwordHash,
      createdAt: at,
    });
    if (account.clientId) await store.clients.bind(account.clientId, town.id, account.id, at);
  }
  const items = <K extends RecordKind>(kind: K, records: readonly RecordOf<K>[]) =>
    records.map((record) => ({ kind, record }));
  const { town: t } = data;
  await store.appendRecords(
    town.id,
    [
      ...items('grids', t.grids),
      ...items('buildings', t.buildings),
      ...items('enterprises', t.enterprises),
      ...items('households', t.households),
      ...items('people', t.people),
      ...items('cadences', data.cadences),
      ...items('needs', data.needs),
      ...items('checklistRuns', data.runs),
      ...items('problems', data.problems),
    ],
    null,
    at,
  );
  // Visits as each grid's worker's device pushed them.
  const clientOf = new Map(data.accounts.map((a) => [a.id, a.clientId ?? null]));
  const byClient = new Map<string | null, Visit[]>();
  for (const visit of data.visits) {
    const writer = data.visitWriter.get(visit.id);
    const client = writer === undefined ? null : (clientOf.get(writer) ?? null);
    const list = byClient.get(client);
    if (list) list.push(visit);
    else byClient.set(client, [visit]);
  }
  for (const [client, visits] of byClient)
    await store.appendRecords(town.id, items('visits', visits), client, at);
  return town.id;
}
