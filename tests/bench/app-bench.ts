import type { BrowserContext, Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createApp } from '../../src/server/main.ts';
import {
  CPU_THROTTLING_RATE,
  firstPage,
  launchProfile,
  listenOnLoopback,
  makeProfileDir,
  removeDir,
  throttleCpu,
} from './browser.ts';
import { progress } from './progress.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { median, round } from './stats.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const distDir = join(repoRoot, 'dist');
/** What the build reads: a change to any of these makes dist stale. */
const BUILD_INPUTS = ['src', 'public', 'vite.config.ts', 'package.json', 'tsconfig.json'];

/** Browser relaunches per cold-start figure; the median is reported. */
const COLD_STARTS = 5;
/** Generating and storing 85,000 people in the app's worker, unthrottled, on a 2-core machine. */
const DEMO_LOAD_TIMEOUT_MS = 300_000;
/** Set by the init script in the page (a data-* attribute of <html>, JSON), read back by the bench. */
const TIMELINE_ATTRIBUTE = 'benchTimeline';

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).mtimeMs),
  );
  return Math.max(info.mtimeMs, ...times);
}

/** Builds the app unless dist/ is newer than everything it is built from. Says which it did. */
async function ensureAppBuild(): Promise<string> {
  const builtAt = await newestMtime(join(distDir, 'index.html'));
  const inputsAt = Math.max(...(await Promise.all(BUILD_INPUTS.map((p) => newestMtime(join(repoRoot, p))))));
  if (builtAt > inputsAt) return 'reused dist/ (newer than src/)';
  progress('building the app (npx vite build)');
  await new Promise<void>((resolve, reject) => {
    // The build's own output goes to stderr with the progress lines; stdout stays the table.
    const child = spawn('npx', ['vite', 'build'], { cwd: repoRoot, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    );
  });
  return 'fresh vite build';
}

export async function runAppBench({ rounds }: { rounds: number }): Promise<MeasuredFigure[]> {
  const buildNote = await ensureAppBuild();
  // Served on [::1], not 127.0.0.1 or localhost: Dexie switches on its debug mode (an async stack
  // task per operation) on those two hosts, which no phone ever runs. ::1 is still a secure
  // context, so the service worker registers.
  const server = await listenOnLoopback((await createApp(distDir)).fetch, '::1');
  try {
    return [
      ...(await attempt('First-screen JS', () => firstScreenJavaScript(server.origin, buildNote))),
      ...(await attempt('Cold start to household list', () => coldStart(server.origin, rounds))),
    ];
  } finally {
    await server.close();
  }
}

/** Every script the first visit to `/` downloads before the onboarding screen is idle, gzipped at level 9. */
async function firstScreenJavaScript(origin: string, buildNote: string): Promise<MeasuredFigure[]> {
  const profileDir = await makeProfileDir('first-load');
  const context = await launchProfile(profileDir);
  try {
    const page = await firstPage(context);
    const bodies: Array<Promise<{ url: string; gzipped: number; raw: number }>> = [];
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (!type.includes('javascript') && !/\.m?js($|\?)/.test(response.url())) return;
      bodies.push(
        response.body().then((body) => ({
          url: new URL(response.url()).pathname,
          gzipped: gzipSync(body, { level: 9 }).length,
          raw: body.length,
        })),
      );
    });
    progress('first load of / in a fresh profile, collecting JavaScript responses');
    await page.goto(`${origin}/`);
    await page.locator('[data-testid=demo-full]').waitFor({ state: 'visible' });
    await page.waitForLoadState('networkidle');
    const scripts = await Promise.all(bodies);
    // The service worker script is fetched by the registration after the screen is up, and it is
    // not code the screen runs; it is listed in the note but not counted.
    const counted = scripts.filter((s) => !s.url.endsWith('/sw.js'));
    const swScript = scripts.find((s) => s.url.endsWith('/sw.js'));
    const kb = (bytes: number) => (bytes / 1000).toFixed(1);
    const files = counted.map((s) => `${s.url} ${kb(s.gzipped)} kB (${kb(s.raw)} kB raw)`).join(', ');
    const total = counted.reduce((sum, s) => sum + s.gzipped, 0);
    return [
      figure(
        'First-screen JavaScript, gzip -9',
        round(total / 1000, 1),
        'kB',
        `first load of / (onboarding), fresh profile, 1 kB = 1000 bytes, ${buildNote}: ${files || 'no scripts'}` +
          (swScript ? `; sw.js ${kb(swScript.gzipped)} kB not counted (registered after the screen)` : ''),
        120,
      ),
    ];
  } finally {
    await context.close();
    await removeDir(profileDir);
  }
}

