import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The resident's page (/r/<token>, /r/t/<code>): its own small build, after the app's (so the app's
 * service worker never precaches it), into dist/resident. es2017 for WeChat's in-app browser and
 * older Android WebViews; no framework, no Dexie, no service worker.
 */
export default defineConfig({
  root: here('.'),
  base: '/resident/',
  publicDir: false,
  build: {
    outDir: here('../../dist/resident'),
    emptyOutDir: true,
    target: 'es2017',
    modulePreload: false,
  },
});
