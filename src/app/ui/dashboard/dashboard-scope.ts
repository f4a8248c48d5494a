import type { Dashboard } from '../../../shared/dashboard.ts';
import type { Actor } from '../../../shared/schemas/index.ts';
import { dt } from './dt.ts';

/** Who has the dashboard: a leader for their grids, the command center and the admin for the town. */
export const DASHBOARD_ROLES: ReadonlySet<Actor['role']> = new Set(['leader', 'center', 'admin']);

/** "全镇" or "我的网格（7 个）": what the figures count. */
export function scopeLine(dashboard: Dashboard): string {
  return dashboard.gridIds === null
    ? dt('dashScopeTown')
    : dt('dashScopeGrids', { n: dashboard.gridIds.length });
}
