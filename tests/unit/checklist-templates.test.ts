import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  BUILT_IN_TEMPLATES,
  itemsForBuilding,
  validateTemplate,
} from '../../src/shared/domain/checklist-templates.ts';
import { newId } from '../../src/shared/domain/ids.ts';

const gridTemplate = (items: unknown[]) => ({
  id: newId(),
  updatedAt: 1,
  isDeleted: false,
  name: '防汛巡查',
  scope: 'building',
  shifts: ['night'],
  isBuiltIn: false,
  gridId: newId(),
  items,
});

function issuesOf(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (error) {
    if (error instanceof ZodError)
      return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw error;
  }
  return [];
}

describe('checklist templates', () => {
  it('the built-in templates are valid and cover the seeds daily round', () => {
    for (const template of BUILT_IN_TEMPLATES) expect(() => validateTemplate(template)).not.toThrow();
    const daily = BUILT_IN_TEMPLATES[0]!;
    expect(daily.items.map((i) => i.id)).toEqual(
      expect.arrayContaining(['elevator', 'gas-pipes', 'fire-hydrant', 'water-pipes', 'remind-off']),
    );
    expect(daily.shifts).toEqual(['day', 'night']);
  });

  it('rejects a template with no items, with a clear message', () => {
    expect(issuesOf(() => validateTemplate(gridTemplate([])))).toEqual([
      { path: 'items', message: '检查模板至少要有一个检查项' },
    ]);
  });

  it('rejects duplicate item ids and names the duplicate', () => {
    const issues = issuesOf(() =>
      validateTemplate(
        gridTemplate([
          { id: 'drain', text: '检查下水道' },
          { id: 'drain', text: '检查雨水井' },
        ]),
      ),
    );
    expect(issues).toEqual([{ path: 'items.1.id', message: '检查项编号重复：drain' }]);
  });

  it('rejects empty item text and bad item ids', () => {
    const issues = issuesOf(() => validateTemplate(gridTemplate([{ id: 'Bad Id', text: '' }])));
    expect(issues.map((i) => i.message)).toEqual(
      expect.arrayContaining(['检查项编号只能用小写字母、数字和连字符', '检查项内容不能为空']),
    );
  });

  it('skips facility items a building does not have', () => {
    const items = itemsForBuilding(BUILT_IN_TEMPLATES[0]!, {
      elevators: 0,
      fireHydrants: 2,
      hasGasPipes: false,
      hasWaterPipes: true,
    });
    expect(items.map((i) => i.id)).toEqual(['fire-hydrant', 'water-pipes', 'stairwell', 'remind-off']);
  });
});
