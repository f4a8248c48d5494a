/**
 * A year of problems for the dashboard's tests and bench, at a rate given per year (seed 001's
 * district: 60,000). Every step is the app's own (createProblemReport, applyProblemAction); the
 * delays are drawn around each colour's response time and due time, so some answers come late and
 * some problems are resolved after their due time, and the newest are still open.
 */
import { RESPONSE_HOURS } from '../../src/shared/domain/dashboard/index.ts';
import { deterministicId } from '../../src/shared/domain/ids.ts';
import {
  applyProblemAction,
  createProblemReport,
  nextEscalation,
  type TransitionAction,
  type TransitionPayload,
} from '../../src/shared/domain/problem-workflow.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import {
  PROBLEM_CATEGORIES,
  problemSchema,
  type Actor,
  type Problem,
  type ProblemCategory,
  type ProblemSource,
  type Severity,
} from '../../src/shared/schemas/problem.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PHOTO = 'd'.repeat(64);
const SEVERITY_MIX: readonly Severity[] = [
  'red',
  'orange',
  'orange',
  'yellow',
  'yellow',
  'yellow',
  'blue',
  'blue',
];
const SOURCE_MIX: readonly ProblemSource[] = [
  'snap',
  'snap',
  'snap',
  'snap',
  'checklist',
  'visit',
  'visit',
  'resident',
  'wechat',
  'snap',
];
const CATEGORIES = Object.keys(PROBLEM_CATEGORIES) as ProblemCategory[];

export interface ProblemGrid {
  id: string;
  /** The grid's worker; a grid without one has its problems reported by residents. */
  worker?: Actor;
}

export interface YearOfProblemsOptions {
  grids: readonly ProblemGrid[];
  perYear: number;
  now: number;
  center: Actor;
  /** Escalates what residents reported (a worker escalates their own). */
  leader: Actor;
  /** Department staff, one per department (the assignee's id is the department's). */
  staff: readonly Actor[];
  seed: number;
}

export function yearOfProblems(options: YearOfProblemsOptions): Problem[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const idBytes = new Uint8Array(16);
  const { now, center } = options;
  const problems: Problem[] = [];
  for (let i = 0; i < options.perYear; i++) {
    const grid = pick(options.grids);
    const severity = pick(SEVERITY_MIX);
    const source = pick(SOURCE_MIX);
    // Spread over the year; the last day a little busier, so "today" has a few.
    const age = random() < 0.01 ? random() * DAY * 0.9 : random() * 365 * DAY;
    let at = Math.floor(now - age);
    const reporter: Actor = source === 'resident' || !grid.worker ? { role: 'resident' } : grid.worker;
    for (let b = 0; b < 16; b++) idBytes[b] = Math.floor(random() * 256);
    const category = pick(CATEGORIES);
    let problem = createProblemReport(
      {
        id: deterministicId(at, idBytes),
        gridId: grid.id,
        category,
        severity,
        description: `${PROBLEM_CATEGORIES[category].zh}：第${i + 1}件，${pick(['楼道', '路口', '小区门口', '河边', '村口'])}`,
        place: { text: `${1 + Math.floor(random() * 30)}栋` },
        photoIds: [],
        source,
        links: {},
      },
      reporter,
      at,
    );
    const responseMs = RESPONSE_HOURS[severity] * HOUR;
    /** About `typical` ms from now on, sometimes much later (a quarter are 1.5-4x it). */
    const delay = (typical: number) =>
      Math.max(
        60_000,
        Math.floor(typical * (random() < 0.75 ? 0.1 + random() * 0.85 : 1.5 + random() * 2.5)),
      );
    const step = (
      action: TransitionAction,
      actor: Actor,
      payload: TransitionPayload,
      after: number,
    ): boolean => {
      const next = at + after;
      if (next > now) return false;
      const result = applyProblemAction(problem, action, actor, payload, next);
      if (!result.ok) throw new Error(`${action}: ${result.message}`);
      problem = result.problem;
      at = next;
      return true;
    };
    const flow = random();
    const worker = grid.worker;
    if (flow < 0.2 && worker) {
      step('close-on-spot', worker, { note: '已现场处理' }, delay(responseMs));
    } else if (flow < 0.27 && (age < 2 * DAY || random() < 0.05)) {
      // Waits in the inbox: the newest are simply not answered yet, a few old ones never were.
    } else if (source === 'resident' && i % 5 === 0) {
      // Every fifth resident report is abuse the leader marks as such: no figure may count it.
      step('mark-abuse', options.leader, { note: '重复的无效反映' }, delay(responseMs));
    } else {
      // Up the ladder once, twice or to the top (三级办理), by whoever may: the worker, else the center's leader.
      const climbs = flow < 0.29 ? 3 : flow < 0.32 ? 2 : flow < 0.35 ? 1 : 0;
      let climbed = true;
      for (let c = 0; c < climbs && climbed && nextEscalation(problem.path, problem.level); c++)
        climbed = step('escalate', worker ?? options.leader, { note: '需上级协调' }, delay(responseMs / 3));
      if (!climbed) {
        problems.push(problemSchema.parse(problem));
        continue;
      }
      const toWorker = worker !== undefined && random() < 0.2;
      const staff = pick(options.staff);
      const assignee = toWorker
        ? { kind: 'worker' as const, id: worker.userId!, name: worker.name ?? '网格员' }
        : { kind: 'department' as const, id: staff.departmentId!, name: `${staff.name}所在部门` };
      const handler = toWorker ? worker : staff;
      const resolveIn = (problem.dueAt - at) * (random() < 0.8 ? 0.2 + random() * 0.75 : 1.05 + random());
      if (
        step('dispatch', center, { assignee, note: '请尽快处置' }, delay(responseMs)) &&
        step('accept', handler, {}, delay(responseMs / 2)) &&
        (random() < 0.5 || step('progress', handler, { note: '正在处理' }, delay(HOUR))) &&
        step(
          'resolve',
          handler,
          { note: '已处置完毕', photoIds: [PHOTO] },
          Math.max(60_000, Math.floor(resolveIn)),
        ) &&
        random() < 0.75 &&
        step(
          'feedback',
          worker ?? center,
          { reporterAnswer: '群众满意', isSatisfied: random() < 0.9 },
          delay(DAY),
        ) &&
        random() < 0.7
      )
        step('evaluate', center, { score: 1 + Math.floor(random() * 5), note: '评价' }, delay(DAY));
    }
    if (random() < 0.002) problem = { ...problem, isDeleted: true };
    problems.push(problemSchema.parse(problem));
  }
  return problems;
}
