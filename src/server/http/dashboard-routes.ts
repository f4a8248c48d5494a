/**
 * The command center's dashboard (issue 12): GET /api/dashboard for the figures of the caller's grids
 * (a leader) or the whole town (center, admin), optionally one grid inside that (?gridId=), and
 * GET /api/dashboard/list for the rows behind one figure. Others are refused with 403.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { dashboardListQuerySchema, dashboardQuerySchema } from '../../shared/dashboard.ts';
import { computeDashboard } from '../dashboard/dashboard.ts';
import { DASHBOARD_ROLES, dashboardScope, DashboardScopeError } from '../dashboard/grids.ts';
import { dashboardList, DashboardListError } from '../dashboard/lists.ts';
import { requireAuth } from './auth-routes.ts';
import { ApiFailure, parseOr400, type AppContext, type AppEnv, type ServerDeps } from './context.ts';

const onlyDashboardRoles: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!DASHBOARD_ROLES.has(c.get('user').role))
    throw new ApiFailure(403, 'forbidden', '只有网格长、指挥中心和管理员可以查看统计');
  await next();
};

async function scopeOf(deps: ServerDeps, c: AppContext, gridId: string | undefined) {
  try {
    return await dashboardScope(deps.store, c.get('scope'), gridId);
  } catch (error) {
    if (error instanceof DashboardScopeError) throw new ApiFailure(403, 'forbidden', error.message);
    throw error;
  }
}

export function registerDashboardRoutes(app: Hono<AppEnv>, deps: ServerDeps) {
  app.get('/api/dashboard', requireAuth(deps), onlyDashboardRoles, async (c) => {
    const query = parseOr400(dashboardQuerySchema, c.req.query());
    const scope = await scopeOf(deps, c, query.gridId);
    return c.json(await computeDashboard(deps.store, scope, deps.now()));
  });

  app.get('/api/dashboard/list', requireAuth(deps), onlyDashboardRoles, async (c) => {
    const query = parseOr400(dashboardListQuerySchema, c.req.query());
    const scope = await scopeOf(deps, c, query.gridId);
    try {
      return c.json(await dashboardList(deps.store, scope, query, deps.now()));
    } catch (error) {
      if (error instanceof DashboardListError) throw new ApiFailure(400, 'invalid-request', error.message);
      throw error;
    }
  });
}
