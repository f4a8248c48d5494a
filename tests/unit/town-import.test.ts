import { describe, expect, it } from 'vitest';
import {
  BUILDING_TABLE_COLUMNS,
  GRID_TABLE_COLUMNS,
  planTownImport,
  type TownImportInput,
} from '../../src/shared/domain/town-import.ts';

let ids = 0;
const base = (over: Partial<TownImportInput>): TownImportInput => ({
  existingGrids: [],
  existingBuildings: [],
  now: 1_760_000_000_000,
  newId: () => `01900000-0000-7000-8000-${String(++ids).padStart(12, '0')}`,
  ...over,
});
const GRID_HEADER = [...GRID_TABLE_COLUMNS];
const BUILDING_HEADER = [...BUILDING_TABLE_COLUMNS];
const TOWN = [
  GRID_HEADER,
  ['HX', '红星镇', '镇/街道', ''],
  // A child before its parent: the order of rows does not matter.
  ['XF-01', '幸福社区第1网格', '综合网格', 'XF'],
  ['XF', '幸福社区', '社区', 'hx'],
  ['', '', '', ''],
  ['ZS-01', '化工园区专属网格', '专属网格', 'HX'],
];

describe('planTownImport', () => {
  it('builds the grid tree and the buildings under it, whatever the row order', () => {
    const plan = planTownImport(
      base({
        gridRows: TOWN,
        buildingRows: [BUILDING_HEADER, ['xf-01', '幸福家园', '1栋', '3', '18', '2', '4', '有', '有']],
      }),
    );
    expect(plan.problems).toEqual([]);
    const byCode = new Map(plan.grids.map((g) => [g.code, g]));
    expect(byCode.get('HX')).toMatchObject({ kind: 'town', parentId: null });
    expect(byCode.get('XF')).toMatchObject({ kind: 'community', parentId: byCode.get('HX')!.id });
    expect(byCode.get('XF-01')).toMatchObject({ kind: 'grid', parentId: byCode.get('XF')!.id });
    expect(byCode.get('ZS-01')).toMatchObject({ kind: 'special' });
    expect(plan.buildings).toEqual([
      expect.objectContaining({
        gridId: byCode.get('XF-01')!.id,
        estate: '幸福家园',
        name: '1栋',
        units: 3,
        floors: 18,
        facilities: { elevators: 2, fireHydrants: 4, hasGasPipes: true, hasWaterPipes: true },
      }),
    ]);
  });

  it('changes nothing when loaded again, and updates a corrected row in place', () => {
    const first = planTownImport(base({ gridRows: TOWN }));
    const again = planTownImport(base({ gridRows: TOWN, existingGrids: first.grids }));
    expect(again).toMatchObject({ problems: [], grids: [], unchanged: 4 });
    const renamed = TOWN.map((row) =>
      row[0] === 'XF-01' ? ['XF-01', '幸福社区一网格', '综合网格', 'XF'] : row,
    );
    const fixed = planTownImport(base({ gridRows: renamed, existingGrids: first.grids }));
    expect(fixed.grids).toEqual([
      expect.objectContaining({
        id: first.grids.find((g) => g.code === 'XF-01')!.id,
        name: '幸福社区一网格',
      }),
    ]);
  });

  it('reports every problem with its line, and then plans nothing at all', () => {
    const plan = planTownImport(
      base({
        gridRows: [
          GRID_HEADER,
          ['HX', '红星镇', '镇', ''],
          ['A', '甲', '社区', 'B'],
          ['B', '乙', '社区', 'A'],
          ['C', '丙', '片区', 'HX'],
          ['HX', '又一个', '镇', ''],
          ['D', '丁', '网格', 'NOPE'],
          ['E', '', '网格', 'HX'],
        ],
        buildingRows: [
          BUILDING_HEADER,
          ['HX', '幸福家园', '1栋', '三', '18', '', '', '有', '有'],
          ['ZZ', '幸福家园', '2栋', '3', '18', '', '', '有', '有'],
          ['HX', '幸福家园', '3栋', '3', '18', '', '', '也许', '有'],
        ],
      }),
    );
    expect(plan.grids).toEqual([]);
    expect(plan.buildings).toEqual([]);
    expect(plan.problems.map((p) => `${p.table}:${p.line}:${p.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^网格表:3:上级关系成环/),
        expect.stringMatching(/^网格表:5:类型“片区”无法识别/),
        '网格表:6:编码 HX 重复（第 2 行已有）',
        '网格表:7:上级编码 NOPE 不存在',
        expect.stringMatching(/^网格表:8:.*网格名称/),
        '楼栋表:2:单元数应为整数',
        '楼栋表:3:网格编码 ZZ 不存在：请先在网格表中列出',
        '楼栋表:4:燃气管道、供水管道应填“有”或“无”',
      ]),
    );
  });

  it('names the columns a table lacks', () => {
    const plan = planTownImport(
      base({
        gridRows: [
          ['编码', '名称'],
          ['HX', '红星镇'],
        ],
      }),
    );
    expect(plan.problems).toEqual([
      { table: '网格表', line: 1, message: '缺少列：类型、上级编码（第一行应为：编码,名称,类型,上级编码）' },
    ]);
  });
});
