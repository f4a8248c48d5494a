import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { pwa } from './state/pwa.svelte.ts';
import { session } from './state/session.svelte.ts';
import { settings } from './state/settings.svelte.ts';

async function start() {
  await Promise.all([settings.load(), session.load()]);
  mount(App, { target: document.getElementById('app')! });
  pwa.register();
}

void start();