interface ListTarget {
  gridId: string;
  gridName: string;
  buildingId: string;
  buildingName: string;
  households: number;
}

interface IdbRead {
  database: string;
  store: string;
  index?: string;
  method: 'get' | 'getAll' | 'count';
  /** Strings only: IDBValidKey is recursive, which Playwright's argument types cannot expand. */
  query?: string | string[];
}

/**
 * One read from one of the app's IndexedDB databases, in the page. Kept to a single inline function:
 * tsx compiles this file with esbuild's keepNames, which wraps named helpers declared inside an
 * evaluated function in a __name() call that does not exist in the page.
 */
async function readIdb<T>(page: Page, read: IdbRead): Promise<T> {
  const result: unknown = await page.evaluate(
    ({ database, store, index, method, query }) =>
      new Promise<unknown>((resolve, reject) => {
        const opening = indexedDB.open(database);
        opening.onerror = () => reject(opening.error ?? new Error(`cannot open ${database}`));
        opening.onsuccess = () => {
          const db = opening.result;
          try {
            const objectStore = db.transaction(store).objectStore(store);
            const source = index ? objectStore.index(index) : objectStore;
            if (method === 'get' && query === undefined) throw new Error('get() needs a key');
            // getAll() and count() without a key read the whole store or index.
            const request =
              query === undefined ? source[method as 'getAll' | 'count']() : source[method](query);
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error ?? new Error(`cannot read ${database}/${store}`));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          } finally {
            // Closing waits for the running transaction, so the request still completes.
            db.close();
          }
        };
      }),
    read,
  );
  return result as T;
}

/** The grid chosen in the app: idb-keyval's store of state/settings.svelte.ts. */
async function chosenGridId(page: Page): Promise<string | null> {
  const settings = await readIdb<{ gridId?: string | null } | undefined>(page, {
    database: 'lianxin-settings',
    store: 'settings',
    method: 'get',
    query: 'settings',
  });
  return settings?.gridId ?? null;
}

/**
 * Clicks the first grid in the picker's order that has buildings: the household list measured is a
 * building's, and village grids have only village groups.
 */
async function pickFirstGridWithBuildings(page: Page): Promise<void> {
  const grids = await readIdb<Array<{ id: string; name: string }>>(page, {
    database: 'lianxin',
    store: 'grids',
    method: 'getAll',
  });
  const buttons = page.locator('[data-testid=grid-list] button');
  const labels = await buttons.allTextContents();
  for (const [position, label] of labels.entries()) {
    // The longest name the label contains: 某村第1网格 is also inside 某村第11网格.
    const grid = grids.filter((g) => label.includes(g.name)).sort((a, b) => b.name.length - a.name.length)[0];
    if (!grid) continue;
    const buildings = await readIdb<number>(page, {
      database: 'lianxin',
      store: 'buildings',
      index: 'gridId',
      method: 'count',
      query: grid.id,
    });
    if (buildings > 0) return buttons.nth(position).click();
  }
  throw new Error('no grid in the picker has buildings');
}

