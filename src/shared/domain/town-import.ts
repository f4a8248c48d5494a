/**
 * A real town's grid tree (网格划分) and buildings, from the two tables a town office keeps, into
 * records: what a deployment loads once (and again when grids are redrawn) before accounts are opened
 * and the register is imported under them. Pure: the server's loader reads the files and writes the
 * result. Rows are matched to what is already stored (a grid by its code, a building by grid, estate
 * and name), so loading the same files twice changes nothing and a corrected file updates in place.
 * Any problem stops the whole load: a half-drawn grid tree would put households in the wrong place.
 */
import { buildingSchema, type Building } from '../schemas/building.ts';
import { GRID_KIND_LABELS, gridSchema, type Grid, type GridKind } from '../schemas/grid.ts';

export const GRID_TABLE_COLUMNS = ['编码', '名称', '类型', '上级编码'] as const;
export const BUILDING_TABLE_COLUMNS = [
  '网格编码',
  '小区',
  '楼栋',
  '单元数',
  '楼层数',
  '电梯数',
  '消防栓数',
  '燃气管道',
  '供水管道',
] as const;

export interface TownImportProblem {
  table: '网格表' | '楼栋表';
  /** The line number Excel and WPS show (the header is line 1); 0 for the table as a whole. */
  line: number;
  message: string;
}

export interface TownImportInput {
  /** Rows of the grid table, header first (as read from CSV). */
  gridRows?: readonly (readonly string[])[];
  buildingRows?: readonly (readonly string[])[];
  existingGrids: readonly Grid[];
  existingBuildings: readonly Building[];
  now: number;
  newId: () => string;
}

export interface TownImportPlan {
  problems: TownImportProblem[];
  /** New or changed records only: what the loader writes. */
  grids: Grid[];
  buildings: Building[];
  unchanged: number;
}

/** 类型 as people write it: the Chinese label, a short form, or the code. */
const KIND_WORDS = new Map<string, GridKind>([
  ...Object.entries(GRID_KIND_LABELS).flatMap(([kind, { zh, en }]) =>
    [kind, zh, en.toLowerCase(), ...zh.split('/')].map((word) => [word, kind as GridKind] as const),
  ),
  ['街道', 'town'],
  ['网格', 'grid'],
]);

const YES = new Set(['有', '是', 'y', 'yes', '1', 'true']);
const NO = new Set(['无', '没有', '否', 'n', 'no', '0', 'false', '']);

function columnsOf(
  header: readonly string[] | undefined,
  expected: readonly string[],
  table: TownImportProblem['table'],
  problems: TownImportProblem[],
): Map<string, number> | undefined {
  const index = new Map((header ?? []).map((name, i) => [name.trim(), i] as const));
  const missing = expected.filter((name) => !index.has(name));
  if (missing.length === 0) return index;
  problems.push({
    table,
    line: header ? 1 : 0,
    message: `缺少列：${missing.join('、')}（第一行应为：${expected.join(',')}）`,
  });
  return undefined;
}

