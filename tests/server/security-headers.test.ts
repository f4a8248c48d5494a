/**
 * Every answer of the server (the app shell, its files, the service worker, the API, its errors and
 * photos) carries the security headers; HSTS only when the request really came over HTTPS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApp } from '../../src/server/http/app.ts';
import { PROTOCOL_HEADER } from '../../src/shared/protocol.ts';
import { createHarness, T0, TEST_KDF, type Harness } from './harness.ts';

let h: Harness;
let token: string;
let distDir: string;
/** The app with a (tiny) built PWA, over the harness's store. */
let app: ReturnType<typeof createServerApp>;

beforeAll(async () => {
  h = await createHarness({ households: 20 });
  token = await h.login('wgy01');
  distDir = mkdtempSync(join(tmpdir(), 'lianxin-headers-dist-'));
  mkdirSync(join(distDir, 'assets'));
  writeFileSync(
    join(distDir, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/index-abc.js"></script></head><body></body></html>',
  );
  writeFileSync(join(distDir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(distDir, 'assets', 'index-abc.js'), 'console.log("app");');
  app = createServerApp({ store: h.store, distDir, kdf: TEST_KDF, now: () => T0 });
});

afterAll(() => {
  rmSync(distDir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}, target = app) {
  return Promise.resolve(target.request(path, { headers }));
}

/** The CSP as directive -> sources. */
function csp(response: Response): Map<string, string[]> {
  const header = response.headers.get('content-security-policy');
  expect(header, 'Content-Security-Policy').toBeTruthy();
  return new Map(
    header!
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

function expectSecurityHeaders(response: Response) {
  const policy = csp(response);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('script-src')).toEqual(["'self'"]);
  expect(policy.get('connect-src')).toEqual(["'self'", 'blob:']);
  expect(policy.get('img-src')).toEqual(["'self'", 'blob:', 'data:']);
  expect(policy.get('worker-src')).toEqual(["'self'"]);
  expect(policy.get('manifest-src')).toEqual(["'self'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  expect(policy.get('form-action')).toEqual(["'self'"]);
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(policy.get('style-src')?.[0]).toBe("'self'");
  // No way to run a script that is not a file from this origin.
  for (const sources of policy.values()) {
    expect(sources).not.toContain("'unsafe-eval'");
    expect(sources).not.toContain('*');
  }
  for (const directive of ['default-src', 'script-src', 'script-src-elem', 'script-src-attr'])
    expect(policy.get(directive) ?? []).not.toContain("'unsafe-inline'");

  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(['no-referrer', 'strict-origin-when-cross-origin']).toContain(
    response.headers.get('referrer-policy'),
  );
  // Plain http (a LAN deployment) must never be told to insist on HTTPS.
  expect(response.headers.get('strict-transport-security')).toBeNull();
}

describe('security headers', () => {
  it('are on the app shell, the shell fallback, the built files and the service worker', async () => {
    const shell = await get('/');
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toMatch(/^text\/html/);
    expectSecurityHeaders(shell);

    const fallback = await get('/some/deep/link');
    expect(fallback.status).toBe(200);
    expect(await fallback.text()).toContain('/assets/index-abc.js');
    expectSecurityHeaders(fallback);

    const asset = await get('/assets/index-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(asset);

    const sw = await get('/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(sw);
  });

  it('are on API answers and API errors, which are never cached', async () => {
    const answers: Array<[Response, number]> = [
      [await get('/api/health'), 200],
      [await get('/api/me', { authorization: `Bearer ${token}` }), 200],
      [await get('/api/me'), 401],
      [await get('/api/me', { authorization: 'Bearer not-a-token' }), 401],
      [await get('/api/no-such-thing'), 404],
      [await get('/api/blobs/not-a-hash', { authorization: `Bearer ${token}` }), 400],
      [await get('/api/me', { [PROTOCOL_HEADER]: '0' }), 400],
      [
        await Promise.resolve(
          app.request('/api/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{{{',
          }),
        ),
        400,
      ],
    ];
    for (const [response, status] of answers) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control'), `${status} ${response.url}`).toBe('no-store');
      expectSecurityHeaders(response);
    }
    // The harness's app (no dist/) answers the same.
    const bare = await h.call('GET', '/api/no-such-thing');
    expect(bare.status).toBe(404);
    expect(bare.headers.get('cache-control')).toBe('no-store');
    expectSecurityHeaders(bare);
  });

  it('are on a photo, which keeps its own cache policy', async () => {
    const bytes = new Uint8Array(1024);
    bytes.set(randomBytes(bytes.length));
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const put = await h.call('PUT', `/api/blobs/${sha256}`, {
      token,
      rawBody: bytes,
      headers: { 'content-type': 'image/png', 'x-lianxin-grid': h.grid('XF-01') },
    });
    expect(put.status).toBe(201);
    expectSecurityHeaders(put);

    const photo = await get(`/api/blobs/${sha256}`, { authorization: `Bearer ${token}` });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expectSecurityHeaders(photo);

    const missing = await get(`/api/blobs/${'0'.repeat(64)}`, { authorization: `Bearer ${token}` });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expectSecurityHeaders(missing);
  });

  it('send HSTS only for HTTPS: directly, or through a trusted proxy that says so', async () => {
    const hsts = (response: Response) => response.headers.get('strict-transport-security');
    const proxied = createServerApp({
      store: h.store,
      distDir,
      kdf: TEST_KDF,
      now: () => T0,
      trustProxy: true,
    });

    // Plain http, with or without a proxy.
    expect(hsts(await get('/'))).toBeNull();
    expect(hsts(await get('/', {}, proxied))).toBeNull();
    expect(hsts(await get('/', { 'x-forwarded-proto': 'http' }, proxied))).toBeNull();
    // Anyone can send the header: without a trusted proxy it means nothing.
    expect(hsts(await get('/', { 'x-forwarded-proto': 'https' }))).toBeNull();
    expect(hsts(await get('/api/health', { 'x-forwarded-proto': 'https' }))).toBeNull();

    // A trusted proxy terminating TLS: the first (client-facing) hop counts.
    for (const path of ['/', '/api/health', '/api/no-such-thing', '/assets/index-abc.js']) {
      const response = await get(path, { 'x-forwarded-proto': 'https' }, proxied);
      expect(hsts(response), path).toMatch(/^max-age=\d{7,}/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    expect(hsts(await get('/', { 'x-forwarded-proto': 'HTTPS, http' }, proxied))).toMatch(/^max-age=/);
    expect(hsts(await get('/', { 'x-forwarded-proto': 'http, https' }, proxied))).toBeNull();

    // HTTPS straight to this server.
    expect(hsts(await get('https://lianxin.example/'))).toMatch(/^max-age=\d{7,}/);
    expect(hsts(await get('https://lianxin.example/api/me'))).toMatch(/^max-age=\d{7,}/);
  });
});
