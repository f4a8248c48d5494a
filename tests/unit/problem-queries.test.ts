import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppDB } from '../../src/app/db/app-db.ts';
import {
  inboxProblems,
  isInInboxTab,
  listProblems,
  type InboxTab,
} from '../../src/app/db/problem-queries.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { createProblemReport } from '../../src/shared/domain/problem-workflow.ts';
import type { Actor, Problem, ProblemStatus } from '../../src/shared/schemas/index.ts';
import { TEST_NOW } from '../support/device-context.ts';

const DAY = 24 * 60 * 60 * 1000;
const GRID = '01900000-0000-7000-8000-00000000000a';
const roads: Actor = { role: 'department', userId: 'u-roads', departmentId: 'roads' };
const center: Actor = { role: 'center', userId: 'u-center' };

function problem(status: ProblemStatus, overrides: Partial<Problem> = {}): Problem {
  const report = createProblemReport(
    {
      id: newId(),
      gridId: GRID,
      category: 'environment',
      severity: 'yellow',
      description: `楼道堆物（${status}）`,
      place: { text: '3栋楼道' },
      photoIds: [],
      source: 'snap',
      links: {},
    },
    { role: 'worker', userId: 'u-worker', name: '网格员' },
    TEST_NOW - DAY,
  );
  return { ...report, status, ...overrides };
}

let db: AppDB;
let dbCount = 0;

beforeEach(() => {
  db = new AppDB(`problem-queries-test-${dbCount++}`);
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe('the inbox query', () => {
  it('reads the problems still in the loop by status, never the closed or deleted ones', async () => {
    const inLoop = (
      ['reported', 'dispatched', 'accepted', 'in-progress', 'resolved', 'feedback-given'] as const
    ).map((status) => problem(status));
    const closed = [
      problem('evaluated'),
      problem('closed-on-the-spot'),
      problem('reported', { isDeleted: true }),
    ];
    await db.problems.bulkPut([...inLoop, ...closed]);
    const read = await inboxProblems(db);
    expect(read.map((p) => p.id).sort()).toEqual(inLoop.map((p) => p.id).sort());
  });

  it('puts a problem on the tabs it belongs to, "mine" by the shared assignee rule', () => {
    const assigned = problem('accepted', {
      assignee: { kind: 'department', id: 'roads', name: '城管' },
      dueAt: TEST_NOW - 1,
    });
    const tabsOf = (p: Problem, actor: Actor) =>
      (['new', 'overdue', 'mine', 'open'] as InboxTab[]).filter((tab) =>
        isInInboxTab(p, tab, actor, TEST_NOW),
      );
    expect(tabsOf(assigned, roads)).toEqual(['overdue', 'mine', 'open']);
    // The center is never "the assignee"; another department is not either.
    expect(tabsOf(assigned, center)).toEqual(['overdue', 'open']);
    expect(tabsOf(assigned, { ...roads, departmentId: 'water' })).toEqual(['overdue', 'open']);
    expect(tabsOf(problem('reported'), center)).toEqual(['new', 'open']);
    // Resolved: no longer anyone's to handle, still waiting for feedback.
    expect(tabsOf({ ...assigned, status: 'resolved' }, roads)).toEqual(['open']);
  });

  it('lists a grid overdue on the clock it is given', async () => {
    const late = problem('reported', { dueAt: TEST_NOW + DAY });
    await db.problems.bulkPut([late]);
    const filters = { view: 'overdue', category: null, severity: null, level: null, status: null } as const;
    expect(await listProblems(db, GRID, filters, TEST_NOW)).toEqual([]);
    expect((await listProblems(db, GRID, filters, TEST_NOW + 2 * DAY)).map((p) => p.id)).toEqual([late.id]);
  });
});
