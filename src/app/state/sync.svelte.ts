import { appDb } from '../db/index.ts';
import { loadPinyin } from '../db/pinyin.ts';
import { ApiClient } from '../sync/api-client.ts';
import { SyncEngine, type SyncStatus } from '../sync/sync-engine.ts';
import { session } from './session.svelte.ts';
import { syncStatus } from './sync-status.svelte.ts';

/** While the app is open it syncs this often, besides every trigger below. */
export const SYNC_INTERVAL_MS = 60_000;
export const BACKGROUND_SYNC_TAG = 'lianxin-sync';

export const api = new ApiClient({ getToken: () => session.token });

/**
 * Sync as rune state, with its triggers (ARCHITECTURE.md sync step 6): app start, `online`, becoming
 * visible, a timer while open, the "sync now" button, and Background Sync only as a wake-up.
 */
class SyncState {
  readonly engine = new SyncEngine({
    db: appDb,
    api,
    actor: () => session.planActor,
    pinyin: loadPinyin,
    onStatus: (status) => {
      syncStatus.set(status);
      if (status.state === 'offline') void this.requestBackgroundWakeUp();
    },
  });

  get status(): SyncStatus {
    return syncStatus.status;
  }

  /** Any automatic reason to sync (a new write, the triggers below): waits out a backoff. */
  trigger(): Promise<void> {
    return this.engine.sync();
  }

  /** The person's "立即同步": runs now, whatever the backoff says. */
  syncNow(): Promise<void> {
    return this.engine.sync({ isManual: true });
  }

  start(): () => void {
    const run = () => void this.trigger();
    const onVisible = () => {
      if (document.visibilityState === 'visible') run();
    };
    const onMessage = (event: MessageEvent<{ type?: string }>) => {
      if (event.data?.type === 'SYNC_NOW') run();
    };
    window.addEventListener('online', run);
    document.addEventListener('visibilitychange', onVisible);
    navigator.serviceWorker?.addEventListener('message', onMessage);
    const timer = setInterval(run, SYNC_INTERVAL_MS);
    run();
    return () => {
      window.removeEventListener('online', run);
      document.removeEventListener('visibilitychange', onVisible);
      navigator.serviceWorker?.removeEventListener('message', onMessage);
      clearInterval(timer);
      this.engine.stop();
    };
  }

  /** Asks Chromium to wake the service worker when the network returns; it only nudges us to sync. */
  async requestBackgroundWakeUp(): Promise<void> {
    const registration = await navigator.serviceWorker?.getRegistration();
    const syncManager = (
      registration as
        (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined
    )?.sync;
    await syncManager?.register(BACKGROUND_SYNC_TAG).catch(() => undefined);
  }

  reset() {
    this.engine.stop();
  }
}

export const sync = new SyncState();
