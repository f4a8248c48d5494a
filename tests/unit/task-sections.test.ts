import { describe, expect, it } from 'vitest';
import { dueOf, openItemCount, runsByGrid, taskGroups } from '../../src/app/state/task-sections.ts';
import type { Task, TaskItem } from '../../src/shared/schemas/task.ts';

const actor = { role: 'center' as const, userId: 'u-center', name: '指挥中心值班' };

function task(id: string, fields: Partial<Task> = {}): Task {
  return {
    id,
    updatedAt: 1,
    isDeleted: false,
    title: `任务 ${id}`,
    kind: 'special-inspection',
    dueDate: '2026-12-05',
    targetKind: 'household',
    gridIds: ['g1'],
    itemCount: 3,
    status: 'open',
    createdBy: actor,
    createdAt: 1,
    history: [{ at: 1, action: 'create', actor }],
    ...fields,
  };
}

function item(id: string, taskId: string, fields: Partial<TaskItem> = {}): TaskItem {
  return {
    id,
    updatedAt: 1,
    isDeleted: false,
    taskId,
    gridId: 'g1',
    target: { kind: 'household', id: `h-${id}` },
    label: `幸福家园1栋1单元${id}`,
    status: 'open',
    photoIds: [],
    ...fields,
  };
}

describe('pushed tasks on Today', () => {
  it('groups the open items by task, the earliest due date first, rooms in walking order', () => {
    const tasks = [task('later', { dueDate: '2026-12-20' }), task('sooner', { dueDate: '2026-12-05' })];
    const items = [
      item('1102', 'sooner', { label: '幸福家园1栋1单元1102' }),
      item('201', 'later'),
      item('302', 'sooner', { label: '幸福家园1栋1单元302' }),
    ];
    const groups = taskGroups(tasks, items, '2026-12-01');
    expect(groups.map((g) => g.task.id)).toEqual(['sooner', 'later']);
    // Numeric order: 302 before 1102, as the stairs go.
    expect(groups[0]!.items.map((i) => i.id)).toEqual(['302', '1102']);
    expect(openItemCount(groups)).toBe(3);
  });

  it('leaves out items done or impossible, items of an ended or cancelled task, and items of a task not on the phone', () => {
    const tasks = [
      task('open'),
      task('closed', { status: 'closed' }),
      task('cancelled', { status: 'cancelled' }),
    ];
    const items = [
      item('a', 'open'),
      item('b', 'open', { status: 'done' }),
      item('c', 'open', { status: 'impossible', reason: '已搬走' }),
      item('d', 'closed'),
      item('e', 'cancelled'),
      item('f', 'not-synced-yet'),
      item('g', 'open', { isDeleted: true }),
    ];
    const groups = taskGroups(tasks, items, '2026-12-01');
    expect(groups.map((g) => [g.task.id, g.items.map((i) => i.id)])).toEqual([['open', ['a']]]);
  });

  it('reads the due date against the day it is given: in time up to the date itself, overdue by whole days after', () => {
    expect(dueOf('2026-12-05', '2026-12-01')).toMatchObject({
      overdueDays: 0,
      isDueToday: false,
      month: 12,
      day: 5,
    });
    expect(dueOf('2026-12-05', '2026-12-05')).toMatchObject({ overdueDays: 0, isDueToday: true });
    expect(dueOf('2026-12-05', '2026-12-07')).toMatchObject({ overdueDays: 2, isDueToday: false });
    // Across a month and a year end.
    expect(dueOf('2026-12-31', '2027-01-02').overdueDays).toBe(2);
    expect(dueOf('2027-01-09', '2026-12-31')).toMatchObject({ overdueDays: 0, month: 1, day: 9 });
  });

  it('an overdue task sorts above one due later, whatever order they arrived in', () => {
    const tasks = [
      task('new', { dueDate: '2026-12-10', createdAt: 5 }),
      task('old', { dueDate: '2026-11-28', createdAt: 9 }),
    ];
    const groups = taskGroups(tasks, [item('1', 'new'), item('2', 'old')], '2026-12-01');
    expect(groups.map((g) => [g.task.id, g.due.overdueDays])).toEqual([
      ['old', 3],
      ['new', 0],
    ]);
  });
});

describe("a task's items by grid", () => {
  it('cuts items in grid order into one run per grid, keeping their order', () => {
    const items = [
      item('1', 't', { gridId: 'g1' }),
      item('2', 't', { gridId: 'g1' }),
      item('3', 't', { gridId: 'g2' }),
    ];
    expect(runsByGrid(items).map((run) => [run.gridId, run.items.map((i) => i.id)])).toEqual([
      ['g1', ['1', '2']],
      ['g2', ['3']],
    ]);
    expect(runsByGrid([])).toEqual([]);
  });
});
