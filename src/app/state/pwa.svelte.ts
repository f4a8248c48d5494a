import { Workbox } from 'workbox-window';

/**
 * Service worker registration. A new version waits (no skipWaiting in sw.ts) until the worker taps
 * "reload", so a form being filled in is never reloaded from under them.
 */
class PwaState {
  #isUpdateWaiting = $state(false);
  #isOfflineReady = $state(false);
  #workbox: Workbox | undefined;

  get isUpdateWaiting() {
    return this.#isUpdateWaiting;
  }
  get isOfflineReady() {
    return this.#isOfflineReady;
  }

  register() {
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
    const workbox = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
    this.#workbox = workbox;
    workbox.addEventListener('waiting', () => {
      this.#isUpdateWaiting = true;
    });
    workbox.addEventListener('activated', (event) => {
      if (!event.isUpdate) this.#isOfflineReady = true;
    });
    void workbox.register();
  }

  applyUpdate() {
    // Reload once the new version controls the page, so no page runs old code against a new cache.
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), {
      once: true,
    });
    this.#workbox?.messageSkipWaiting();
  }

  reset() {
    this.#isUpdateWaiting = false;
    this.#isOfflineReady = false;
  }
}

export const pwa = new PwaState();
