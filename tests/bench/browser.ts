import { serve } from '@hono/node-server';
import { chromium, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium.ts';

/** The slowdown that makes this machine behave like the mid-range phones the targets are set for. */
export const CPU_THROTTLING_RATE = 4;

/** A phone-sized viewport, as in the e2e tests. */
const VIEWPORT = { width: 360, height: 760 };

export async function makeProfileDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `lianxin-bench-${label}-`));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/**
 * A persistent profile, never an incognito context: Chromium keeps incognito IndexedDB in memory,
 * and the figures are about IndexedDB on disk, as on a phone.
 */
export function launchProfile(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
    locale: 'zh-CN',
    serviceWorkers: 'allow',
  });
}

export async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

/**
 * DevTools CPU throttling of the page's renderer; rate 1 turns it off. The session is returned and
 * must stay attached: emulation settings end with the DevTools session that set them.
 */
export async function throttleCpu(page: Page, rate: number): Promise<CDPSession> {
  const session = await page.context().newCDPSession(page);
  await session.send('Emulation.setCPUThrottlingRate', { rate });
  return session;
}

/** Runs `work` at `rate` x CPU throttling and turns it off again, whatever happens. */
export async function withCpuThrottling<T>(page: Page, rate: number, work: () => Promise<T>): Promise<T> {
  const devtools = await throttleCpu(page, rate);
  try {
    return await work();
  } finally {
    await devtools.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await devtools.detach();
  }
}

type Fn = (...args: never[]) => unknown;
type ResultOf<F> = F extends Fn ? Awaited<ReturnType<F>> : never;

/**
 * Calls `window[global][method](...args)` in a bench page with typed arguments and result. An uncaught
 * error in the page (PouchDB throws some from callbacks) fails the call instead of leaving it pending,
 * and an error thrown by the method keeps its name, message and inner error (minified class names say
 * little).
 */
export async function callPageApi<Api, M extends keyof Api & string>(
  page: Page,
  global: string,
  method: M,
  /** Typed by the caller's wrapper (callPage, callMorePage), which knows the page's API. */
  args: readonly unknown[],
): Promise<ResultOf<Api[M]>> {
  let onPageError: ((error: Error) => void) | undefined;
  const pageFailed = new Promise<never>((_, reject) => {
    onPageError = (error) => reject(new Error(`${method}: uncaught in the page: ${error.message}`));
    page.once('pageerror', onPageError);
  });
  const call = page.evaluate(
    async ({ global, method, args }) => {
      const api = (window as unknown as Record<string, Record<string, (...p: unknown[]) => unknown>>)[global];
      if (!api) throw new Error('bench page not ready');
      try {
        return await api[method]!(...args);
      } catch (error) {
        const described = error as { name?: string; message?: string; inner?: unknown };
        throw new Error(
          `${method}: ${described.name ?? 'Error'}: ${described.message ?? String(error)}` +
            (described.inner ? ` (inner: ${String(described.inner)})` : ''),
          { cause: error },
        );
      }
    },
    { global, method, args: [...args] },
  );
  try {
    return (await Promise.race([call, pageFailed])) as ResultOf<Api[M]>;
  } finally {
    if (onPageError) page.off('pageerror', onPageError);
  }
}

export interface LocalServer {
  origin: string;
  close(): Promise<void>;
}

/** Listens on a free loopback port. `host` is '127.0.0.1' or '::1' (see app-bench.ts for why). */
export function listenOnLoopback(
  fetch: (request: Request) => Response | Promise<Response>,
  host: '127.0.0.1' | '::1',
): Promise<LocalServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: 0, hostname: host }, (info) => {
      const hostInUrl = host.includes(':') ? `[${host}]` : host;
      resolve({
        origin: `http://${hostInUrl}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    server.once('error', reject);
  });
}
