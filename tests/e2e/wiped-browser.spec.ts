import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { goOffline, readOutbox, signIn } from './helpers.ts';

/** Set to a folder to keep screenshots of the warning (360 px, Chinese, day and night). */
const SHOTS_DIR = process.env.WIPED_SHOTS_DIR;

/**
 * Two taps per visit from the due list, as a worker does on the stairs. "Nobody home" leaves the
 * household due, so the short due list of a small test town never runs out.
 */
async function quickVisits(page: Page, count: number): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: '白班' }).click();
  for (let i = 0; i < count; i++) {
    await page.getByTestId('due-row').getByRole('button', { name: '快速登记' }).first().click();
    await page.getByRole('button', { name: /无人在家/ }).click();
    await expect(page.getByRole('button', { name: /无人在家/ })).toHaveCount(0);
  }
}

async function goOnline(context: BrowserContext): Promise<void> {
  await context.unroute('**/*');
  await context.setOffline(false);
}

/**
 * Signed in, two visits that reach the server, then three made offline that never do: the phone's
 * witness must know 5 writes, 3 of them unsynced; the server must know 2.
 */
async function workOfflineWithUnsyncedWrites(context: BrowserContext, page: Page): Promise<void> {
  await signIn(page, 'wgy02');
  await expect(page.getByTestId('today-progress')).toBeVisible();
  await quickVisits(page, 2);
  await expect(page.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });
  await goOffline(context);
  await quickVisits(page, 3);
  await expect(page.getByTestId('pending-count')).toHaveText('3 条修改待同步');
  expect(await readOutbox(page)).toHaveLength(3);
}

async function expectWarningThenServerFigure(context: BrowserContext, page: Page, shotName?: string) {
  // The phone's own figure, offline, before anyone signs in again.
  const warning = page.getByTestId('wiped-screen');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('本机数据已被清除');
  await expect(warning).toContainText('这部手机上有 3 条修改还没有同步到服务器就被清除了');
  await expect(warning).toContainText('告诉网格长');
  await expect(page.getByTestId('go-login')).toHaveCount(0);
  if (SHOTS_DIR && shotName) {
    mkdirSync(SHOTS_DIR, { recursive: true });
    await page.screenshot({ path: `${SHOTS_DIR}/${shotName}-day.png`, fullPage: true });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'night'));
    await page.screenshot({ path: `${SHOTS_DIR}/${shotName}-night.png`, fullPage: true });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'day'));
  }

  // Signed in again: the server says what it did receive from this phone, so the loss is exact.
  await goOnline(context);
  await warning.getByRole('link', { name: '重新登录' }).click();
  await expect(page.getByTestId('login-form')).toBeVisible();
  await signIn(page, 'wgy02');
  const report = page.getByTestId('wipe-report');
  await expect(report).toContainText('服务器收到过这部手机的 2 条修改', { timeout: 30_000 });
  await expect(report).toContainText('3 条修改服务器从未收到');
  if (SHOTS_DIR && shotName) await page.screenshot({ path: `${SHOTS_DIR}/${shotName}-after-sign-in.png` });
  // Read and put away: it does not come back on the next start.
  await report.getByRole('button', { name: '我知道了' }).click();
  await expect(report).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('today-progress')).toBeVisible();
  await expect(page.getByTestId('wipe-report')).toHaveCount(0);
  await expect(page.getByTestId('wiped-screen')).toHaveCount(0);
}

test.describe('a wiped browser: the worker is told what was lost', () => {
  test('only the app database deleted', async ({ browser }) => {
    const context = await browser.newContext({
      serviceWorkers: 'allow',
      viewport: { width: 360, height: 760 },
    });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await workOfflineWithUnsyncedWrites(context, page);

    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase('lianxin');
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
        }),
    );
    await page.reload();
    await expectWarningThenServerFigure(context, page, 'app-db-deleted');
    await context.close();
  });

  test("the whole origin's IndexedDB cleared", async ({ browser, baseURL }) => {
    const context = await browser.newContext({
      serviceWorkers: 'allow',
      viewport: { width: 360, height: 760 },
    });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await workOfflineWithUnsyncedWrites(context, page);

    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.clearDataForOrigin', {
      origin: new URL(baseURL!).origin,
      storageTypes: 'indexeddb',
    });
    const left = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(left).toEqual([]);
    await page.reload();
    await expectWarningThenServerFigure(context, page, 'origin-indexeddb-cleared');
    await context.close();
  });
});
