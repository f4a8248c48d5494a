/**
 * Drift (property test): several devices of several roles over the real server handlers, with writes
 * the server refuses, problem actions racing between roles, a hazard turned into a problem while a
 * pull runs, template edits, scope changes, offline periods and old pushes delivered again. Once
 * everyone is online and has synced until settled (twice), every device must hold, record by record,
 * exactly what a fresh pull from cursor 0 gives its user: the server's scoped, redacted view.
 *
 * Layout (for porting to a new write path):
 *   1. WORLD    - a fresh harness per run, the clients, offline switch and memory of pushes.
 *   2. DEVICE   - the ONLY place that calls device commands (src/app/commands/*). Port this block.
 *                 SYNC next to it: the only direct calls of the sync engine (push, pull, one round).
 *   3. SERVER   - changeGrids (direct SQL until the admin API for it exists).
 *   4. OPS      - the generator (fc.oneof) and the interpreter, which picks targets from device state.
 *   5. CHECK    - device view vs server view, record by record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actOnProblem, reportHazardAsProblem, reportProblem } from '../../src/app/commands/problems.ts';
import { updateHousehold, updatePerson } from '../../src/app/commands/register.ts';
import { recordChecklistRun, recordVisit } from '../../src/app/commands/round.ts';
import { CommandError, runCommand } from '../../src/app/commands/run-command.ts';
import type { AppDB } from '../../src/app/db/app-db.ts';
import {
  BUILT_IN_TEMPLATES,
  DAILY_ROUND_TEMPLATE_ID,
  ENTERPRISE_SAFETY_TEMPLATE_ID,
} from '../../src/shared/domain/checklist-templates.ts';
import { answersOf } from '../../src/shared/domain/checklist-answers.ts';
import { idNumberCheckChar } from '../../src/shared/domain/id-number.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { availableActions, type TransitionPayload } from '../../src/shared/domain/problem-workflow.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import { RECORD_KINDS, recordSchemas, type RecordKind } from '../../src/shared/records.ts';
import type {
  Assignee,
  CareTag,
  ChecklistTemplate,
  PersonChanges,
  ProblemAction,
} from '../../src/shared/schemas/index.ts';
import { createHarness, type Harness } from '../server/harness.ts';
import { openDevice, type Device } from './sync-client.ts';

/** Runs per file run (each run is a fresh server and fresh devices); keep one file run under ~60 s. */
const NUM_RUNS = Number(process.env.DRIFT_RUNS ?? 25);
/** Fixed so a failure reproduces; override with DRIFT_SEED=... to explore. */
const SEED = Number(process.env.DRIFT_SEED ?? 20261201);
/** Replays one failing case (the `path` fast-check prints) and shrinks it further: DRIFT_PATH="41:3:0" */
const PATH = process.env.DRIFT_PATH;
/** Time for the whole property, shrinking included (ms); a longer one gives smaller counterexamples. */
const TIME_LIMIT = Number(process.env.DRIFT_TIME ?? 50_000);
/**
 * Op kinds (or kind:variant) to leave out, comma separated, to see one failure kind on its own:
 * DRIFT_SKIP=change-grids,save-template:built-in-id,edit-person:idNumber
 */
const SKIP = new Set((process.env.DRIFT_SKIP ?? '').split(',').filter(Boolean));
/** If set, only these op kinds (plus sync/offline/replay, which every failure needs to show). */
const ONLY = new Set((process.env.DRIFT_ONLY ?? '').split(',').filter(Boolean));

// ---------------------------------------------------------------------------------------------------
// 1. WORLD
// ---------------------------------------------------------------------------------------------------

/**
 * One device per entry. wgy01 twice (two phones of one worker). zxh01 is the helper of XF-01 (the same
 * grid as wgy01), wgz01 the leader of XF-01..XF-07, zhzx the command center (whole town, redacted),
 * pcs the police department (only problems dispatched to it), wgy02 the worker of XF-02.
 */
const USERS = ['wgy01', 'wgy01', 'zxh01', 'wgz01', 'zhzx', 'pcs', 'wgy02'] as const;
type Username = (typeof USERS)[number];

/** Users whose grids a scope-change op may rewrite, and the grids it picks from. */
const SCOPED_USERS = ['wgy01', 'wgy02', 'zxh01'] as const;
const GRID_CODES = ['XF-01', 'XF-02', 'XF-03'] as const;

