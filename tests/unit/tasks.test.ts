/**
 * The pure rules of 上级任务 the screens, the planner and the dashboard share: item ids, who may,
 * what is overdue (by the Asia/Shanghai day), and how progress is counted.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deterministicId } from '../../src/shared/domain/ids.ts';
import { taskItemId } from '../../src/shared/domain/task-ids.ts';
import {
  canCompleteTaskItem,
  canCreateTask,
  canManageTask,
  isItemOverdue,
  taskProgress,
} from '../../src/shared/domain/tasks.ts';
import type { Task, TaskItem } from '../../src/shared/schemas/index.ts';
import { shanghaiDay } from '../../src/shared/time.ts';

const ids = (n: number, at: number) =>
  Array.from({ length: n }, (_, i) => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setUint32(0, i);
    return deterministicId(at + i, bytes);
  });

describe('taskItemId', () => {
  it('is a UUID (v8) that the record schemas accept, the same for the same pair', () => {
    const [task, target] = ids(2, 1_760_000_000_000);
    const id = taskItemId(task!, target!);
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(id[14]).toBe('8');
    expect(taskItemId(task!, target!)).toBe(id);
    expect(taskItemId(target!, task!)).not.toBe(id);
  });

  it('names 100,000 targets of one task and 100,000 tasks of one target apart', () => {
    const targets = ids(100_000, 1_760_000_000_000);
    const [task] = ids(1, 1_770_000_000_000);
    expect(new Set(targets.map((target) => taskItemId(task!, target))).size).toBe(100_000);
    expect(new Set(targets.map((other) => taskItemId(other, task!))).size).toBe(100_000);
    const uuid = z.uuid();
    expect(targets.slice(0, 2_000).every((target) => uuid.safeParse(taskItemId(task!, target)).success)).toBe(
      true,
    );
  });
});

describe('who may', () => {
  const task = { createdBy: { role: 'leader' as const, userId: 'u-leader' } };
  it('issues: the leader, the center and the administrator', () => {
    expect(['leader', 'center', 'admin'].every((r) => canCreateTask(r as Task['createdBy']['role']))).toBe(
      true,
    );
    expect(['worker', 'helper', 'department', 'resident'].some((r) => canCreateTask(r as never))).toBe(false);
  });
  it('manages: the issuer, and the center above them; not another leader', () => {
    expect(canManageTask({ role: 'leader', userId: 'u-leader' }, task)).toBe(true);
    expect(canManageTask({ role: 'leader', userId: 'u-other' }, task)).toBe(false);
    expect(canManageTask({ role: 'center', userId: 'u-center' }, task)).toBe(true);
    expect(canManageTask({ role: 'worker', userId: 'u-leader' }, task)).toBe(false);
  });
  it("does an item: the grid's worker, helper and leader", () => {
    expect(['worker', 'helper', 'leader'].every((r) => canCompleteTaskItem(r as never))).toBe(true);
    expect(['center', 'admin', 'department'].some((r) => canCompleteTaskItem(r as never))).toBe(false);
  });
});

const TASK = { status: 'open', isDeleted: false, dueDate: '2026-03-10', gridIds: ['g1', 'g2'] } as const;
const item = (
  status: TaskItem['status'],
  gridId = 'g1',
  by?: string,
): Parameters<typeof taskProgress>[1][number] => ({
  status,
  gridId,
  isDeleted: false,
  ...(by ? { doneBy: { role: 'worker', userId: by, name: by } } : {}),
});

describe('overdue', () => {
  it('is an open item after its due date in Shanghai, while the task is open', () => {
    // 23:59 on the due date in Shanghai is 15:59 UTC: still in time; a minute later (00:00 the next day) overdue.
    const lastMinute = Date.UTC(2026, 2, 10, 15, 59);
    expect(isItemOverdue(item('open'), TASK, shanghaiDay(lastMinute))).toBe(false);
    expect(isItemOverdue(item('open'), TASK, shanghaiDay(lastMinute + 60_000))).toBe(true);
    expect(isItemOverdue(item('done'), TASK, '2026-03-11')).toBe(false);
    expect(isItemOverdue(item('open'), { ...TASK, status: 'closed' }, '2026-03-11')).toBe(false);
    expect(isItemOverdue(item('open'), { ...TASK, status: 'cancelled' }, '2026-03-11')).toBe(false);
  });
});

describe('taskProgress', () => {
  it('counts per grid (every grid of the task, even with nothing done) and per worker who finished items', () => {
    const items = [
      item('done', 'g1', 'wang'),
      item('impossible', 'g1', 'wang'),
      item('done', 'g1', 'chen'),
      item('open', 'g1'),
      item('open', 'g2'),
      { ...item('open', 'g2'), isDeleted: true },
    ];
    const progress = taskProgress(TASK, items, '2026-03-11');
    expect(progress).toMatchObject({ total: 5, done: 2, impossible: 1, open: 2, overdue: 2 });
    expect(progress.perGrid).toEqual([
      { gridId: 'g1', total: 4, done: 2, impossible: 1, open: 1, overdue: 1 },
      { gridId: 'g2', total: 1, done: 0, impossible: 0, open: 1, overdue: 1 },
    ]);
    expect(progress.perWorker).toEqual([
      { userId: 'wang', name: 'wang', done: 1, impossible: 1 },
      { userId: 'chen', name: 'chen', done: 1, impossible: 0 },
    ]);
    expect(taskProgress(TASK, items, '2026-03-10').overdue).toBe(0);
  });
});