const sameRecord = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function planTownImport(input: TownImportInput): TownImportPlan {
  const problems: TownImportProblem[] = [];
  const plan: TownImportPlan = { problems, grids: [], buildings: [], unchanged: 0 };

  // ---- Grids: every row resolved to a record first, then parents, then a check for loops.
  const gridByCode = new Map(
    input.existingGrids.filter((g) => !g.isDeleted).map((g) => [g.code.toUpperCase(), g]),
  );
  const drafts = new Map<string, { line: number; name: string; kind: GridKind; parentCode: string }>();
  if (input.gridRows) {
    const [header, ...rows] = input.gridRows;
    const column = columnsOf(header, GRID_TABLE_COLUMNS, '网格表', problems);
    rows.forEach((row, i) => {
      const line = i + 2;
      if (!column || row.every((cell) => cell.trim() === '')) return;
      const cell = (name: (typeof GRID_TABLE_COLUMNS)[number]) => (row[column.get(name)!] ?? '').trim();
      const code = cell('编码').toUpperCase();
      const kindWord = cell('类型');
      const kind = KIND_WORDS.get(kindWord) ?? KIND_WORDS.get(kindWord.toLowerCase());
      if (!code) return problems.push({ table: '网格表', line, message: '编码不能为空' });
      if (drafts.has(code))
        return problems.push({
          table: '网格表',
          line,
          message: `编码 ${code} 重复（第 ${drafts.get(code)!.line} 行已有）`,
        });
      if (!kind)
        return problems.push({
          table: '网格表',
          line,
          message: `类型“${kindWord}”无法识别：应为 ${Object.values(GRID_KIND_LABELS)
            .map((l) => l.zh)
            .join('、')} 之一`,
        });
      drafts.set(code, { line, name: cell('名称'), kind, parentCode: cell('上级编码').toUpperCase() });
    });
  }
  // Ids for the new codes, so parents can point at grids made in the same load.
  const idOf = new Map([...gridByCode].map(([code, grid]) => [code, grid.id] as const));
  for (const code of drafts.keys()) if (!idOf.has(code)) idOf.set(code, input.newId());
  const parentCodeOf = new Map(
    [...gridByCode].map(([code, grid]) => {
      const parent = input.existingGrids.find((g) => g.id === grid.parentId);
      return [code, parent ? parent.code.toUpperCase() : ''] as const;
    }),
  );
  for (const [code, draft] of drafts) {
    if (draft.parentCode && !idOf.has(draft.parentCode)) {
      problems.push({ table: '网格表', line: draft.line, message: `上级编码 ${draft.parentCode} 不存在` });
      continue;
    }
    if (draft.parentCode === code) {
      problems.push({ table: '网格表', line: draft.line, message: '上级编码不能是自己' });
      continue;
    }
    parentCodeOf.set(code, draft.parentCode);
  }
  for (const [code, draft] of drafts) {
    // Walk up: a loop (A under B under A) never reaches the top.
    const seen = new Set([code]);
    for (let parent = parentCodeOf.get(code); parent; parent = parentCodeOf.get(parent)) {
      if (seen.has(parent)) {
        problems.push({
          table: '网格表',
          line: draft.line,
          message: `上级关系成环：${[...seen, parent].join(' → ')}`,
        });
        break;
      }
      seen.add(parent);
    }
    const existing = gridByCode.get(code);
    const parentCode = parentCodeOf.get(code) ?? '';
    const record = {
      id: idOf.get(code)!,
      updatedAt: input.now,
      isDeleted: false,
      parentId: parentCode ? idOf.get(parentCode)! : null,
      kind: draft.kind,
      name: draft.name,
      code: existing?.code ?? code,
    };
    const parsed = gridSchema.safeParse(record);
    if (!parsed.success) {
      problems.push({
        table: '网格表',
        line: draft.line,
        message: parsed.error.issues[0]?.message ?? '数据不符合要求',
      });
      continue;
    }
    if (existing && sameRecord({ ...existing, updatedAt: 0 }, { ...parsed.data, updatedAt: 0 }))
      plan.unchanged++;
    else plan.grids.push(parsed.data);
  }

  // ---- Buildings, under grids stored or loaded now.
  if (input.buildingRows) {
    const kindOf = new Map([...gridByCode].map(([code, grid]) => [code, grid.kind] as const));
    for (const [code, draft] of drafts) kindOf.set(code, draft.kind);
    const existingByKey = new Map(
      input.existingBuildings
        .filter((b) => !b.isDeleted)
        .map((b) => [`${b.gridId}|${b.estate}|${b.name}`, b]),
    );
    const seen = new Map<string, number>();
    const [header, ...rows] = input.buildingRows;
    const column = columnsOf(header, BUILDING_TABLE_COLUMNS, '楼栋表', problems);
    rows.forEach((row, i) => {
      const line = i + 2;
      if (!column || row.every((cell) => cell.trim() === '')) return;
      const cell = (name: (typeof BUILDING_TABLE_COLUMNS)[number]) => (row[column.get(name)!] ?? '').trim();
      const report = (message: string) => problems.push({ table: '楼栋表', line, message });
      const gridCode = cell('网格编码').toUpperCase();
      const gridId = idOf.get(gridCode);
      if (!gridId) return report(`网格编码 ${gridCode || '（空）'} 不存在：请先在网格表中列出`);
      const number = (name: (typeof BUILDING_TABLE_COLUMNS)[number], empty: number) => {
        const text = cell(name);
        return text === '' ? empty : /^\d+$/.test(text) ? Number(text) : NaN;
      };
      const yesNo = (name: (typeof BUILDING_TABLE_COLUMNS)[number]) => {
        const text = cell(name).toLowerCase();
        return YES.has(text) ? true : NO.has(text) ? false : undefined;
      };
      const numbers = {
        units: number('单元数', NaN),
        floors: number('楼层数', NaN),
        elevators: number('电梯数', 0),
        fireHydrants: number('消防栓数', 0),
      };
      const bad = Object.entries(numbers).find(([, value]) => Number.isNaN(value));
      if (bad) {
        const names = {
          units: '单元数',
          floors: '楼层数',
          elevators: '电梯数',
          fireHydrants: '消防栓数',
        } as const;
        return report(`${names[bad[0] as keyof typeof names]}应为整数`);
      }
      const hasGasPipes = yesNo('燃气管道');
      const hasWaterPipes = yesNo('供水管道');
      if (hasGasPipes === undefined || hasWaterPipes === undefined)
        return report('燃气管道、供水管道应填“有”或“无”');
      const key = `${gridId}|${cell('小区')}|${cell('楼栋')}`;
      if (seen.has(key)) return report(`与第 ${seen.get(key)} 行是同一栋楼`);
      seen.set(key, line);
      const existing = existingByKey.get(key);
      const parsed = buildingSchema.safeParse({
        id: existing?.id ?? input.newId(),
        updatedAt: input.now,
        isDeleted: false,
        gridId,
        estate: cell('小区'),
        name: cell('楼栋'),
        units: numbers.units,
        floors: numbers.floors,
        facilities: {
          elevators: numbers.elevators,
          fireHydrants: numbers.fireHydrants,
          hasGasPipes,
          hasWaterPipes,
        },
      });
      if (!parsed.success) return report(parsed.error.issues[0]?.message ?? '数据不符合要求');
      if (existing && sameRecord({ ...existing, updatedAt: 0 }, { ...parsed.data, updatedAt: 0 }))
        plan.unchanged++;
      else plan.buildings.push(parsed.data);
    });
  }
  if (problems.length > 0) return { problems, grids: [], buildings: [], unchanged: 0 };
  return plan;
}
