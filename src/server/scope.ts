/**
 * Who may read and write what (object level). Every pull is filtered with recordFilter and every
 * mutation's reads and writes pass mayRead / mayWrite, so a worker can never see or change another
 * grid's residents, whatever the device sends.
 */
import { createHash } from 'node:crypto';
import type { RecordKind } from '../shared/records.ts';
import { canCreateTask } from '../shared/domain/tasks.ts';
import type { SqlFilter, StoredUser, UserRole } from './store/store.ts';

export interface Scope {
  /** Every query is of this town: no scope crosses towns. */
  townId: string;
  userId: string;
  role: UserRole;
  /** Grids the user covers (with every grid below them); null means every grid (center, admin). */
  gridIds: ReadonlySet<string> | null;
  /** Grid records above the user's grids: readable so the device can name them, never writable. */
  ancestorGridIds: ReadonlySet<string>;
  /** Problem assignee keys ("department:<id>", "worker:<userId>") the user acts as. */
  assigneeKeys: readonly string[];
}

/** Roles that see the whole town. */
const TOWN_WIDE_ROLES: ReadonlySet<UserRole> = new Set<UserRole>(['center', 'admin']);
/** Roles that may read the conflict log of their grids. */
export const CONFLICT_LOG_ROLES: ReadonlySet<UserRole> = new Set<UserRole>(['leader', 'center', 'admin']);

export function scopeFor(
  user: StoredUser,
  gridTree: readonly { id: string; parentId: string | null }[],
): Scope {
  const base = { townId: user.townId, userId: user.id, role: user.role };
  if (TOWN_WIDE_ROLES.has(user.role))
    return { ...base, gridIds: null, ancestorGridIds: new Set(), assigneeKeys: [] };
  if (user.role === 'department')
    return {
      ...base,
      gridIds: new Set(),
      ancestorGridIds: new Set(),
      assigneeKeys: user.departmentId ? [`department:${user.departmentId}`] : [],
    };
  const parentOf = new Map(gridTree.map((g) => [g.id, g.parentId]));
  const childrenOf = new Map<string, string[]>();
  for (const grid of gridTree) {
    if (grid.parentId === null) continue;
    const siblings = childrenOf.get(grid.parentId) ?? [];
    siblings.push(grid.id);
    childrenOf.set(grid.parentId, siblings);
  }
  const gridIds = new Set<string>();
  const stack = [...user.gridIds];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (gridIds.has(id)) continue;
    gridIds.add(id);
    stack.push(...(childrenOf.get(id) ?? []));
  }
  const ancestorGridIds = new Set<string>();
  for (const id of user.gridIds) {
    for (let parent = parentOf.get(id); parent; parent = parentOf.get(parent)) {
      if (!gridIds.has(parent)) ancestorGridIds.add(parent);
    }
  }
  // Leaders supervise; only workers and helpers are assigned problems by user id.
  const assigneeKeys = user.role === 'leader' ? [] : [`worker:${user.id}`];
  return { ...base, gridIds, ancestorGridIds, assigneeKeys };
}

/** Whether the scope holds anything at all (a department account of no department holds nothing). */
function coversAnything(scope: Scope): boolean {
  return scope.gridIds === null || scope.gridIds.size > 0 || scope.assigneeKeys.length > 0;
}

export function coversGrid(scope: Scope, gridId: string | null): boolean {
  // A record of no grid (a town-wide checklist template) is town-wide data.
  if (scope.gridIds === null) return true;
  return gridId !== null && scope.gridIds.has(gridId);
}

interface ScopedRow {
  kind: RecordKind;
  id: string;
  gridId: string | null;
  assigneeKey: string | null;
}

/** Whether the user may read the record as it is now. */
export function mayRead(scope: Scope, row: ScopedRow): boolean {
  if (coversGrid(scope, row.gridId)) return true;
  if (row.kind === 'grids' && scope.ancestorGridIds.has(row.id)) return true;
  // Town-wide templates are for every grid role to run; every task of the town is for every grid role
  // to read (its items, in their grids, are what a worker does).
  if (row.kind === 'checklistTemplates' && row.gridId === null && scope.role !== 'department') return true;
  if (row.kind === 'tasks' && scope.role !== 'department') return true;
  // The town's departments are for everyone in it: grid roles dispatch, a department transfers.
  if (row.kind === 'departments') return coversAnything(scope);
  return row.kind === 'problems' && row.assigneeKey !== null && scope.assigneeKeys.includes(row.assigneeKey);
}

