import { clearLocalData } from '../db/clear.ts';
import { appDb } from '../db/index.ts';
import { META_KEYS } from '../db/meta.ts';
import { listWorkGrids } from '../db/queries.ts';
import { refreshGridStaff } from './grid-staff.ts';
import { requestPersistenceOnce } from './storage.ts';
import { session } from './session.svelte.ts';
import { settings } from './settings.svelte.ts';
import { api, sync } from './sync.svelte.ts';
import { wipe } from './wipe.svelte.ts';

/**
 * Signs in and makes this device a copy of the user's scope: whatever was here before (the offline
 * demo) is replaced, then the first pull brings the user's grids with a progress bar.
 * The caller has already asked about unsynced changes (see pendingBeforeReplacing).
 */
export async function signIn(username: string, password: string): Promise<void> {
  const { token, user } = await api.login(username, password);
  // Replaced on purpose: a start cut short in the download below must not warn of a wiped phone.
  wipe.forget();
  await settings.setHadData(false);
  await clearLocalData(appDb);
  await session.signIn(token, user);
  void requestPersistenceOnce();
  await sync.engine.syncOnce(session.planActor!);
  // Not awaited: the register is what the first screen needs; the list only has to be there before
  // the phone goes offline (it comes again whenever a problem's page opens online).
  void refreshGridStaff();
  const [households, people] = await Promise.all([appDb.households.count(), appDb.people.count()]);
  await appDb.meta.bulkPut([
    { key: META_KEYS.dataset, value: { source: 'server', loadedAt: Date.now(), households, people } },
    { key: META_KEYS.sentinel, value: { writtenAt: Date.now() } },
  ]);
  // The first of the user's grids in code order (XF-01 before XF-07) is where the day starts.
  const grids = await listWorkGrids(appDb);
  await settings.setGrid(grids.find((choice) => user.gridIds.includes(choice.grid.id))?.grid.id ?? null);
}

/** How many local changes would be lost by replacing or clearing this device's data. */
export function pendingBeforeReplacing(): Promise<number> {
  return appDb.outbox.count();
}

/**
 * Signs out and removes the user's data from the device (it holds residents' personal data). The UI
 * must have shown the unsynced count and had it confirmed; this tries one last sync first.
 */
export async function signOut(): Promise<void> {
  await sync.syncNow();
  try {
    await api.logout();
  } catch {
    // Offline: the session ends on this device now; the server token expires on its own.
  }
  await clearLocalData(appDb);
  wipe.forget();
  await session.signOut();
  await settings.setGrid(null);
  await settings.setHadData(false);
}

/**
 * Empties this device on purpose (settings, "clear data"): the register, the outbox and the grid
 * chosen. The UI must have shown the unsynced count and had it confirmed (storage safety).
 */
export async function clearDeviceData(): Promise<void> {
  await clearLocalData(appDb);
  await settings.setGrid(null);
  // Cleared on purpose: do not greet the next start with a "wiped" warning.
  wipe.forget();
  await settings.setHadData(false);
}