/** The first building of the chosen grid in the Browse screen's order, read from the app's database. */
async function findListTarget(page: Page): Promise<ListTarget> {
  const gridId = await chosenGridId(page);
  if (!gridId) throw new Error('no grid chosen in the app settings');
  const fromApp = { database: 'lianxin' };
  const grid = await readIdb<{ name: string }>(page, {
    ...fromApp,
    store: 'grids',
    method: 'get',
    query: gridId,
  });
  const buildings = await readIdb<Array<{ id: string; name: string; estate: string; isDeleted: boolean }>>(
    page,
    {
      ...fromApp,
      store: 'buildings',
      index: 'gridId',
      method: 'getAll',
      query: gridId,
    },
  );
  const first = buildings
    .filter((b) => !b.isDeleted)
    .sort((a, b) => `${a.estate}${a.name}`.localeCompare(`${b.estate}${b.name}`, 'zh', { numeric: true }))[0];
  if (!first) throw new Error(`grid ${grid.name} has no buildings (a village grid?)`);
  const households = await readIdb<number>(page, {
    ...fromApp,
    store: 'households',
    index: '[gridId+buildingId]',
    method: 'count',
    query: [gridId, first.id],
  });
  return {
    gridId,
    gridName: grid.name,
    buildingId: first.id,
    buildingName: `${first.estate}${first.name}`,
    households,
  };
}

/** Milliseconds from navigation start at which each step of a cold start happened. */
type Timeline = Record<string, number>;

/**
 * Records, from navigation start (performance.now()), when the app first asks IndexedDB to open each
 * database and when that open succeeds, and the first animation frame in which the household list is
 * in the DOM: the frame that paints it. Installed before any page script runs.
 */
async function recordColdStartTimeline(context: BrowserContext): Promise<void> {
  await context.addInitScript((attribute: string) => {
    // An object method, not `const mark = () => ...`: tsx's keepNames would wrap a named arrow in
    // a __name() call that does not exist in the page (see readIdb).
    const timeline = {
      steps: {} as Record<string, number>,
      mark(step: string) {
        this.steps[step] ??= performance.now();
        document.documentElement.dataset[attribute] = JSON.stringify(this.steps);
      },
    };
    const originalOpen = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
      const request =
        version === undefined ? originalOpen.call(this, name) : originalOpen.call(this, name, version);
      timeline.mark(`open ${name}`);
      request.addEventListener('success', () => timeline.mark(`opened ${name}`));
      return request;
    };
    const observer = new MutationObserver(() => {
      if (!document.querySelector('[data-testid=household-list] li')) return;
      observer.disconnect();
      requestAnimationFrame(() => timeline.mark('list'));
    });
    observer.observe(document, { childList: true, subtree: true });
  }, TIMELINE_ATTRIBUTE);
}

/** Seeds the profile the way a user does: the onboarding's full demo town, then a grid. */
async function seedThroughTheUi(
  page: Page,
  origin: string,
): Promise<{ target: ListTarget; seedSeconds: number }> {
  await page.goto(`${origin}/`);
  const start = Date.now();
  await page.locator('[data-testid=demo-full]').click();
  await page.locator('[data-testid=grid-list]').waitFor({ state: 'visible', timeout: DEMO_LOAD_TIMEOUT_MS });
  const seedSeconds = (Date.now() - start) / 1000;
  progress(`demo town stored through the UI in ${seedSeconds.toFixed(1)} s`);
  await pickFirstGridWithBuildings(page);
  // Done when the choice is stored, whatever screen the app shows next.
  for (const startedAt = Date.now(); !(await chosenGridId(page));) {
    if (Date.now() - startedAt > 30_000) throw new Error('picking a grid did not store it in the settings');
    await page.waitForTimeout(250);
  }
  // The returning user's service worker: installed, precache filled, controlling the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  return { target: await findListTarget(page), seedSeconds };
}

