import { describe, expect, it } from 'vitest';
import { distinctCount, gridGroups, targetSummary } from '../../src/app/state/task-draft.ts';
import type { Grid } from '../../src/shared/schemas/grid.ts';

function grid(id: string, code: string, name: string, parentId: string | null): Grid {
  return { id, code, name, parentId, kind: 'grid', updatedAt: 1, isDeleted: false };
}

const choices = [
  { grid: grid('x2', 'XF-02', '幸福社区第2网格', 'xf'), parentName: '幸福社区' },
  { grid: grid('h1', 'HP-01', '和平社区第1网格', 'hp'), parentName: '和平社区' },
  { grid: grid('x1', 'XF-01', '幸福社区第1网格', 'xf'), parentName: '幸福社区' },
  { grid: grid('x10', 'XF-10', '幸福社区第10网格', 'xf'), parentName: '幸福社区' },
];

describe('choosing the grids of a new task', () => {
  it('groups the work grids under their community, both in code order (XF-02 before XF-10)', () => {
    const groups = gridGroups(choices);
    expect(groups.map((g) => [g.parentName, g.grids.map((x) => x.code)])).toEqual([
      ['和平社区', ['HP-01']],
      ['幸福社区', ['XF-01', 'XF-02', 'XF-10']],
    ]);
  });

  it('names a whole community by its name, single grids by theirs, then what narrows the households', () => {
    const groups = gridGroups(choices);
    expect(targetSummary(groups, new Set(['x1', 'x2', 'x10']))).toBe('幸福社区');
    expect(targetSummary(groups, new Set(['x1', 'h1']), { careTag: 'elderly-alone' })).toBe(
      '和平社区第1网格、幸福社区第1网格 · 独居老人',
    );
    // A community of one grid is named by the grid (the community may hold grids this phone lacks).
    expect(targetSummary(groups, new Set(['h1']), { buildingName: '和平里 3栋' })).toBe(
      '和平社区第1网格 · 和平里 3栋',
    );
  });

  it('keeps the summary within the 200 characters the record allows, saying how many places it names', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      grid: grid(`g${i}`, `C${String(i).padStart(2, '0')}-01`, `第${i}社区第1网格`, `p${i}`),
      parentName: `第${i}社区`,
    }));
    const summary = targetSummary(gridGroups(many), new Set(many.map((c) => c.grid.id)), {
      careTag: 'disabled',
    });
    expect(summary.length).toBeLessThanOrEqual(200);
    expect(summary).toMatch(/…等 60 处 · 残疾人$/);
  });

  it('counts the grids the targets fall in', () => {
    expect(distinctCount(['a', 'b', 'a'])).toBe(2);
  });
});
