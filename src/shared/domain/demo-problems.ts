/**
 * Demo problems (随手拍 reports and their closed loop) for a town: reported by grid workers over the
 * last days, some closed on the spot, some waiting in the leader's inbox, many dispatched to
 * departments and worked on, a few resolved, fed back and evaluated. Every step is made with the
 * app's own state machine (applyProblemAction), so each problem is one the app could have made.
 * Seeded: the same options give the same problems. Used by the demo server and the export benchmark.
 */
import {
  problemSchema,
  type Actor,
  type Problem,
  type ProblemCategory,
  type Severity,
} from '../schemas/problem.ts';
import type { Department } from '../schemas/department.ts';
import { addCalendarDays, shanghaiDayStart } from '../time.ts';
import { deterministicId } from './ids.ts';
import { seededRandom } from './seeded-random.ts';
import {
  applyProblemAction,
  createProblemReport,
  type TransitionAction,
  type TransitionPayload,
} from './problem-workflow.ts';

const ESTATES = ['幸福家园', '和平花园', '光明小区', '新华新村', '建设名苑', '振兴雅居'];

/** `{p}` is the place. Lengths like what workers type on a phone: one or two sentences. */
const DESCRIPTIONS: Record<ProblemCategory, readonly string[]> = {
  infrastructure: [
    '{p}路灯不亮已有三天，夜间行人看不清路面',
    '{p}下水道井盖松动，车辆经过有异响，存在安全隐患',
    '{p}电梯运行时有异响，居民担心安全',
  ],
  environment: [
    '{p}楼道内堆放纸箱和旧家具，影响通行',
    '{p}垃圾桶满溢未及时清运，气味较大，居民多次反映',
    '{p}绿化带内有建筑垃圾倾倒',
  ],
  'safety-hazard': [
    '{p}有居民将电动车推入楼道充电，存在火灾隐患',
    '{p}消防通道被私家车占用，消防车无法通行',
    '{p}燃气管道外壁锈蚀，需燃气公司上门检查',
  ],
  dispute: ['{p}楼上楼下因卫生间漏水产生纠纷，双方情绪激动，需要调解', '{p}邻里因公共车位使用发生争执'],
  welfare: ['{p}独居老人反映低保年审材料不会填写，需要帮办', '{p}残疾人家庭申请临时救助，需核实情况'],
  'public-order': ['{p}附近夜间有人聚集喧哗，影响居民休息', '{p}发现可疑人员多次挨户推销保健品'],
  suggestion: ['居民建议在{p}增设休息座椅和扶手', '居民希望{p}增加快递柜'],
  other: ['{p}有流浪犬出没，居民担心伤人', '{p}广告牌松动，大风天气有坠落风险'],
};
const CATEGORIES = Object.keys(DESCRIPTIONS) as ProblemCategory[];
/** More yellow and blue than red: most of what a worker finds is routine. */
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
const NOTES = {
  'close-on-spot': ['已现场协调清理完毕', '已联系物业当场处理', '已当面劝导，当事人表示配合'],
  dispatch: ['请相关部门尽快处置', '涉及多户居民，请部门联办'],
  progress: ['已到现场查看，正在协调施工队', '已联系当事人，约定明日上门', '材料已收齐，等待审批'],
  resolve: ['已处置完毕，现场已恢复', '已更换设施并验收', '双方已达成调解协议'],
  feedback: ['群众表示满意', '居民认可处理结果'],
  evaluate: ['处置及时，群众满意', '按时办结'],
} as const;

export interface DemoProblemGrid {
  id: string;
  /** Where in the grid a problem can be (a building's unit, a village house); made up when absent. */
  places?: readonly string[];
  /** The grid's worker, who reports, closes on the spot and gives feedback. */
  worker: Actor;
}

export interface DemoProblemOptions {
  grids: readonly DemoProblemGrid[];
  count: number;
  /** Who dispatches and evaluates: the command center (or a grid leader). */
  dispatcher: Actor;
  /** The town's departments the problems are dispatched to; with none, nothing is dispatched. */
  departments: readonly Pick<Department, 'id' | 'name'>[];
  /** Department staff by department id; a department without one gets an on-duty placeholder. */
  departmentStaff?: ReadonlyMap<string, Actor>;
  /** Asia/Shanghai day of the latest reports, YYYY-MM-DD. */
  lastDay: string;
  /** Reports are spread over this many days ending with `lastDay`. */
  days: number;
  /** No step is dated after this instant (the demo server's "now"). */
  notAfter?: number;
  /** Photos to attach (sha-256 ids): given, or random ids when omitted. */
  photoIds?: readonly string[];
  seed: number;
}

