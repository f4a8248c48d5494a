/**
 * GET /api/grid-staff: the active worker and helper accounts of the caller's grids (a leader's own,
 * with every grid below them; the whole town for the center and the administrator), so a problem can
 * be dispatched to the grid's worker. Others are refused with 403.
 */
import type { Hono } from 'hono';
import { GRID_STAFF_ROLES, type GridStaff, type GridStaffMember } from '../../shared/grid-staff.ts';
import { coversGrid } from '../scope.ts';
import type { UserRole } from '../store/store.ts';
import { requireAuth } from './auth-routes.ts';
import { ApiFailure, type AppEnv, type ServerDeps } from './context.ts';

/** Who dispatches (the dispatch rule's roles in problem-transitions.ts). */
const DISPATCHING_ROLES: ReadonlySet<UserRole> = new Set<UserRole>(['leader', 'center', 'admin']);
const isStaffRole = (role: UserRole): role is GridStaffMember['role'] =>
  (GRID_STAFF_ROLES as readonly UserRole[]).includes(role);

export function registerGridStaffRoutes(app: Hono<AppEnv>, deps: ServerDeps) {
  app.get('/api/grid-staff', requireAuth(deps), async (c) => {
    const scope = c.get('scope');
    if (!DISPATCHING_ROLES.has(scope.role))
      throw new ApiFailure(403, 'forbidden', '只有网格长、指挥中心和管理员可以查看网格员名单');
    const staff: GridStaff = [];
    for (const user of await deps.store.accounts.list(scope.townId)) {
      const { role } = user;
      if (user.revokedAt !== null || !isStaffRole(role)) continue;
      const gridIds = user.gridIds.filter((gridId) => coversGrid(scope, gridId));
      if (gridIds.length === 0) continue;
      staff.push({ userId: user.id, name: user.name, role, gridIds });
    }
    return c.json(staff);
  });
}
