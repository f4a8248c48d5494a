/**
 * The Node side of this page (not bundled into it): builds the folder once per process, serves it,
 * opens it in a browser of its own and calls window.lianxinMoreBench with typed arguments. Built and
 * served like tests/bench/page (storage-bench.ts): a production vite build on a loopback port.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import type { Page } from '@playwright/test';
import { Hono } from 'hono';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import {
  callPageApi,
  firstPage,
  launchProfile,
  listenOnLoopback,
  makeProfileDir,
  removeDir,
  type LocalServer,
} from '../browser.ts';
import { progress } from '../progress.ts';
import type { MoreBenchApi } from './api.ts';

const pageDir = fileURLToPath(new URL('./', import.meta.url));

let building: Promise<string> | undefined;

/**
 * The built page's directory. Built on first use and shared by the round, problem and sync benches in
 * one run; removed when the process exits.
 */
export function buildMorePage(): Promise<string> {
  building ??= (async () => {
    const outDir = await makeProfileDir('page-more-build');
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    progress('building the bench page (vite build tests/bench/page-more)');
    // A production build, like the app's: dev-mode modules would load and run differently.
    await build({
      configFile: false,
      root: pageDir,
      publicDir: false,
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
    });
    return outDir;
  })();
  return building;
}

/** The built page alone on a loopback port (the sync bench serves it from the sync server instead). */
export async function serveMorePage(): Promise<LocalServer> {
  const root = await buildMorePage();
  const app = new Hono();
  app.use('/*', serveStatic({ root }));
  return listenOnLoopback(app.fetch, '127.0.0.1');
}

export interface MorePage {
  page: Page;
  /** Closes the browser and deletes its profile, with every database in it. */
  close(): Promise<void>;
}

/** The page at `origin`/index.html in a fresh on-disk profile (IndexedDB on disk, as on a phone). */
export async function openMorePage(origin: string, label: string): Promise<MorePage> {
  const profileDir = await makeProfileDir(label);
  const context = await launchProfile(profileDir);
  const close = async () => {
    await context.close();
    await removeDir(profileDir);
  };
  try {
    const page = await firstPage(context);
    page.on('pageerror', (error) => progress(`bench page error: ${error.message}`));
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** For notes: other work on this 2-core machine moves every wall-clock figure, and this says how much ran. */
export const loadNote = () => `load average ${loadavg()[0]!.toFixed(1)}`;

type Method = keyof MoreBenchApi & string;

/** Calls the page's API (main.ts). */
export function callMorePage<M extends Method>(
  page: Page,
  method: M,
  ...args: Parameters<MoreBenchApi[M]>
): Promise<Awaited<ReturnType<MoreBenchApi[M]>>> {
  return callPageApi<MoreBenchApi, M>(page, 'lianxinMoreBench', method, args);
}
