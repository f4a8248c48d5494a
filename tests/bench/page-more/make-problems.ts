/**
 * A town's worth of problems for one day's export: reported by grid workers across 76 grids, many
 * dispatched by the command center to departments and worked on, each step made with the app's own
 * state machine (applyProblemAction) and the result checked with problemSchema. Seeded.
 */
import { DEPARTMENTS } from '../../../src/shared/domain/departments.ts';
import { deterministicId } from '../../../src/shared/domain/ids.ts';
import {
  applyProblemAction,
  createProblemReport,
  type TransitionAction,
  type TransitionPayload,
} from '../../../src/shared/domain/problem-workflow.ts';
import {
  problemSchema,
  type Actor,
  type Problem,
  type ProblemCategory,
  type Severity,
} from '../../../src/shared/schemas/problem.ts';
import { shanghaiDayStart } from '../../../src/shared/time.ts';
import { seededRandom } from './make-visits.ts';

const GRID_COUNT = 76;
const COMMUNITIES = [
  '幸福社区',
  '和平社区',
  '光明社区',
  '新华社区',
  '建设社区',
  '振兴社区',
  '河口村',
  '柳树村',
];
const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'];
const GIVEN = [...'丽军娟伟敏静强磊芳勇艳杰涛明华'];
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
const NOTES = {
  'close-on-spot': ['已现场协调清理完毕', '已联系物业当场处理', '已当面劝导，当事人表示配合'],
  dispatch: ['请相关部门尽快处置', '涉及多户居民，请部门联办'],
  progress: ['已到现场查看，正在协调施工队', '已联系当事人，约定明日上门', '材料已收齐，等待审批'],
  resolve: ['已处置完毕，现场已恢复', '已更换设施并验收', '双方已达成调解协议'],
  feedback: ['群众表示满意', '居民认可处理结果'],
} as const;

export interface ProblemSet {
  problems: Problem[];
  gridNames: Map<string, string>;
  events: number;
}

export function makeProblems(count: number, day: string, seed: number): ProblemSet {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const idBytes = new Uint8Array(16);
  const newRecordId = (at: number) => {
    for (let i = 0; i < 16; i++) idBytes[i] = Math.floor(random() * 256);
    return deterministicId(at, idBytes);
  };
  const photoId = () => Array.from({ length: 64 }, () => '0123456789abcdef'[int(0, 15)]).join('');

  const dayStart = shanghaiDayStart(day);
  const grids = Array.from({ length: GRID_COUNT }, (_, i) => ({
    id: newRecordId(dayStart - 86_400_000),
    name: `${COMMUNITIES[i % COMMUNITIES.length]}第${Math.floor(i / COMMUNITIES.length) + 1}网格`,
    worker: {
      role: 'worker',
      userId: `worker-${i + 1}`,
      name: pick(SURNAMES) + pick(GIVEN),
    } satisfies Actor,
  }));
  const center: Actor = { role: 'center', userId: 'center-1', name: '指挥中心值班' };

  const problems: Problem[] = [];
  let events = 0;
  for (let n = 0; n < count; n++) {
    const grid = pick(grids);
    const category = pick(CATEGORIES);
    const severity: Severity = pick([
      'red',
      'orange',
      'orange',
      'yellow',
      'yellow',
      'yellow',
      'blue',
      'blue',
    ]);
    const place = `${pick(ESTATES)}${int(1, 30)}栋${int(1, 4)}单元`;
    // Reported between 07:00 and 15:00 town time; later steps follow within the day.
    let at = dayStart + int(7 * 60, 15 * 60) * 60_000;
    let problem = createProblemReport(
      {
        id: newRecordId(at),
        gridId: grid.id,
        category,
        severity,
        description: pick(DESCRIPTIONS[category]).replace('{p}', place),
        place: { text: place },
        photoIds: Array.from({ length: int(0, 3) }, photoId),
        source: random() < 0.8 ? 'snap' : 'resident',
        links: {},
      },
      grid.worker,
      at,
    );
    const department = pick(DEPARTMENTS);
    const departmentActor: Actor = {
      role: 'department',
      userId: `staff-${department.id}`,
      name: `${department.name}值班`,
      departmentId: department.id,
    };
    const step = (action: TransitionAction, actor: Actor, payload: TransitionPayload) => {
      at += int(5, 60) * 60_000;
      const result = applyProblemAction(problem, action, actor, payload, at);
      if (!result.ok) throw new Error(`${action}: ${result.message}`);
      problem = result.problem;
    };
    const flow = random();
    if (flow < 0.2) {
      step('close-on-spot', grid.worker, { note: pick(NOTES['close-on-spot']), photoIds: [photoId()] });
    } else if (flow >= 0.45) {
      step('dispatch', center, {
        note: pick(NOTES.dispatch),
        assignee: { kind: 'department', id: department.id, name: department.name },
      });
      step('accept', departmentActor, {});
      if (flow >= 0.7) step('progress', departmentActor, { note: pick(NOTES.progress) });
      if (flow >= 0.85) {
        step('resolve', departmentActor, { note: pick(NOTES.resolve), photoIds: [photoId(), photoId()] });
        step('feedback', grid.worker, { reporterAnswer: pick(NOTES.feedback), isSatisfied: random() < 0.9 });
      }
    }
    problems.push(problemSchema.parse(problem));
    events += problem.history.length;
  }
  return { problems, gridNames: new Map(grids.map((g) => [g.id, g.name])), events };
}
