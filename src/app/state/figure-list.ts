import type { DashboardFigure, DashboardList } from '../../shared/dashboard.ts';
import type { FigureParams } from '../../shared/domain/dashboard/figure-value.ts';
import type { AppDB } from '../db/app-db.ts';
import { readCachedDashboard } from '../db/dashboard-cache.ts';
import { figureListOnDevice } from '../db/dashboard-rows.ts';
import { ApiError } from '../sync/api-client.ts';
import { api } from './sync.svelte.ts';

/** The list behind a figure, and where it came from. */
export type FigureListResult =
  | { kind: 'server'; list: DashboardList }
  /** Offline: counted on the device from its synced records, as of the cached figures' time. */
  | { kind: 'device'; list: DashboardList }
  /** Offline, and a figure only the server can list. */
  | { kind: 'none' }
  | { kind: 'failed'; message: string };

/** Asks the server; offline (or when it does not answer), lists what the device holds. */
export async function loadFigureList(
  db: AppDB,
  figure: DashboardFigure,
  params: FigureParams,
): Promise<FigureListResult> {
  if (navigator.onLine) {
    try {
      return { kind: 'server', list: await api.dashboardList(figure, params) };
    } catch (error) {
      if (error instanceof ApiError && !error.isTransient) return { kind: 'failed', message: error.message };
    }
  }
  // The figures on screen are the cached ones: their instant is the one the list is counted at.
  const asOf = (await readCachedDashboard(db))?.dashboard.asOf ?? Date.now();
  const list = await figureListOnDevice(db, figure, params, asOf);
  return list ? { kind: 'device', list } : { kind: 'none' };
}
