import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { MAX_BLOB_BYTES, MAX_BODY_BYTES, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../shared/protocol.ts';
import { DEFAULT_KDF, LoginThrottle, type KdfParams, type ThrottleOptions } from '../auth.ts';
import type { Store } from '../store/store.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerBlobRoutes } from './blob-routes.ts';
import { ApiFailure, errorBody, type AppEnv, type ServerDeps } from './context.ts';
import { registerSyncRoutes } from './sync-routes.ts';

export interface ServerAppOptions {
  store: Store;
  /** The built PWA (dist/); without it only the API is served. */
  distDir?: string;
  now?: () => number;
  throttle?: ThrottleOptions;
  /** Hashing cost for the decoy hash of unknown usernames; match the accounts' own cost. */
  kdf?: KdfParams;
  trustProxy?: boolean;
}

const tooLarge = (limit: number) =>
  errorBody('payload-too-large', `请求内容过大（上限 ${Math.round(limit / 1024 / 1024)} MB）`);

/** The sync server and the PWA on one origin (ARCHITECTURE.md "HTTP API"). */
export function createServerApp(options: ServerAppOptions): Hono<AppEnv> {
  const now = options.now ?? Date.now;
  const deps: ServerDeps = {
    store: options.store,
    now,
    throttle: new LoginThrottle({ now, ...options.throttle }),
    kdf: options.kdf ?? DEFAULT_KDF,
    trustProxy: options.trustProxy ?? false,
  };
  const app = new Hono<AppEnv>();

  // Whatever goes wrong, the client gets the JSON error shape and never a stack trace.
  app.onError((error, c) => {
    if (error instanceof ApiFailure)
      return c.json(errorBody(error.reason, error.message), error.status, error.headers);
    if (error instanceof HTTPException && error.status < 500)
      return c.json(errorBody('invalid-request', '请求无效'), error.status);
    console.error(`${c.req.method} ${c.req.path} failed`, error);
    return c.json(errorBody('server-error', '服务器出错了，请稍后再试'), 500);
  });

  app.use('/api/*', async (c, next) => {
    await next();
    // Tokens and residents' data must not sit in shared caches; photos set their own policy.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  // A header from another protocol version is refused everywhere; pull also requires it (sync-routes).
  app.use('/api/*', async (c, next) => {
    const version = c.req.header(PROTOCOL_HEADER);
    if (version !== undefined && version !== String(PROTOCOL_VERSION))
      throw new ApiFailure(
        400,
        'protocol-version',
        `协议版本不符：请更新应用（服务器为 ${PROTOCOL_VERSION}）`,
      );
    await next();
  });
  // Sizes are checked while the body streams in, before anything parses it.
  const blobLimit = bodyLimit({
    maxSize: MAX_BLOB_BYTES,
    onError: (c) => c.json(tooLarge(MAX_BLOB_BYTES), 413),
  });
  const jsonLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json(tooLarge(MAX_BODY_BYTES), 413),
  });
  app.use('/api/*', (c, next) =>
    c.req.path.startsWith('/api/blobs/') ? blobLimit(c, next) : jsonLimit(c, next),
  );

  app.get('/api/health', (c) => c.json({ ok: true, protocolVersion: PROTOCOL_VERSION }));
  registerAuthRoutes(app, deps);
  registerSyncRoutes(app, deps);
  registerBlobRoutes(app, deps);
  registerAdminRoutes(app, deps);
  app.all('/api/*', (c) =>
    c.json(errorBody('not-found', `没有这个接口：${c.req.method} ${c.req.path}`), 404),
  );

  if (options.distDir) {
    const distDir = options.distDir;
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
  }
  return app;
}
