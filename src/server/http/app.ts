import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { TLSSocket } from 'node:tls';
import { MAX_BLOB_BYTES, MAX_BODY_BYTES, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../shared/protocol.ts';
import { DEFAULT_KDF, LoginThrottle, type KdfParams, type ThrottleOptions } from '../auth.ts';
import type { Store } from '../store/store.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerBlobRoutes } from './blob-routes.ts';
import { ApiFailure, errorBody, type AppContext, type AppEnv, type ServerDeps } from './context.ts';
import { registerDashboardRoutes } from './dashboard-routes.ts';
import { registerGridStaffRoutes } from './grid-staff-routes.ts';
import { registerPublicRoutes } from './public-routes.ts';
import { registerSyncRoutes } from './sync-routes.ts';

export interface ServerAppOptions {
  store: Store;
  /** The built PWA (dist/); without it only the API is served. */
  distDir?: string;
  now?: () => number;
  throttle?: ThrottleOptions;
  /** Hashing cost for the decoy hash of unknown usernames; match the accounts' own cost. */
  kdf?: KdfParams;
  /** Behind a reverse proxy: believe its X-Forwarded-For (client address) and X-Forwarded-Proto (HSTS). */
  trustProxy?: boolean;
}

const tooLarge = (limit: number) =>
  errorBody('payload-too-large', `请求内容过大（上限 ${Math.round(limit / 1024 / 1024)} MB）`);

/** Past a body's limit, up to this much more is read and thrown away before the 413 goes out. */
const DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * Sizes are checked while the body streams in, before anything parses it. A body over the limit is
 * read on and discarded (up to DRAIN_BYTES): closing a socket the client is still writing to resets
 * the connection, and the client may then never read the answer. The 413 says Connection: close, so
 * a keep-alive client sends its next request on a fresh connection instead of one being torn down.
 */
function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    // The HTTP parser never hands over more than Content-Length bytes: a declared size within the
    // limit needs no counting here.
    const declared = c.req.header('transfer-encoding')
      ? Number.NaN
      : Number(c.req.header('content-length') ?? Number.NaN);
    if (declared <= maxSize) return next();
    const refuse = () => c.json(tooLarge(maxSize), 413, { Connection: 'close' });
    if (declared > maxSize + DRAIN_BYTES) return refuse();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxSize) {
        chunks.length = 0;
        // Whatever is left past the drain allowance is the closing socket's problem.
        if (size > maxSize + DRAIN_BYTES) return refuse();
      } else chunks.push(value);
    }
    if (size > maxSize) return refuse();
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    c.req.raw = new Request(c.req.raw, { body: bytes });
    return next();
  };
}

/**
 * One policy for every answer: the shell, the built files, the service worker (its CSP governs what
 * the worker fetches), the API and photos. The build has no inline script: Vite emits module files,
 * and with injectRegister: false vite-plugin-pwa adds no registerSW snippet (workbox-window registers
 * the worker from the bundle).
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // 'unsafe-inline' for styles only, for the printable daily list (export/print.ts): a document with
  // an inline <style> sheet and <col style="width:…"> attributes, written into a popup or a srcdoc
  // iframe, which inherit this policy. The app itself needs none: Svelte ships its CSS as files and
  // sets style: directives through the CSSOM (element.style), which CSP does not restrict.
  styleSrc: ["'self'", "'unsafe-inline'"],
  // Photos are shown from object URLs; the compressor reads images as data: URLs.
  imgSrc: ["'self'", 'blob:', 'data:'],
  // blob: reads back a photo the page itself holds (the e2e tests hash the bytes an <img> shows);
  // such a URL only ever names data of this origin, so nothing can leave through it.
  connectSrc: ["'self'", 'blob:'],
  // The demo loader's module Web Worker (a built file) and the service worker.
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const SECURE_HEADERS = {
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  referrerPolicy: 'no-referrer',
  xContentTypeOptions: 'nosniff',
  xFrameOptions: 'DENY',
} as const;
/** Plain http (a LAN deployment) must never get HSTS: browsers would refuse the server afterwards. */
const secureHeadersHttp = secureHeaders({ ...SECURE_HEADERS, strictTransportSecurity: false });
// No includeSubDomains: other hosts of the town's domain may still be served over plain http.
const secureHeadersHttps = secureHeaders({
  ...SECURE_HEADERS,
  strictTransportSecurity: 'max-age=31536000',
});

/** Whether the client reached us over HTTPS: TLS on this socket, or a trusted proxy that says so. */
function cameOverHttps(c: AppContext, trustProxy: boolean): boolean {
  if (trustProxy) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    if (proto) return proto === 'https';
  }
  const socket = c.env?.incoming?.socket as TLSSocket | undefined;
  // Without a Node socket (app.request in tests, other runtimes) the URL says how it came.
  return socket ? socket.encrypted === true : new URL(c.req.url).protocol === 'https:';
}

/** The sync server and the PWA on one origin (ARCHITECTURE.md "HTTP API"). */
export function createServerApp(options: ServerAppOptions): Hono<AppEnv> {
  const now = options.now ?? Date.now;
  const deps: ServerDeps = {
    store: options.store,
    now,
    throttle: new LoginThrottle(options.store.accounts, { now, ...options.throttle }),
    kdf: options.kdf ?? DEFAULT_KDF,
    trustProxy: options.trustProxy ?? false,
  };
  const app = new Hono<AppEnv>();

  // Outermost, so every answer has them: files, the shell fallback, API errors and 404s alike.
  app.use('*', (c, next) =>
    cameOverHttps(c, deps.trustProxy) ? secureHeadersHttps(c, next) : secureHeadersHttp(c, next),
  );
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
  const blobLimit = limitBody(MAX_BLOB_BYTES);
  const jsonLimit = limitBody(MAX_BODY_BYTES);
  app.use('/api/*', (c, next) =>
    c.req.path.startsWith('/api/blobs/') ? blobLimit(c, next) : jsonLimit(c, next),
  );

  // A load balancer's check: this process answers and reaches its database.
  app.get('/api/health', async (c) => {
    try {
      await deps.store.sql.get('SELECT 1 AS ok');
    } catch {
      return c.json(errorBody('server-error', '服务器暂时连不上数据库'), 503, { 'Retry-After': '5' });
    }
    return c.json({ ok: true, protocolVersion: PROTOCOL_VERSION });
  });
  registerAuthRoutes(app, deps);
  registerSyncRoutes(app, deps);
  registerBlobRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerDashboardRoutes(app, deps);
  registerGridStaffRoutes(app, deps);
  // The resident's page and its API, without an account (/r/…, /api/public/…).
  registerPublicRoutes(app, deps, options.distDir);
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
