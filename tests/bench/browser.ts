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
