import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Serves the built PWA. The sync server (accounts, push, pull, photos) grows here; until then this
 * is the whole of it, so `npm start` gives a working offline app on one port.
 */
export function createApp(distDir: string) {
  const app = new Hono();
  app.get('/api/health', (c) => c.json({ ok: true }));
  app.all('/api/*', (c) =>
    c.json({ error: { reason: 'not-found', message: `没有这个接口：${c.req.path}` } }, 404),
  );
  // The service worker and the manifest must never be cached by HTTP, or updates stall for a day.
  app.use('/sw.js', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-cache');
  });
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  app.use('/*', serveStatic({ root: distDir }));
  // Unknown paths get the shell; the app's hash router takes it from there.
  app.get('*', serveStatic({ root: distDir, path: 'index.html' }));
  return app;
}

function main() {
  const distDir = fileURLToPath(new URL('../../dist', import.meta.url));
  if (!existsSync(`${distDir}/index.html`)) {
    console.error('找不到 dist/index.html：请先运行 `npm run build`（`npm start` 会自动构建）。');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '0.0.0.0';
  serve({ fetch: createApp(distDir).fetch, port, hostname: host }, (info) => {
    console.log(`网格连心 running on http://localhost:${info.port}`);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
