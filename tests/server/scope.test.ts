import { describe, expect, it } from 'vitest';
import { mayRead, mayWrite, recordFilter, scopeFor } from '../../src/server/scope.ts';
import type { StoredUser, UserRole } from '../../src/server/store/store.ts';

// town > community > grid > micro-grid, and a second community with its own grid.
const TREE = [
  { id: 'town', parentId: null },
  { id: 'xf', parentId: 'town' },
  { id: 'xf-01', parentId: 'xf' },
  { id: 'xf-01-a', parentId: 'xf-01' },
  { id: 'hk', parentId: 'town' },
  { id: 'hk-01', parentId: 'hk' },
];

function user(role: UserRole, gridIds: string[] = [], departmentId?: string): StoredUser {
  return {
    id: `u-${role}`,
    townId: 'town-1',
    username: role,
    name: role,
    role,
    gridIds,
    ...(departmentId ? { departmentId } : {}),
    passwordHash: '',
    createdAt: 0,
    revokedAt: null,
  };
}

const household = (gridId: string) => ({ kind: 'households' as const, id: 'h', gridId, assigneeKey: null });

describe('scopeFor', () => {
  it('covers the assigned grids and every grid below them, and names the grids above', () => {
    const scope = scopeFor(user('worker', ['xf-01']), TREE);
    expect([...scope.gridIds!].sort()).toEqual(['xf-01', 'xf-01-a']);
    expect([...scope.ancestorGridIds].sort()).toEqual(['town', 'xf']);
    expect(scope.assigneeKeys).toEqual(['worker:u-worker']);
    // Every query the scope makes is of the account's town.
    expect(scope.townId).toBe('town-1');
  });

  it('gives center and admin the town, and a department only its orders', () => {
    expect(scopeFor(user('center'), TREE).gridIds).toBeNull();
    expect(scopeFor(user('admin'), TREE).gridIds).toBeNull();
    const department = scopeFor(user('department', [], 'dept-police'), TREE);
    expect(department.gridIds!.size).toBe(0);
    expect(department.assigneeKeys).toEqual(['department:dept-police']);
  });
});

describe('mayRead and mayWrite', () => {
  const worker = scopeFor(user('worker', ['xf-01']), TREE);
  const police = scopeFor(user('department', [], 'dept-police'), TREE);

  it('lets a worker read and write only inside their grids', () => {
    expect(mayRead(worker, household('xf-01-a'))).toBe(true);
    expect(mayRead(worker, household('hk-01'))).toBe(false);
    expect(mayWrite(worker, household('xf-01'), { gridId: 'xf-01' })).toBe(true);
    expect(mayWrite(worker, household('hk-01'), { gridId: 'hk-01' })).toBe(false);
    expect(mayWrite(worker, undefined, { gridId: 'hk-01' })).toBe(false);
    // Moving a record out of scope is as forbidden as writing outside it.
    expect(mayWrite(worker, household('xf-01'), { gridId: 'hk-01' })).toBe(false);
  });

  it('lets grid names above be read but never written', () => {
    const town = { kind: 'grids' as const, id: 'town', gridId: 'town', assigneeKey: null };
    expect(mayRead(worker, town)).toBe(true);
    expect(mayWrite(worker, town, { gridId: 'town' })).toBe(false);
    expect(mayRead(worker, { kind: 'grids', id: 'hk', gridId: 'hk', assigneeKey: null })).toBe(false);
  });

  it('lets town-wide templates be read by grid roles and written only by town-wide roles', () => {
    const template = { kind: 'checklistTemplates' as const, id: 't', gridId: null, assigneeKey: null };
    expect(mayRead(worker, template)).toBe(true);
    expect(mayRead(police, template)).toBe(false);
    expect(mayWrite(worker, undefined, { gridId: null })).toBe(false);
    expect(mayWrite(scopeFor(user('center'), TREE), undefined, { gridId: null })).toBe(true);
  });

  it('lets every grid role read every task of the town, only issuers write one, and items stay in grids', () => {
    const task = { kind: 'tasks' as const, id: 't', gridId: null, assigneeKey: null };
    const leader = scopeFor(user('leader', ['xf']), TREE);
    const center = scopeFor(user('center'), TREE);
    for (const scope of [worker, leader, center, scopeFor(user('helper', ['hk-01']), TREE)])
      expect(mayRead(scope, task)).toBe(true);
    expect(mayRead(police, task)).toBe(false);
    expect(mayWrite(leader, undefined, { kind: 'tasks', gridId: null })).toBe(true);
    expect(mayWrite(leader, task, { kind: 'tasks', gridId: null })).toBe(true);
    expect(mayWrite(center, task, { kind: 'tasks', gridId: null })).toBe(true);
    expect(mayWrite(worker, undefined, { kind: 'tasks', gridId: null })).toBe(false);
    expect(mayWrite(police, undefined, { kind: 'tasks', gridId: null })).toBe(false);
    // A leader's items land only in the grids they lead.
    expect(mayWrite(leader, undefined, { kind: 'taskItems', gridId: 'xf-01-a' })).toBe(true);
    expect(mayWrite(leader, undefined, { kind: 'taskItems', gridId: 'hk-01' })).toBe(false);
    expect(mayWrite(center, undefined, { kind: 'taskItems', gridId: 'hk-01' })).toBe(true);
  });

  it('lets a department read and act on the problems assigned to it, wherever they are', () => {
    const problem = (assigneeKey: string | null) => ({
      kind: 'problems' as const,
      id: 'p',
      gridId: 'hk-01',
      assigneeKey,
    });
    expect(mayRead(police, problem('department:dept-police'))).toBe(true);
    expect(mayWrite(police, problem('department:dept-police'), { gridId: 'hk-01' })).toBe(true);
    expect(mayRead(police, problem('department:dept-market'))).toBe(false);
    expect(mayWrite(police, problem(null), { gridId: 'hk-01' })).toBe(false);
    expect(mayRead(police, household('hk-01'))).toBe(false);
  });
});

describe('recordFilter', () => {
  it('is open for town-wide roles and closed for a department without a department', () => {
    expect(recordFilter(scopeFor(user('admin'), TREE)).sql).toBe('1 = 1');
    expect(recordFilter(scopeFor(user('department'), TREE)).sql).toBe('0 = 1');
  });
});
