/**
 * A town's worth of problems for one day's export: the demo generator (the app's own state machine,
 * every problem checked with problemSchema) over 76 grids, all reported on the export day.
 */
import { generateDemoProblems } from '../../../src/shared/domain/demo-problems.ts';
import { DEFAULT_DEPARTMENTS } from '../../../src/shared/domain/departments.ts';
import { deterministicId } from '../../../src/shared/domain/ids.ts';
import { seededRandom } from '../../../src/shared/domain/seeded-random.ts';
import type { Actor, Problem } from '../../../src/shared/schemas/problem.ts';
import { shanghaiDayStart } from '../../../src/shared/time.ts';

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

export interface ProblemSet {
  problems: Problem[];
  gridNames: Map<string, string>;
  events: number;
}

export function makeProblems(count: number, day: string, seed: number): ProblemSet {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const dayBefore = shanghaiDayStart(day) - 86_400_000;
  const grids = Array.from({ length: GRID_COUNT }, (_, i) => ({
    id: deterministicId(
      dayBefore,
      Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256)),
    ),
    name: `${COMMUNITIES[i % COMMUNITIES.length]}第${Math.floor(i / COMMUNITIES.length) + 1}网格`,
    worker: { role: 'worker', userId: `worker-${i + 1}`, name: pick(SURNAMES) + pick(GIVEN) } satisfies Actor,
  }));
  const { problems, events } = generateDemoProblems({
    grids,
    count,
    dispatcher: { role: 'center', userId: 'center-1', name: '指挥中心值班' },
    departments: DEFAULT_DEPARTMENTS,
    lastDay: day,
    days: 1,
    seed,
  });
  return { problems, gridNames: new Map(grids.map((g) => [g.id, g.name])), events };
}
