import { expect, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitForServiceWorker } from './helpers.ts';

const builtServiceWorker = fileURLToPath(new URL('../../dist/sw.js', import.meta.url));

test('a new version waits until the worker taps "update and reload"', async ({ page }) => {
  await page.goto('/');
  await waitForServiceWorker(page);

  // Deploy a "new version" on the real server: the service worker changes, as a rebuild would change it.
  const original = readFileSync(builtServiceWorker, 'utf8');
  writeFileSync(builtServiceWorker, `${original}\n// next version\n`);
  test.info().attach('deployed', { body: 'sw.js changed on disk' });
  try {
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });

    const banner = page.getByRole('status').filter({ hasText: '有新版本可用' });
    await expect(banner).toBeVisible();
    const oldController = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
    expect(oldController).toBeTruthy();

    await Promise.all([
      page.waitForEvent('load'),
      banner.getByRole('button', { name: '更新并重新加载' }).click(),
    ]);
    await waitForServiceWorker(page);
    await expect(page.getByText('有新版本可用')).toHaveCount(0);
    const waiting = await page.evaluate(
      async () => (await navigator.serviceWorker.getRegistration())?.waiting,
    );
    expect(waiting).toBeNull();
  } finally {
    writeFileSync(builtServiceWorker, original);
  }
});
