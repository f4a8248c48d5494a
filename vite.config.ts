import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The app's index.html lives in src/app (the top level holds only what the design card allows).
export default defineConfig({
  root: here('./src/app'),
  publicDir: here('./public'),
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
  },
  worker: { format: 'es' },
  // zod without its eval probe, which the server's CSP reports as a violation (src/app/zod-jitless.ts).
  resolve: { alias: [{ find: /^zod$/, replacement: here('./src/app/zod-jitless.ts') }] },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
  plugins: [
    svelte(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: here('./src'),
      filename: 'sw.ts',
      // workbox-window registers it from state/pwa.svelte.ts, with our own update prompt.
      injectRegister: false,
      registerType: 'prompt',
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
      manifest: {
        id: '/',
        name: '网格连心',
        short_name: '网格连心',
        description: '网格员离线工作台：人房台账、入户走访、随手拍',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#f4f6f8',
        theme_color: '#c8102e',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
});
