/**
 * Which grids a dashboard counts: a leader's own (with every grid below them), the whole town for the
 * command center and the administrator, narrowed by ?gridId= to one grid and the grids below it, never
 * past the caller's scope. Every query of the dashboard filters by the result.
 */
import { gridsAtOrBelow } from '../../shared/domain/grid-tree.ts';
import { canSeeSensitive } from '../../shared/domain/privacy.ts';
import type { Grid } from '../../shared/schemas/grid.ts';
import type { Scope } from '../scope.ts';
import type { SqlFilter, Store, UserRole } from '../store/store.ts';

/** Who may open the dashboard. */
export const DASHBOARD_ROLES: ReadonlySet<UserRole> = new Set<UserRole>(['leader', 'center', 'admin']);

export interface DashboardScope {
  townId: string;
  role: UserRole;
  /** The grids counted, or null for the whole town. */
  gridIds: ReadonlySet<string> | null;
  /** Every live grid of the town, by id (names, and the tree for narrowing). */
  grids: ReadonlyMap<string, Grid>;
  /** Whether sensitive care tags may be named (PIPL: privacy.ts). */
  seesSensitive: boolean;
}

export class DashboardScopeError extends Error {}

/** The grid and every grid below it. */
const subtree = (grids: ReadonlyMap<string, Grid>, rootId: string) =>
  gridsAtOrBelow(grids.values(), [rootId]);

export async function dashboardScope(store: Store, scope: Scope, gridId?: string): Promise<DashboardScope> {
  const live = await store.records.live(scope.townId, 'grids');
  const grids = new Map(live.map((grid) => [grid.id, grid]));
  let gridIds: ReadonlySet<string> | null = scope.gridIds;
  if (gridId !== undefined) {
    if (!grids.has(gridId) || (scope.gridIds !== null && !scope.gridIds.has(gridId)))
      throw new DashboardScopeError('无权查看这个网格的统计：不在您负责的范围内');
    const below = subtree(grids, gridId);
    gridIds = scope.gridIds === null ? below : new Set([...below].filter((id) => scope.gridIds!.has(id)));
  }
  return {
    townId: scope.townId,
    role: scope.role,
    gridIds,
    grids,
    seesSensitive: canSeeSensitive(scope.role),
  };
}

/** `grid_id IN (…)` for the scope's grids (`column` may carry an alias), or no condition for the town. */
export function gridCondition(scope: DashboardScope, column = 'grid_id'): SqlFilter {
  if (scope.gridIds === null) return { sql: '1 = 1', params: [] };
  if (scope.gridIds.size === 0) return { sql: '0 = 1', params: [] };
  const ids = [...scope.gridIds];
  return { sql: `${column} IN (${ids.map(() => '?').join(', ')})`, params: ids };
}

export const isCounted = (scope: DashboardScope, gridId: string | null): boolean =>
  gridId !== null && (scope.gridIds === null || scope.gridIds.has(gridId));

/** The grid's name as the card prints it. */
export const gridName = (scope: DashboardScope, gridId: string): string =>
  scope.grids.get(gridId)?.name ?? gridId;
