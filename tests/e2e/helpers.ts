import { expect, type BrowserContext, type Page } from '@playwright/test';

/** Small enough to load in a second or two, large enough to have buildings and village groups. */
export const TEST_TOWN_HOUSEHOLDS = 600;

/** Resolves once the service worker is active and controls the page: the shell is precached. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
      );
    }
  });
}

/**
 * First run: load the small demo town and pick a grid (by code, or the first in the list). Its 71
 * grids have ~9 households each, so a grid's Today is one to four households (the demo's past visits
 * leave a day's work); `grids` shares the town among fewer, real-sized grids instead.
 */
export async function loadDemoAndPickGrid(
  page: Page,
  gridCode?: string,
  town: { grids?: number } = {},
): Promise<string> {
  const gridCount = town.grids === undefined ? '' : `&grids=${town.grids}`;
  await page.goto(`/?households=${TEST_TOWN_HOUSEHOLDS}${gridCount}`);
  await waitForServiceWorker(page);
  await page.getByTestId('demo-small').click();
  const grids = page.getByTestId('grid-list').locator('button');
  await expect(grids.first()).toBeVisible({ timeout: 60_000 });
  const chosen = gridCode ? grids.filter({ hasText: gridCode }).first() : grids.first();
  const name = (await chosen.locator('.row-title').textContent()) ?? '';
  await chosen.click();
  // Today (the due list) is the main screen; the register overview names the grid.
  await expect(page.getByTestId('today-progress')).toBeVisible();
  await page.goto('/#/grid');
  await expect(page.getByTestId('grid-name')).toHaveText(name);
  return name;
}

/**
 * Really offline: the browser's network emulation plus a route that aborts anything that still
 * tries the network, so only the service worker cache and IndexedDB can answer.
 */
export async function goOffline(context: BrowserContext): Promise<void> {
  await context.setOffline(true);
  await context.route('**/*', (route) => route.abort('internetdisconnected'));
}

export interface OutboxEntry {
  mutationId: number;
  name: string;
  args: unknown;
}

/** Reads the outbox straight from IndexedDB (not through the app's code). */
export async function readOutbox(page: Page): Promise<OutboxEntry[]> {
  return page.evaluate(
    () =>
      new Promise<OutboxEntry[]>((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const request = db.transaction('outbox').objectStore('outbox').getAll();
          request.onsuccess = () => {
            db.close();
            resolve(
              (request.result as OutboxEntry[]).map(({ mutationId, name, args }) => ({
                mutationId,
                name,
                args,
              })),
            );
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
}

/** The ids of the households the phone holds, read straight from IndexedDB. */
export async function householdIdsOnPhone(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('households').objectStore('households').getAllKeys();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result as string[]);
          };
        };
      }),
  );
}

/**
 * A "met" visit to a household through its visit form, for a test that needs a write whatever Today
 * lists (a day's work, which an earlier test on the shared server may already have done).
 */
export async function visitThroughForm(page: Page, householdId: string, origin = ''): Promise<void> {
  await page.goto(`${origin}/#/visit/${encodeURIComponent(householdId)}`);
  await page.getByTestId('visit-form').getByRole('button', { name: '见到本人' }).click();
  await page.getByTestId('save-visit').click();
  await expect(page.getByTestId('toast')).toContainText('走访已保存');
}

/** The demo accounts' password (src/server/demo.ts). */
export const DEMO_PASSWORD = 'lianxin2026';

/** Signs in on the login screen and waits until the first sync has brought the user's grids. */
export async function signIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/#/login');
  await waitForServiceWorker(page);
  const form = page.getByTestId('login-form');
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(password);
  await form.getByRole('button', { name: '登录并下载名册' }).click();
  await expect(page.getByTestId('login-form')).toHaveCount(0, { timeout: 60_000 });
}

export interface ConsoleWatch {
  /** Every console message and uncaught error of the page, its workers and service worker. */
  messages: string[];
  /** Content-Security-Policy violations: `securitypolicyviolation` events and "Refused to…" errors. */
  violations: string[];
}

/**
 * Records, from now on, the console and every CSP violation of a page: a `securitypolicyviolation`
 * listener in each document it loads (it survives navigations), and the browser's own console report
 * of a violation, which also covers its Web Workers and the service worker.
 */
export async function watchConsole(page: Page): Promise<ConsoleWatch> {
  const watch: ConsoleWatch = { messages: [], violations: [] };
  const record = (where: string, type: string, text: string) => {
    watch.messages.push(`[${where} ${type}] ${text}`);
    if (/Content[- ]Security[- ]Policy|^Refused to /i.test(text)) watch.violations.push(`${where}: ${text}`);
  };
  await page.exposeBinding('__reportCspViolation', ({ frame }, text: string) =>
    watch.violations.push(`${frame.url()}: ${text}`),
  );
  await page.addInitScript(() => {
    window.addEventListener(
      'securitypolicyviolation',
      (event) => {
        const report = (window as unknown as { __reportCspViolation(text: string): void })
          .__reportCspViolation;
        report(
          `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
        );
      },
      true,
    );
  });
  page.on('console', (message) => record('page', message.type(), message.text()));
  page.on('pageerror', (error) => record('page', 'pageerror', error.message));
  page.on('worker', (worker) =>
    worker.on('console', (message) => record(`worker ${worker.url()}`, message.type(), message.text())),
  );
  page
    .context()
    .on('serviceworker', (worker) =>
      worker.on('console', (message) => record('service worker', message.type(), message.text())),
    );
  for (const worker of page.context().serviceWorkers())
    worker.on('console', (message) => record('service worker', message.type(), message.text()));
  return watch;
}

/**
 * 同步 now from 我的 and wait for it: the sync line says 上次同步 and (unless told not to) nothing is
 * left in the outbox. `origin`: another server than the page's own (two-servers.spec).
 */
export async function syncNow(
  page: Page,
  { origin = '', untilOutboxEmpty = true }: { origin?: string; untilOutboxEmpty?: boolean } = {},
): Promise<void> {
  await page.goto(`${origin}/#/settings`);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-state')).toContainText('上次同步', { timeout: 30_000 });
  if (untilOutboxEmpty) await expect(page.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });
}

/** One step of a problem's loop from its page: the action's button, its form filled, confirmed. */
export async function actOnProblem(
  page: Page,
  action: string,
  fill: (form: ReturnType<Page['getByTestId']>) => Promise<void> = async () => {},
): Promise<void> {
  await page.getByTestId('problem-actions').getByRole('button', { name: action, exact: true }).click();
  const form = page.getByTestId('action-form');
  await fill(form);
  await page.getByTestId('confirm-action').click();
  await expect(page.getByTestId('action-form')).toHaveCount(0);
}
