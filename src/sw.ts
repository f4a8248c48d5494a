/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare let self: ServiceWorkerGlobalScope;

// The app shell: every built file, so the app starts and works with no network at all.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every navigation (any hash route, a reload in a basement) is answered with the cached shell.
// The API is never served from here: sync must see the real network's answer. Nor are the resident's
// pages (/r/…): a worker's own phone scanning a grid card must get the card's page, not the app.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/r\//, /^\/resident\//],
  }),
);

// A new version waits until the worker taps "reload" in the app (state/pwa.svelte.ts).
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// Background Sync is only a wake-up (never the outbox): tell open pages to run their own sync.
self.addEventListener('sync', (event) => {
  const syncEvent = event as ExtendableEvent & { tag?: string };
  if (syncEvent.tag !== 'lianxin-sync') return;
  syncEvent.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((clients) => {
      for (const client of clients) client.postMessage({ type: 'SYNC_NOW' });
    }),
  );
});

// Only the first install takes control at once; later versions wait for the prompt above.
clientsClaim();
