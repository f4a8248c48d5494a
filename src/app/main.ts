import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { appDb } from './db/index.ts';
import { pwa } from './state/pwa.svelte.ts';
import { session } from './state/session.svelte.ts';
import { settings } from './state/settings.svelte.ts';
import { wipe } from './state/wipe.svelte.ts';

async function start() {
  await Promise.all([settings.load(), session.load()]);
  // Not awaited: it reads the database, which the first screen waits for anyway.
  void wipe.detect(appDb);
  mount(App, { target: document.getElementById('app')! });
  pwa.register();
  if (hasE2eFlag()) void import('./state/e2e-hooks.ts').then((hooks) => hooks.installE2eHooks());
}

/**
 * Set only by an end-to-end test (tests/e2e/long-week-offline.spec.ts) before the app loads: the
 * test hooks are their own chunk, fetched by no one else.
 */
function hasE2eFlag(): boolean {
  try {
    return localStorage.getItem('lianxin:e2e-hooks') === '1';
  } catch {
    return false;
  }
}

void start();
