import { dashboardSchema, type Dashboard } from '../../shared/dashboard.ts';
import type { AppDB } from './app-db.ts';
import { META_KEYS, readMeta } from './meta.ts';

/**
 * The last dashboard the server sent, kept in the meta table: the screen opens from it offline and
 * says how old it is. The meta table is cleared with the rest at sign-in and sign-out, so one
 * person's figures never show to the next.
 */
export interface CachedDashboard {
  dashboard: Dashboard;
  /** When this device received it (the figures' own time is dashboard.asOf). */
  storedAt: number;
}

export async function storeDashboard(db: AppDB, dashboard: Dashboard, storedAt: number): Promise<void> {
  const cached: CachedDashboard = { dashboard, storedAt };
  await db.meta.put({ key: META_KEYS.dashboard, value: cached });
}

/**
 * The cached dashboard, or undefined when there is none, or when it was stored by another version of
 * the app in a shape this one no longer reads (it is replaced by the next fetch).
 */
export async function readCachedDashboard(db: AppDB): Promise<CachedDashboard | undefined> {
  const stored = await readMeta<{ dashboard?: unknown; storedAt?: unknown }>(db, META_KEYS.dashboard);
  if (!stored || typeof stored.storedAt !== 'number') return undefined;
  const parsed = dashboardSchema.safeParse(stored.dashboard);
  return parsed.success ? { dashboard: parsed.data, storedAt: stored.storedAt } : undefined;
}