interface Client {
  index: number;
  username: Username;
  device: Device;
  isOffline: boolean;
  /** Push requests this client sent, to deliver again later (duplicated and out of order). */
  sent: Array<{ input: string; init: RequestInit }>;
}

interface World {
  harness: Harness;
  clients: Client[];
  userIds: Map<Username, string>;
}

/** Time moves on a second per op; the server and every device read the harness clock. */
function tick(world: World) {
  world.harness.clock.now += 1000;
}

async function openWorld(seed: number): Promise<World> {
  // 60 households: XF-01, XF-02 and XF-03 each have a building and a household; the center pulls ~400 records.
  const harness = await createHarness({ households: 60 });
  harness.clock.now = Date.now();
  const userIds = new Map<Username, string>();
  for (const username of new Set(USERS))
    userIds.set(username, (await harness.store.accounts.byUsername(username))!.id);
  const world: World = { harness, clients: [], userIds };
  for (const [index, username] of USERS.entries()) {
    const device = await openDevice(harness, username, { random: seededRandom(seed + index) });
    const client: Client = { index, username, device, isOffline: false, sent: [] };
    const deliver = device.transport.fetch;
    // Offline periods and a memory of pushes, wrapped around the device's own transport.
    device.transport.fetch = async (input, init) => {
      if (client.isOffline) throw new TypeError('offline');
      if (input.startsWith('/api/push') && init) client.sent.push({ input, init });
      return deliver(input, init);
    };
    world.clients.push(client);
  }
  for (const client of world.clients) await client.device.syncUntilSettled();
  return world;
}

async function closeWorld(world: World) {
  await Promise.all(world.clients.map((c) => c.device.close()));
  await world.harness.store.close();
}

// ---------------------------------------------------------------------------------------------------
// 2. DEVICE: every call of a device command is here. Port this block to the new write path.
// ---------------------------------------------------------------------------------------------------

const PHOTO = 'ab'.repeat(32);