async function timeOneColdStart(
  profileDir: string,
  url: string,
): Promise<{ timeline: Timeline; viaServiceWorker: boolean }> {
  const context = await launchProfile(profileDir);
  try {
    await recordColdStartTimeline(context);
    const page = await firstPage(context);
    const throttling = await throttleCpu(page, CPU_THROTTLING_RATE);
    await page.goto(url);
    await page.locator('[data-testid=household-list]').first().waitFor({ state: 'visible' });
    await page.waitForFunction(
      (attribute) => JSON.parse(document.documentElement.dataset[attribute] ?? '{}').list !== undefined,
      TIMELINE_ATTRIBUTE,
    );
    const { recorded, navigation, firstContentfulPaint, viaServiceWorker } = await page.evaluate(
      (attribute) => ({
        recorded: JSON.parse(document.documentElement.dataset[attribute] ?? '{}') as Record<string, number>,
        navigation: performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined,
        firstContentfulPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
        viaServiceWorker: navigator.serviceWorker.controller !== null,
      }),
      TIMELINE_ATTRIBUTE,
    );
    await throttling.detach();
    const timeline: Timeline = {
      'index.html received': navigation?.responseEnd ?? NaN,
      DOMContentLoaded: navigation?.domContentLoadedEventEnd ?? NaN,
      'first contentful paint': firstContentfulPaint ?? NaN,
      ...recorded,
    };
    return { timeline, viaServiceWorker };
  } finally {
    await context.close();
  }
}

/** "step 123 ms" for each step, by median over the runs, in the order the steps happened. */
function describeTimelines(timelines: readonly Timeline[]): string {
  const steps = [...new Set(timelines.flatMap((t) => Object.keys(t)))].filter((step) => step !== 'list');
  return steps
    .map((step) => [step, median(timelines.map((t) => t[step] ?? NaN).filter(Number.isFinite))] as const)
    .filter(([, ms]) => Number.isFinite(ms))
    .sort(([, a], [, b]) => a - b)
    .map(([step, ms]) => `${step} ${ms.toFixed(0)}`)
    .join(', ');
}

async function coldStart(origin: string, rounds: number): Promise<MeasuredFigure[]> {
  const profileDir = await makeProfileDir('cold-start');
  try {
    const context = await launchProfile(profileDir);
    let seeded: Awaited<ReturnType<typeof seedThroughTheUi>>;
    try {
      seeded = await seedThroughTheUi(await firstPage(context), origin);
    } finally {
      await context.close();
    }
    const { target, seedSeconds } = seeded;
    const url = `${origin}/#/browse/b/${encodeURIComponent(target.buildingId)}`;
    // One untimed visit, as a returning user has made: HTTP and code caches hold the app.
    await timeOneColdStart(profileDir, url);
    const timelines: Timeline[] = [];
    let allViaServiceWorker = true;
    const starts = Math.max(rounds, COLD_STARTS);
    for (let i = 1; i <= starts; i++) {
      const { timeline, viaServiceWorker } = await timeOneColdStart(profileDir, url);
      timelines.push(timeline);
      allViaServiceWorker &&= viaServiceWorker;
      progress(`cold start ${i}/${starts}: ${(timeline.list ?? NaN).toFixed(0)} ms`);
    }
    const runs = timelines.map((t) => t.list ?? NaN);
    return [
      figure(
        'Cold start to first household list',
        round(median(runs), 0),
        'ms',
        `median of ${starts} browser relaunches on the profile holding the full demo town (runs: ${runs.map((ms) => ms.toFixed(0)).join(', ')} ms); ` +
          `${CPU_THROTTLING_RATE}x throttling; navigation start to the first frame with [data-testid=household-list]; ` +
          `#/browse/b/<id> = ${target.buildingName}, ${target.households} households, grid ${target.gridName}; ` +
          `returning user: service worker installed and ${allViaServiceWorker ? 'controlling every run' : 'NOT controlling every run'}, one untimed visit first; ` +
          `median ms of each step: ${describeTimelines(timelines)}`,
        1000,
      ),
      figure(
        'Demo town through the UI (context)',
        round(seedSeconds, 1),
        's',
        'onboarding "full demo" click to the grid list: generate + key + store 85,000 people in the app worker, unthrottled',
      ),
    ];
  } finally {
    await removeDir(profileDir);
  }
}
