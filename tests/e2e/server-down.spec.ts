import { expect, test } from '@playwright/test';
import { householdIdsOnPhone, readOutbox, signIn, visitThroughForm } from './helpers.ts';

/**
 * The town server down while the phone is online (issue: one phone sent ~140 pushes a second). The
 * phone keeps its write, tries again on its backoff schedule only — not at every Background Sync
 * wake-up, `online` or visibility event — and a tap on 立即同步 still goes at once.
 */
test('a down server is retried on the backoff schedule, not in a storm', async ({ page }) => {
  await signIn(page, 'wgy01');
  const attempts: number[] = [];
  // Refused like a stopped server; the browser itself stays online, so Background Sync fires at once.
  await page.route('**/api/{push,pull}**', async (route) => {
    attempts.push(Date.now());
    await route.abort('connectionrefused');
  });

  // One write to keep. Through a household's form, not from Today: the due list is a day's work (one
  // household in this test grid), which an earlier test on the shared server may have done.
  await visitThroughForm(page, (await householdIdsOnPhone(page))[0]!);
  await expect.poll(async () => (await readOutbox(page)).length).toBe(1);

  // Every automatic trigger at once, over and over, for 12 seconds.
  const started = Date.now();
  while (Date.now() - started < 12_000) {
    await page.evaluate(() => {
      window.dispatchEvent(new Event('online'));
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForTimeout(200);
  }
  // 2 s doubling with jitter: the first try and at most a handful of retries in 12 s.
  expect(attempts.length).toBeGreaterThan(0);
  expect(attempts.length).toBeLessThanOrEqual(6);
  expect(await readOutbox(page)).toHaveLength(1);

  // The server is back: a tap goes at once and the write lands.
  await page.unroute('**/api/{push,pull}**');
  await page.goto('/#/settings');
  await page.getByTestId('sync-now').click();
  await expect.poll(async () => (await readOutbox(page)).length, { timeout: 20_000 }).toBe(0);
});
