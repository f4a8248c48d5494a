/**
 * The demo town's two open tasks (上级任务), made by the same planner a real one goes through: a
 * gas-safety inspection the center pushed over the buildings of two grids, a third of the first
 * grid's already checked, and the leader's visit of the households of the grids he leads where a
 * key person or an old person living alone lives.
 * The server's seed and the phone's offline demo both call this, with the clock passed in.
 */
import type { CareTag, Grid, Task, TaskItem } from '../schemas/index.ts';
import { addCalendarDays, shanghaiDay } from '../time.ts';
import {
  planMutation,
  readsFromLoaded,
  readsOf,
  type PlanActor,
  type RecordWrite,
} from './apply-mutation.ts';
import type { DemoTown } from './demo-town.ts';
import { deterministicId } from './ids.ts';
import type { MutationArgs, MutationName } from '../mutations.ts';
import type { RecordKind } from '../records.ts';
import { refKey } from './mutation-reads.ts';
import { taskItemId } from './task-ids.ts';

const HOUR_MS = 3_600_000;
/** Whom the leader's visit is for: people under watch, and the old who live alone. */
const KEY_TAGS: readonly CareTag[] = ['key-person', 'elderly-alone'];

/** The grids of the demo's inspection (the demo workers' own), and those its leader leads. */
export const DEMO_TASK_GRID_CODES = {
  inspection: ['XF-01', 'XF-02'],
  leader: ['XF-01', 'XF-02', 'XF-03', 'XF-04', 'XF-05', 'XF-06', 'XF-07'],
} as const;

export interface DemoTaskInput {
  town: Pick<DemoTown, 'grids' | 'buildings' | 'households' | 'people'>;
  now: number;
  center: PlanActor;
  leader: PlanActor;
  /** The grids the leader leads (their key-person households are visited). */
  leaderGridIds: readonly string[];
  /** Who checked the first grid's buildings already (its worker, or a stand-in). */
  inspector: PlanActor;
}

export interface DemoTasks {
  tasks: Task[];
  taskItems: TaskItem[];
}

/** Plans one mutation over the town (and what the tasks so far wrote); a refusal is a bug here. */
function planner(town: DemoTaskInput['town']) {
  const held = new Map<string, unknown>();
  for (const [kind, records] of [
    ['grids', town.grids],
    ['buildings', town.buildings],
    ['households', town.households],
  ] as const)
    for (const record of records) held.set(refKey(kind, record.id), record);
  return <N extends MutationName>(name: N, args: MutationArgs<N>, actor: PlanActor, at: number) => {
    const loaded = new Map<string, unknown>();
    for (const ref of readsOf(name, args))
      loaded.set(refKey(ref.kind, ref.id), held.get(refKey(ref.kind, ref.id)));
    const plan = planMutation(name, args, readsFromLoaded(loaded), actor, at);
    if (!plan.ok) throw new Error(`demo ${name}: ${plan.message}`);
    for (const write of plan.writes) held.set(refKey(write.kind, write.record.id), write.record);
    return plan.writes;
  };
}

const idAt = (at: number, n: number) => deterministicId(at, new Uint8Array(16).fill(n));

export function generateDemoTasks(input: DemoTaskInput): DemoTasks {
  const { town, now } = input;
  const plan = planner(town);
  const today = shanghaiDay(now);
  const byCode = new Map<string, Grid>(town.grids.map((g) => [g.code, g]));
  const written = new Map<string, RecordWrite>();
  const keep = (writes: RecordWrite[]) => {
    for (const write of writes) written.set(refKey(write.kind as RecordKind, write.record.id), write);
  };

  const inspectionGrids = DEMO_TASK_GRID_CODES.inspection.flatMap((code) => byCode.get(code)?.id ?? []);
  const buildings = town.buildings.filter((b) => !b.isDeleted && inspectionGrids.includes(b.gridId));
  if (buildings.length > 0) {
    const issuedAt = now - 50 * HOUR_MS;
    const id = idAt(issuedAt, 1);
    const task = {
      id,
      title: '燃气安全专项排查',
      kind: 'special-inspection' as const,
      description: '逐栋检查燃气管道、阀门和报警器，发现隐患拍照上报。',
      dueDate: addCalendarDays(today, 5),
      targetKind: 'building' as const,
      targetSummary: '幸福社区第1、2网格 · 全部楼栋',
    };
    const targets = { kind: 'building' as const, ids: buildings.map((b) => b.id) };
    keep(plan('task.create', { task, targets, at: issuedAt }, input.center, issuedAt));
    // A third of the first grid's buildings (never all) are checked already, twenty minutes apart the next day.
    const checked = buildings.filter((b) => b.gridId === inspectionGrids[0]);
    checked.slice(0, Math.min(checked.length - 1, Math.ceil(checked.length / 3))).forEach((building, i) => {
      const at = issuedAt + 20 * HOUR_MS + i * 20 * 60_000;
      const args = { id: taskItemId(id, building.id), taskId: id, result: 'done' as const, photoIds: [], at };
      keep(plan('taskItem.complete', args, input.inspector, at));
    });
  }

  const leaderGrids = new Set(input.leaderGridIds);
  const keyHouseholds = new Set(
    town.people
      .filter(
        (p) =>
          !p.isDeleted &&
          p.status === 'resident' &&
          KEY_TAGS.some((tag) => p.tags.includes(tag)) &&
          leaderGrids.has(p.gridId),
      )
      .map((p) => p.householdId),
  );
  if (keyHouseholds.size > 0) {
    const issuedAt = now - 26 * HOUR_MS;
    const task = {
      id: idAt(issuedAt, 2),
      title: '重点人员走访',
      kind: 'key-person-visit' as const,
      description: '本月内上门走访一次，了解近况并做好记录。',
      dueDate: addCalendarDays(today, 12),
      targetKind: 'household' as const,
      targetSummary: '幸福社区 · 重点人员、独居老人',
      // Chosen by 重点人员, a sensitive tag: its items are for the grid's worker and leader only.
      isSensitive: true,
    };
    const ids = town.households.filter((h) => keyHouseholds.has(h.id)).map((h) => h.id);
    keep(
      plan(
        'task.create',
        { task, targets: { kind: 'household', ids }, at: issuedAt },
        input.leader,
        issuedAt,
      ),
    );
  }

  const records = [...written.values()];
  return {
    tasks: records.flatMap((w) => (w.kind === 'tasks' ? [w.record] : [])),
    taskItems: records.flatMap((w) => (w.kind === 'taskItems' ? [w.record] : [])),
  };
}

/**
 * The same tasks for the phone's offline demo, which has no accounts: stand-ins issue them (the
 * leader leading 幸福社区's seven grids) and check the first grid's buildings.
 */
export function generateOfflineDemoTasks(town: DemoTaskInput['town'], now: number): DemoTasks {
  const leaderCodes: ReadonlySet<string> = new Set(DEMO_TASK_GRID_CODES.leader);
  return generateDemoTasks({
    town,
    now,
    center: { role: 'center', userId: 'demo-center', name: '指挥中心值班' },
    leader: { role: 'leader', userId: 'demo-leader', name: '刘建华' },
    leaderGridIds: town.grids.filter((g) => leaderCodes.has(g.code)).map((g) => g.id),
    inspector: { role: 'worker', userId: 'demo-XF-01', name: '王丽' },
  });
}
