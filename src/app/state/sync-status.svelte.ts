import type { SyncStatus } from '../sync/sync-engine.ts';

/**
 * The sync status line's data, apart from the engine: the status line is on the first screen, while
 * the engine (API client, planner, schemas) loads only once someone signs in.
 */
class SyncStatusState {
  #status = $state.raw<SyncStatus>({
    state: 'idle',
    lastSyncAt: undefined,
    lastError: undefined,
    pulled: 0,
    remaining: 0,
  });

  get status(): SyncStatus {
    return this.#status;
  }

  set(status: SyncStatus) {
    this.#status = status;
  }

  reset() {
    this.set({ state: 'idle', lastSyncAt: undefined, lastError: undefined, pulled: 0, remaining: 0 });
  }
}

export const syncStatus = new SyncStatusState();
