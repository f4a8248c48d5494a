import type { Dashboard } from '../../../shared/dashboard.ts';
import type { Actor } from '../../../shared/schemas/index.ts';
import { t } from '../i18n/index.ts';

/** Who has the dashboard: a leader for their grids, the command center and the admin for the town. */
export const DASHBOARD_ROLES: ReadonlySet<Actor['role']> = new Set(['leader', 'center', 'admin']);

/** "全镇" or "我的网格（7 个）": what the figures count. */
export function scopeLine(dashboard: Dashboard): string {
  return dashboard.gridIds === null
    ? t('dashScopeTown')
    : t('dashScopeGrids', { n: dashboard.gridIds.length });
}