export interface DemoProblems {
  problems: Problem[];
  /** History events over all problems. */
  events: number;
}

export function generateDemoProblems(options: DemoProblemOptions): DemoProblems {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const idBytes = new Uint8Array(16);
  const newRecordId = (at: number) => {
    for (let i = 0; i < 16; i++) idBytes[i] = Math.floor(random() * 256);
    return deterministicId(at, idBytes);
  };
  const photoId = () =>
    options.photoIds
      ? pick(options.photoIds)
      : Array.from({ length: 64 }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const notAfter = options.notAfter ?? Infinity;
  const staffOf = (departmentId: string, name: string): Actor =>
    options.departmentStaff?.get(departmentId) ?? {
      role: 'department',
      userId: `staff-${departmentId}`,
      name: `${name}值班`,
      departmentId,
    };

  const problems: Problem[] = [];
  let events = 0;
  /** One resident report of the town is marked as abuse, so that status has something to show. */
  let abuseMarked = false;
  for (let n = 0; n < options.count; n++) {
    const grid = pick(options.grids);
    const category = pick(CATEGORIES);
    const place = grid.places?.length ? pick(grid.places) : `${pick(ESTATES)}${int(1, 30)}栋${int(1, 4)}单元`;
    const day = addCalendarDays(options.lastDay, -int(0, Math.max(0, options.days - 1)));
    // Reported between 07:00 and 15:00 town time; later steps follow within minutes to hours.
    let at = Math.min(shanghaiDayStart(day) + int(7 * 60, 15 * 60) * 60_000, notAfter);
    let problem = createProblemReport(
      {
        id: newRecordId(at),
        gridId: grid.id,
        category,
        severity: pick(SEVERITY_MIX),
        description: pick(DESCRIPTIONS[category]).replace('{p}', place),
        place: { text: place },
        photoIds: Array.from({ length: int(0, 2) }, photoId),
        source: random() < 0.8 ? 'snap' : 'resident',
        links: {},
      },
      grid.worker,
      at,
    );
    const department = options.departments.length > 0 ? pick(options.departments) : undefined;
    const staff = department && staffOf(department.id, department.name);
    /** One step of the loop, unless it would lie in the future: then the problem stays where it is. */
    const step = (action: TransitionAction, actor: Actor, payload: TransitionPayload): boolean => {
      const next = at + int(5, 90) * 60_000;
      if (next > notAfter) return false;
      const result = applyProblemAction(problem, action, actor, payload, next);
      if (!result.ok) throw new Error(`demo problem ${action}: ${result.message}`);
      at = next;
      problem = result.problem;
      return true;
    };
    const flow = random();
    if (flow >= 0.2 && flow < 0.45 && problem.source === 'resident' && !abuseMarked) {
      // Dated without a draw from the seeded stream, so every other problem stays as it was.
      const marked = applyProblemAction(
        problem,
        'mark-abuse',
        options.dispatcher,
        { note: '内容与本网格无关，系广告信息' },
        at + 30 * 60_000,
      );
      if (marked.ok && at + 30 * 60_000 <= notAfter) {
        problem = marked.problem;
        abuseMarked = true;
      }
    } else if (flow < 0.2) {
      step('close-on-spot', grid.worker, { note: pick(NOTES['close-on-spot']), photoIds: [photoId()] });
    } else if (flow >= 0.45 && department && staff) {
      // 0.2-0.45 stay reported: the leader's and the command center's inbox.
      const dispatched = step('dispatch', options.dispatcher, {
        note: pick(NOTES.dispatch),
        assignee: { kind: 'department', id: department.id, name: department.name },
      });
      if (dispatched && flow >= 0.55 && step('accept', staff, {})) {
        if (flow >= 0.7) step('progress', staff, { note: pick(NOTES.progress) });
        // 0.85-0.9 wait for the reporter's feedback, 0.9-0.96 for the evaluation.
        const resolved =
          flow >= 0.85 && step('resolve', staff, { note: pick(NOTES.resolve), photoIds: [photoId()] });
        const fedBack =
          resolved &&
          flow >= 0.9 &&
          step('feedback', grid.worker, {
            reporterAnswer: pick(NOTES.feedback),
            isSatisfied: random() < 0.9,
          });
        if (fedBack && flow >= 0.96)
          step('evaluate', options.dispatcher, { score: int(3, 5), note: pick(NOTES.evaluate) });
      }
    }
    problems.push(problemSchema.parse(problem));
    events += problem.history.length;
  }
  return { problems, events };
}
