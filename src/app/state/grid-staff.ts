import { PROBLEM_TRANSITIONS } from '../../shared/domain/problem-transitions.ts';
import { storeGridStaff } from '../db/grid-staff-cache.ts';
import { appDb } from '../db/index.ts';
import { session } from './session.svelte.ts';
import { api } from './sync.svelte.ts';

/** Who dispatches and transfers, and so needs the grids' workers on the phone. */
const DISPATCHING_ROLES: ReadonlySet<string> = new Set([
  ...PROBLEM_TRANSITIONS.dispatch.roles,
  ...PROBLEM_TRANSITIONS.transfer.roles,
]);

/**
 * Fetches the workers and helpers of the user's grids and caches them (db/grid-staff-cache.ts), for
 * a role that dispatches, when online: after signing in, and each time a problem's page opens, so
 * the list is there offline and fresh whenever there is a network. A failure keeps the cached list.
 */
export async function refreshGridStaff(): Promise<void> {
  const user = session.user;
  if (!user || !DISPATCHING_ROLES.has(user.role)) return;
  if (typeof navigator !== 'undefined' && !navigator.onLine) return;
  try {
    const staff = await api.gridStaff();
    // Signed out (or in as someone else) meanwhile: the list is not the device's user's any more.
    if (session.user?.id !== user.id) return;
    await storeGridStaff(appDb, staff);
  } catch {
    // Offline or refused: dispatching offers what was cached, and the departments anyway.
  }
}