/** A valid ID number for this birth date (the schema checks the check character and the date). */
function idNumberFor(birthDate: string, seq: number): string {
  const first17 = `110101${birthDate.replaceAll('-', '')}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

type PersonEdit = 'phone' | 'notes' | 'idNumber' | 'clear-idNumber' | 'sensitive-tag' | 'plain-tag';

const DEVICE = {
  async editHousehold(c: Client, householdId: string, notes: string) {
    await updateHousehold(c.device.ctx, householdId, { notes: notes || null });
  },

  /** A helper (or the center) setting an ID number or a sensitive tag is refused by the server. */
  async editPerson(c: Client, personId: string, edit: PersonEdit, n: number) {
    const person = (await c.device.db.people.get(personId))!;
    const changes: PersonChanges =
      edit === 'phone'
        ? { phone: `139${String(10_000_000 + (n % 90_000_000)).padStart(8, '0')}` }
        : edit === 'notes'
          ? { notes: `备注${n}` }
          : edit === 'idNumber'
            ? { idNumber: idNumberFor(person.birthDate, n) }
            : edit === 'clear-idNumber'
              ? { idNumber: null }
              : edit === 'sensitive-tag'
                ? { tags: addTag(person.tags, 'disabled') }
                : { tags: addTag(person.tags, 'unemployed') };
    await updatePerson(c.device.ctx, personId, changes);
  },

  async recordVisit(c: Client, householdId: string) {
    await recordVisit(c.device.ctx, { householdId, outcome: 'met', shift: 'day' });
  },

  async reportProblem(c: Client, household: { id: string; gridId: string; address: string }) {
    await reportProblem(c.device.ctx, {
      gridId: household.gridId,
      category: 'environment',
      severity: 'yellow',
      description: '楼道堆物',
      place: { householdId: household.id, text: household.address },
      photoIds: [],
      source: 'snap',
    });
  },

  async actOnProblem(
    c: Client,
    problemId: string,
    action: Exclude<ProblemAction, 'report'>,
    payload: TransitionPayload,
  ) {
    await actOnProblem(c.device.ctx, problemId, action, payload);
  },

  /** The daily round on a building, with its first item failed when `fail`: returns the run's hazards. */
  async recordChecklistRun(c: Client, building: { id: string; gridId: string }, fail: boolean) {
    const template = BUILT_IN_TEMPLATES.find((t) => t.id === DAILY_ROUND_TEMPLATE_ID)!;
    const runId = await recordChecklistRun(c.device.ctx, {
      template,
      gridId: building.gridId,
      target: { buildingId: building.id },
      shift: 'day',
      results: template.items.map((item, i) => ({
        itemId: item.id,
        result: fail && i === 0 ? ('fail' as const) : answersOf(item)[0]!,
        ...(fail && i === 0 ? { note: '按钮失灵' } : {}),
      })),
    });
    return c.device.db.hazards.where('runId').equals(runId).toArray();
  },

  async reportHazardAsProblem(c: Client, hazardId: string) {
    await reportHazardAsProblem(c.device.ctx, hazardId);
  },

  /** No screen edits templates yet; the mutation goes through the commands' one entry. */
  async saveTemplate(c: Client, template: ChecklistTemplate) {
    const at = c.device.ctx.now();
    await runCommand(c.device.ctx, 'checklistTemplate.save', { template: { ...template, updatedAt: at } });
  },
};

function addTag(tags: readonly CareTag[], tag: CareTag): CareTag[] {
  return tags.includes(tag) ? [...tags] : [...tags, tag];
}

/** A device command that refused (validation, status rules) did nothing: that is a valid outcome. */
async function ignoringRefusal(write: Promise<unknown>) {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
  }
}

/**
 * The sync engine as the test drives it (besides syncUntilSettled at the end). A failure (offline) is
 * swallowed: it is what the device would retry later.
 */
const SYNC = {
  round: (c: Client) => c.device.engine.syncOnce(c.device.actor).catch(() => undefined),
  push: (c: Client) => c.device.engine.push(c.device.actor).catch(() => undefined),
  pull: (c: Client) => c.device.engine.pull(c.device.actor).catch(() => undefined),
};

// ---------------------------------------------------------------------------------------------------
// 3. SERVER-side changes a test makes directly.
// ---------------------------------------------------------------------------------------------------

/** Gives the user exactly these grids, as an administrator does under 账号管理 → 修改网格. */
async function changeGrids(harness: Harness, username: string, gridCodes: readonly string[]) {
  const admin = await harness.login('admin');
  const user = (await harness.store.accounts.byUsername(username))!;
  const response = await harness.call('PATCH', `/api/admin/users/${user.id}`, {
    token: admin,
    body: { gridIds: gridCodes.map((code) => harness.grid(code)) },
  });
  if (response.status !== 200) throw new Error(`change grids: ${response.status} ${await response.text()}`);
}

// ---------------------------------------------------------------------------------------------------
// 4. OPS
// ---------------------------------------------------------------------------------------------------

const ACTIONS = [
  'dispatch',
  'transfer',
  'accept',
  'progress',
  'close-on-spot',
  'escalate',
  'resolve',
  'feedback',
  'evaluate',
] as const satisfies readonly Exclude<ProblemAction, 'report'>[];

type TemplateVariant = 'own' | 'edit-existing' | 'built-in-id' | 'town-wide';

type Op = (
  | { kind: 'edit-household'; client: number; pick: number; notes: string }
  | { kind: 'edit-person'; client: number; pick: number; edit: PersonEdit }
  | { kind: 'visit'; client: number; pick: number }
  | { kind: 'report-problem'; client: number; pick: number }
  /** One of the actions the device offers on the problem as IT sees it (maybe stale); `to` picks an assignee. */
  | { kind: 'act-on-problem'; client: number; pick: number; action: number; to: number }
  /** A dispatcher (leader or center) hands the problem on as it sees it: dispatch, or transfer if dispatched. */
  | { kind: 'hand-on'; client: number; pick: number; to: number }
  | { kind: 'checklist-run'; client: number; pick: number }
  /** A run with a failed item, then its hazard turned into a problem while a pull (or a round) runs. */
  | { kind: 'hazard-race'; client: number; pick: number; during: 'pull' | 'sync'; delay: number }
  /** The hazard a device shows as not yet turned into a problem, turned into one (again?). */
  | { kind: 'report-hazard'; client: number; pick: number }
  | { kind: 'save-template'; client: number; pick: number; variant: TemplateVariant }
  | { kind: 'change-grids'; user: (typeof SCOPED_USERS)[number]; grids: string[] }
  | { kind: 'toggle-offline'; client: number }
  | { kind: 'sync'; client: number }
  | { kind: 'replay'; client: number; pick: number }
) & {
  /** After a write: the device runs a sync round right away. */
  thenSync?: boolean;
};

/** The variants of an op kind not skipped with DRIFT_SKIP=kind:variant. */
function variants<T extends string>(kind: Op['kind'], all: readonly T[]): fc.Arbitrary<T> {
  const kept = all.filter((v) => !SKIP.has(`${kind}:${v}`));
  if (kept.length === 0) throw new Error(`DRIFT_SKIP leaves no variant of ${kind}`);
  return fc.constantFrom(...kept);
}

const client = fc.integer({ min: 0, max: USERS.length - 1 });
/** The clients that dispatch and transfer problems: the leader and the center. */
const DISPATCHERS = [USERS.indexOf('wgz01'), USERS.indexOf('zhzx')];
const pick = fc.nat(50);

const OP_ARBITRARIES: Record<Op['kind'], fc.Arbitrary<Op>> = {
  'edit-household': fc.record({
    kind: fc.constant('edit-household' as const),
    client,
    pick,
    notes: fc.string({ maxLength: 8 }),
  }),
  'edit-person': fc.record({
    kind: fc.constant('edit-person' as const),
    client,
    pick,
    edit: variants<PersonEdit>('edit-person', [
      'phone',
      'notes',
      'idNumber',
      'clear-idNumber',
      'sensitive-tag',
      'plain-tag',
    ]),
  }),
  visit: fc.record({ kind: fc.constant('visit' as const), client, pick }),
  'report-problem': fc.record({ kind: fc.constant('report-problem' as const), client, pick }),
  'act-on-problem': fc.record({
    kind: fc.constant('act-on-problem' as const),
    client,
    pick,
    action: fc.nat(ACTIONS.length - 1),
    to: fc.nat(3),
  }),
  'hand-on': fc.record({
    kind: fc.constant('hand-on' as const),
    client: fc.constantFrom(...DISPATCHERS),
    pick,
    to: fc.nat(3),
  }),
  'checklist-run': fc.record({ kind: fc.constant('checklist-run' as const), client, pick }),
  'hazard-race': fc.record({
    kind: fc.constant('hazard-race' as const),
    client,
    pick,
    during: variants('hazard-race', ['pull', 'sync'] as const),
    delay: fc.nat(6),
  }),
  'report-hazard': fc.record({ kind: fc.constant('report-hazard' as const), client, pick }),
  'save-template': fc.record({
    kind: fc.constant('save-template' as const),
    client,
    pick,
    variant: variants<TemplateVariant>('save-template', ['own', 'edit-existing', 'built-in-id', 'town-wide']),
  }),
  'change-grids': fc.record({
    kind: fc.constant('change-grids' as const),
    user: fc.constantFrom(...SCOPED_USERS),
    grids: fc.subarray([...GRID_CODES], { minLength: 1 }),
  }),
  'toggle-offline': fc.record({ kind: fc.constant('toggle-offline' as const), client }),
  sync: fc.record({ kind: fc.constant('sync' as const), client }),
  replay: fc.record({ kind: fc.constant('replay' as const), client, pick: fc.nat() }),
};

/** Ops that write through a device command: each may be followed by a sync round (the app syncs after a write when online). */
const WRITE_OPS: ReadonlySet<Op['kind']> = new Set<Op['kind']>([
  'edit-household',
  'edit-person',
  'visit',
  'report-problem',
  'act-on-problem',
  'hand-on',
  'checklist-run',
  'report-hazard',
  'save-template',
]);

/** Transport ops every failure needs (without syncs nothing reaches anyone). */
const TRANSPORT_OPS: ReadonlySet<Op['kind']> = new Set(['toggle-offline', 'sync', 'replay']);

function enabledOps(): Op['kind'][] {
  return (Object.keys(OP_ARBITRARIES) as Op['kind'][]).filter(
    (kind) => !SKIP.has(kind) && (ONLY.size === 0 || ONLY.has(kind) || TRANSPORT_OPS.has(kind)),
  );
}

/** Syncs weigh more (most races need a round in the middle), and so do problem steps (a chain of them). */
const WEIGHTS: Partial<Record<Op['kind'], number>> = { sync: 4, 'act-on-problem': 3, 'report-problem': 2 };
const withSyncAfter = (arbitrary: fc.Arbitrary<Op>): fc.Arbitrary<Op> =>
  fc.tuple(arbitrary, fc.boolean()).map(([op, thenSync]) => (thenSync ? { ...op, thenSync } : op));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  ...enabledOps().map((kind) => ({
    arbitrary: WRITE_OPS.has(kind) ? withSyncAfter(OP_ARBITRARIES[kind]) : OP_ARBITRARIES[kind],
    weight: WEIGHTS[kind] ?? 1,
  })),
);

/** The n-th row (by id) of a device table, or undefined when the device has none. */
async function nth<T>(rows: Promise<T[]>, n: number): Promise<T | undefined> {
  const all = await rows;
  return all.length === 0 ? undefined : all[n % all.length];
}

const liveHouseholds = (db: AppDB) =>
  db.households
    .orderBy('id')
    .filter((h) => !h.isDeleted)
    .toArray();
const livePeople = (db: AppDB) =>
  db.people
    .orderBy('id')
    .filter((p) => !p.isDeleted)
    .toArray();
const problemsOf = (db: AppDB) => db.problems.orderBy('id').toArray();
const buildingsOf = (db: AppDB) => db.buildings.orderBy('id').toArray();
const openHazards = (db: AppDB) =>
  db.hazards
    .orderBy('id')
    .filter((h) => h.problemId === undefined)
    .toArray();

function assignees(world: World): Assignee[] {
  return [
    { kind: 'department', id: 'dept-police', name: '派出所' },
    { kind: 'department', id: 'dept-market', name: '市场监管所' },
    { kind: 'worker', id: world.userIds.get('wgy01')!, name: '王丽' },
    { kind: 'worker', id: world.userIds.get('wgy02')!, name: '陈军' },
  ];
}

/** What each action needs; `to` picks the assignee of a dispatch or transfer. */
function payloadFor(world: World, action: Exclude<ProblemAction, 'report'>, to: number): TransitionPayload {
  switch (action) {
    case 'dispatch':
    case 'transfer':
      return { assignee: assignees(world)[to % 4]!, note: '请处理' };
    case 'resolve':
      return { note: '已处理', photoIds: [PHOTO] };
    case 'feedback':
      return { reporterAnswer: '满意', isSatisfied: true };
    case 'evaluate':
      return { score: 4 };
    case 'accept':
      return {};
    default:
      return { note: '说明' };
  }
}

/** Yields to the event loop n times (lets a sync in flight reach a chosen point). */
async function yieldTurns(n: number) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

function templateFor(variant: TemplateVariant, gridId: string | undefined, n: number): ChecklistTemplate {
  const base = BUILT_IN_TEMPLATES.find((t) => t.id === ENTERPRISE_SAFETY_TEMPLATE_ID)!;
  return {
    ...base,
    id: variant === 'built-in-id' ? DAILY_ROUND_TEMPLATE_ID : newId(),
    name: `本网格检查${n}`,
    isBuiltIn: false,
    ...(variant === 'town-wide' || gridId === undefined ? {} : { gridId }),
  };
}

async function runOp(world: World, op: Op): Promise<void> {
  tick(world);
  await applyOp(world, op);
  if (op.thenSync && 'client' in op) await SYNC.round(world.clients[op.client]!);
}

async function applyOp(world: World, op: Op): Promise<void> {
  if (op.kind === 'change-grids') return changeGrids(world.harness, op.user, op.grids);
  const c = world.clients[op.client]!;
  const db = c.device.db;
  switch (op.kind) {
    case 'toggle-offline':
      c.isOffline = !c.isOffline;
      return;
    case 'sync':
      return SYNC.round(c);
    case 'replay': {
      if (c.sent.length === 0 || c.isOffline) return;
      // An old push delivered again, after newer ones: the server must skip what it applied.
      const old = c.sent[op.pick % c.sent.length]!;
      await world.harness.app.request(old.input, old.init);
      return;
    }
    case 'edit-household': {
      const household = await nth(liveHouseholds(db), op.pick);
      if (household) await ignoringRefusal(DEVICE.editHousehold(c, household.id, op.notes));
      return;
    }
    case 'edit-person': {
      const person = await nth(livePeople(db), op.pick);
      if (person) await ignoringRefusal(DEVICE.editPerson(c, person.id, op.edit, op.pick));
      return;
    }
    case 'visit': {
      const household = await nth(liveHouseholds(db), op.pick);
      if (household) await ignoringRefusal(DEVICE.recordVisit(c, household.id));
      return;
    }
    case 'report-problem': {
      const household = await nth(liveHouseholds(db), op.pick);
      if (household) await ignoringRefusal(DEVICE.reportProblem(c, household));
      return;
    }
    case 'act-on-problem': {
      const problem = await nth(problemsOf(db), op.pick);
      if (!problem) return;
      // What the problem screen offers for the record on this device, stale or not.
      const offered = availableActions(problem, c.device.actor);
      const action = offered.length > 0 ? offered[op.action % offered.length]! : ACTIONS[op.action]!;
      await ignoringRefusal(DEVICE.actOnProblem(c, problem.id, action, payloadFor(world, action, op.to)));
      return;
    }
    case 'hand-on': {
      const problem = await nth(problemsOf(db), op.pick);
      if (!problem) return;
      const action = problem.status === 'reported' ? 'dispatch' : 'transfer';
      await ignoringRefusal(DEVICE.actOnProblem(c, problem.id, action, payloadFor(world, action, op.to)));
      return;
    }
    case 'checklist-run': {
      const building = await nth(buildingsOf(db), op.pick);
      if (building) await ignoringRefusal(DEVICE.recordChecklistRun(c, building, op.pick % 2 === 0));
      return;
    }
    case 'hazard-race': {
      const building = await nth(buildingsOf(db), op.pick);
      if (!building) return;
      let hazards: Awaited<ReturnType<typeof DEVICE.recordChecklistRun>> = [];
      await ignoringRefusal(
        DEVICE.recordChecklistRun(c, building, true).then((h) => {
          hazards = h;
        }),
      );
      const hazard = hazards[0];
      if (!hazard) return;
      // 'pull': the run is on the server already and its hazard comes down while the device converts it.
      if (op.during === 'pull') await SYNC.push(c);
      // Neither awaited before the other starts.
      await Promise.all([
        op.during === 'pull' ? SYNC.pull(c) : SYNC.round(c),
        yieldTurns(op.delay).then(() => ignoringRefusal(DEVICE.reportHazardAsProblem(c, hazard.id))),
      ]);
      return;
    }
    case 'report-hazard': {
      const hazard = await nth(openHazards(db), op.pick);
      if (hazard) await ignoringRefusal(DEVICE.reportHazardAsProblem(c, hazard.id));
      return;
    }
    case 'save-template': {
      if (op.variant === 'edit-existing') {
        const existing = await nth(db.checklistTemplates.orderBy('id').toArray(), op.pick);
        if (existing) await ignoringRefusal(DEVICE.saveTemplate(c, { ...existing, name: `改名${op.pick}` }));
        return;
      }
      const building = await nth(buildingsOf(db), op.pick);
      await ignoringRefusal(DEVICE.saveTemplate(c, templateFor(op.variant, building?.gridId, op.pick)));
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// 5. CHECK
// ---------------------------------------------------------------------------------------------------

/** JSON as stored and sent: keys sorted, undefined dropped, so equal records compare equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** kind/id -> record. */
type View = Map<string, unknown>;

/** What the device holds in every synced table (search keys are an index, not the record). */
async function deviceView(db: AppDB): Promise<View> {
  const view: View = new Map();
  for (const kind of RECORD_KINDS) {
    const rows = await (db[kind] as unknown as { toArray(): Promise<Record<string, unknown>[]> }).toArray();
    for (const row of rows) {
      const { searchKeys: _searchKeys, ...record } = row;
      view.set(`${kind}/${String(record.id)}`, canonical(record));
    }
  }
  return view;
}

/**
 * What a device of this user would hold after a first pull: a fresh pull from cursor 0 with a new
 * token, applied the way apply-changes.ts does (a tombstone without data removes the row; data is
 * kept as the shared schema parses it; a record that does not parse would be skipped).
 */
async function serverView(harness: Harness, username: string): Promise<View> {
  const token = await harness.login(username);
  const view: View = new Map();
  for (const change of await harness.pullAll(token)) {
    const key = `${change.kind}/${change.id}`;
    if (change.isDeleted && change.data === undefined) {
      view.delete(key);
      continue;
    }
    const parsed = recordSchemas[change.kind as RecordKind].safeParse(change.data);
    view.set(key, canonical(parsed.success ? parsed.data : { unparsable: change.data }));
  }
  return view;
}

const SHOWN = 12;

/** One line per record for the diff: a short form of a record only one side has. */
function brief(record: unknown): string {
  const r = record as Record<string, unknown>;
  const label = ['code', 'address', 'name', 'description', 'templateId', 'householdId', 'runId']
    .filter((k) => r[k] !== undefined)
    .slice(0, 2)
    .map((k) => `${k}=${String(r[k])}`);
  return `present (${label.join(', ')}${r.status !== undefined ? `, status=${String(r.status)}` : ''})`;
}

/** Only the fields that differ, on one side; a field the record lacks shows as (none). */
function fieldsOf(record: Record<string, unknown>, fields: string[]): string {
  return JSON.stringify(Object.fromEntries(fields.map((f) => [f, record[f] ?? '(none)'])));
}

/**
 * The records that differ between the two views, keyed by kind/id (sorted), one string per record
 * and side: "(absent)", a short form of a record only one side has, or the differing fields. Equal
 * views give two equal, empty sides.
 */
function differences(device: View, server: View) {
  const keys = [...new Set([...device.keys(), ...server.keys()])].sort();
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const differing = keys.filter((key) => !same(device.get(key), server.get(key)));
  const onlyOnDevice = differing.filter((key) => !server.has(key));
  const onlyOnServer = differing.filter((key) => !device.has(key));
  const changed = differing.filter((key) => device.has(key) && server.has(key));
  const kindsOf = (list: string[]) => [...new Set(list.map((key) => key.split('/')[0]))].join(' ');
  const summary =
    differing.length === 0
      ? 'none'
      : [
          onlyOnDevice.length ? `${onlyOnDevice.length} only on device (${kindsOf(onlyOnDevice)})` : '',
          onlyOnServer.length ? `${onlyOnServer.length} missing on device (${kindsOf(onlyOnServer)})` : '',
          changed.length ? `${changed.length} differ (${kindsOf(changed)})` : '',
        ]
          .filter(Boolean)
          .join('; ');
  const side = (view: View, other: View) =>
    Object.fromEntries(
      differing.slice(0, SHOWN).map((key) => {
        const record = view.get(key) as Record<string, unknown> | undefined;
        const theirs = other.get(key) as Record<string, unknown> | undefined;
        if (record === undefined) return [key, '(absent)'];
        if (theirs === undefined) return [key, brief(record)];
        const fields = [...new Set([...Object.keys(record), ...Object.keys(theirs)])].filter(
          (f) => !same(record[f], theirs[f]),
        );
        return [key, fieldsOf(record, fields)];
      }),
    );
  return {
    device: { drift: summary, records: side(device, server) },
    server: { drift: 'none', records: side(server, device) },
  };
}

async function expectNoDrift(world: World) {
  const onDevices: unknown[] = [];
  const onServer: unknown[] = [];
  for (const c of world.clients) {
    const who = `#${c.index} ${c.username}`;
    const diff = differences(await deviceView(c.device.db), await serverView(world.harness, c.username));
    const outbox = await c.device.db.outbox.count();
    // For a device that drifted, the writes the server refused (shown as extra lines in the diff).
    const refused =
      diff.device.drift === 'none'
        ? {}
        : {
            refusedByServer: (await c.device.db.rejections.toArray()).map(
              (r) => `${r.mutationId} ${r.name}: ${r.reason} ${r.message}`,
            ),
          };
    onDevices.push({ who, outbox, ...diff.device, ...refused });
    onServer.push({ who, outbox: 0, ...diff.server });
  }
  // One assertion for every device: the diff names each device, each record and each field that drifted.
  expect(onDevices).toEqual(onServer);
}

/** Everyone online, every device synced until settled, twice (the second pass sees the others' last pushes). */
async function settle(world: World) {
  for (const c of world.clients) c.isOffline = false;
  for (let pass = 0; pass < 2; pass++) for (const c of world.clients) await c.device.syncUntilSettled();
}

describe('drift (property test: roles, refused writes, races, scope changes, replays)', () => {
  it(
    'every device ends with exactly its user’s server view, record by record',
    async () => {
      const property = fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (ops, deviceSeed) => {
          const world = await openWorld(deviceSeed);
          try {
            for (const op of ops) await runOp(world, op);
            await settle(world);
            await expectNoDrift(world);
          } finally {
            await closeWorld(world);
          }
        },
      );
      await fc.assert(property, {
        numRuns: NUM_RUNS,
        seed: SEED,
        ...(PATH ? { path: PATH } : {}),
        // Shrinking stops here and reports the smallest failure found so far.
        plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT)],
      });
    },
    TIME_LIMIT + 60_000,
  );
});