/**
 * Whether the user may write `after` over `before` (undefined for a new record). The record as it
 * was must be the user's to change (grid, or a problem they are assigned), and a record may only
 * land in, or move to, a grid the user covers. A task is of no grid: the roles that issue tasks may
 * write one (which task, the planner decides: its issuer or the center); its items are in their
 * targets' grids, so a leader's task reaches only the grids they cover.
 */
export function mayWrite(
  scope: Scope,
  before: ScopedRow | undefined,
  after: { kind?: RecordKind; gridId: string | null },
): boolean {
  if (after.kind === 'tasks')
    return (
      after.gridId === null && (before === undefined || before.gridId === null) && canCreateTask(scope.role)
    );
  if (before) {
    const isAssigned =
      before.kind === 'problems' &&
      before.assigneeKey !== null &&
      scope.assigneeKeys.includes(before.assigneeKey);
    if (!coversGrid(scope, before.gridId) && !isAssigned) return false;
    if (after.gridId === before.gridId) return true;
  }
  return coversGrid(scope, after.gridId);
}

function inList(column: string, values: readonly string[]): SqlFilter {
  return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: [...values] };
}

function anyOf(filters: SqlFilter[]): SqlFilter {
  if (filters.length === 0) return { sql: '0 = 1', params: [] };
  return { sql: filters.map((f) => `(${f.sql})`).join(' OR '), params: filters.flatMap((f) => f.params) };
}

/**
 * The user's scope as a condition on the records table. `alias` prefixes the columns (e.g. 'r.').
 * A department also sees the problems it passed on (prev_assignee_id), so its device learns that a
 * transferred or escalated order has left it instead of keeping a stale copy.
 */
export function recordFilter(scope: Scope, alias = ''): SqlFilter {
  if (scope.gridIds === null) return { sql: '1 = 1', params: [] };
  const filters: SqlFilter[] = [];
  if (coversAnything(scope)) filters.push({ sql: `${alias}kind = 'departments'`, params: [] });
  if (scope.role !== 'department') filters.push({ sql: `${alias}kind = 'tasks'`, params: [] });
  if (scope.gridIds.size > 0) {
    filters.push(inList(`${alias}grid_id`, [...scope.gridIds]));
    filters.push({ sql: `${alias}kind = 'checklistTemplates' AND ${alias}grid_id IS NULL`, params: [] });
  }
  if (scope.ancestorGridIds.size > 0) {
    const ancestors = inList(`${alias}id`, [...scope.ancestorGridIds]);
    filters.push({ sql: `${alias}kind = 'grids' AND ${ancestors.sql}`, params: ancestors.params });
  }
  if (scope.assigneeKeys.length > 0) {
    filters.push(inList(`${alias}assignee_id`, scope.assigneeKeys));
    filters.push(inList(`${alias}prev_assignee_id`, scope.assigneeKeys));
  }
  return anyOf(filters);
}

/** The user's grids as a condition on a `grid_id` column (conflicts, photo uploads). */
export function gridFilter(scope: Scope, column = 'grid_id'): SqlFilter {
  if (scope.gridIds === null) return { sql: '1 = 1', params: [] };
  if (scope.gridIds.size === 0) return { sql: '0 = 1', params: [] };
  return inList(column, [...scope.gridIds]);
}

/**
 * A short fingerprint of everything that decides what the user may pull. A device keeps the one its
 * last page came with; a different one means the scope moved and the device must pull again.
 */
export function scopeKeyOf(scope: Scope): string {
  const sorted = (values: Iterable<string>) => [...values].sort();
  const text = JSON.stringify([
    scope.role,
    scope.gridIds === null ? '*' : sorted(scope.gridIds),
    sorted(scope.ancestorGridIds),
    sorted(scope.assigneeKeys),
  ]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
