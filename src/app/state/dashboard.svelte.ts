import type { Dashboard } from '../../shared/dashboard.ts';
import { readCachedDashboard, storeDashboard } from '../db/dashboard-cache.ts';
import { appDb } from '../db/index.ts';
import { ApiError } from '../sync/api-client.ts';
import { api } from './sync.svelte.ts';

/** Why the figures on screen are not fresh from the server. */
export type RefreshFailure =
  /** No network, or the server did not answer: the screen shows the cache, if any. */
  | { kind: 'offline' }
  /** The server refused this account (not a leader, center or admin) or said something else. */
  | { kind: 'refused'; message: string };

/**
 * A dashboard screen's figures: the cached ones at once, then the server's when it answers. The
 * cache is replaced only by a dashboard the server sent, so a failed refresh keeps the last one.
 * One per screen that shows it (made by the page, not kept in a module): the cache is read at each
 * opening, and it is cleared with the rest of the data at sign-out, so the next person never sees
 * the figures of the one before.
 */
export class DashboardView {
  #shown = $state.raw<{ dashboard: Dashboard; storedAt: number } | undefined>(undefined);
  #isRefreshing = $state(false);
  #failure = $state.raw<RefreshFailure | undefined>(undefined);
  #hasReadCache = $state(false);

  get dashboard(): Dashboard | undefined {
    return this.#shown?.dashboard;
  }
  get isRefreshing(): boolean {
    return this.#isRefreshing;
  }
  get failure(): RefreshFailure | undefined {
    return this.#failure;
  }
  /** The cache has been looked at: "nothing to show" means nothing, not "not read yet". */
  get hasReadCache(): boolean {
    return this.#hasReadCache;
  }

  /**
   * Shows the cache, asks the server, and asks again when the network comes back and, on a wall
   * screen left open, every `everyMs`. Returns the stop, for an $effect.
   */
  start({ everyMs }: { everyMs?: number } = {}): () => void {
    void this.#open();
    const onOnline = () => void this.refresh();
    window.addEventListener('online', onOnline);
    const timer = everyMs === undefined ? undefined : setInterval(onOnline, everyMs);
    return () => {
      window.removeEventListener('online', onOnline);
      clearInterval(timer);
    };
  }

  async #open(): Promise<void> {
    const cached = await readCachedDashboard(appDb);
    // A refresh that answered first is newer than the cache.
    this.#shown ??= cached;
    this.#hasReadCache = true;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (this.#isRefreshing) return;
    this.#isRefreshing = true;
    try {
      if (typeof navigator !== 'undefined' && !navigator.onLine) {
        this.#failure = { kind: 'offline' };
        return;
      }
      const dashboard = await api.dashboard();
      const storedAt = Date.now();
      await storeDashboard(appDb, dashboard, storedAt);
      this.#shown = { dashboard, storedAt };
      this.#failure = undefined;
    } catch (error) {
      this.#failure =
        error instanceof ApiError && !error.isTransient
          ? { kind: 'refused', message: error.message }
          : { kind: 'offline' };
    } finally {
      this.#isRefreshing = false;
    }
  }
}
