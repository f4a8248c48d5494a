import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { loadDemoAndPickGrid, watchConsole } from './helpers.ts';

const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));

test('the main screens run under the Content-Security-Policy without a single violation', async ({
  page,
}) => {
  const watch = await watchConsole(page);
  const nav = page.getByRole('navigation', { name: '主导航' });

  // Onboarding -> the small demo town (loaded by the module Web Worker) -> a grid -> Today.
  await loadDemoAndPickGrid(page);

  // From here on the service worker answers: the cached shell must carry the policy too.
  const shell = await page.reload();
  expect(shell?.fromServiceWorker()).toBe(true);
  expect((await shell!.allHeaders())['content-security-policy']).toContain("default-src 'self'");
  await page.goto('/#/');
  await expect(page.getByTestId('today-progress')).toBeVisible();

  // A household, then its visit form, saved.
  const firstDue = page.getByTestId('due-row').first();
  const address = (await firstDue.locator('.row-sub').textContent())!;
  await nav.getByRole('link', { name: '搜索' }).click();
  await page.getByTestId('search-input').fill(address);
  await page.getByTestId('search-households').locator('a').first().click();
  await expect(page.getByTestId('household-address')).toBeVisible();
  await expect(page.getByTestId('member-list')).toBeVisible();
  await page.getByTestId('record-visit').click();
  const form = page.getByTestId('visit-form');
  await form.getByRole('button', { name: '见到本人' }).click();
  await page.getByTestId('save-visit').click();
  await expect(page.getByTestId('visit-form')).toHaveCount(0);

  // 问题: the list, then a snap report with a photo (compressed through data: and shown from blob:).
  await nav.getByRole('link', { name: '问题' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '问题' })).toBeVisible();
  await page.getByRole('tab', { name: '全部' }).click();
  await page.getByTestId('snap-link').click();
  await page.getByTestId('photo-input').setInputFiles(photo);
  await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(1);
  await page.getByRole('button', { name: '环境卫生' }).click();
  await page.getByTestId('save-problem').click();
  await expect(page.getByTestId('problem-status')).toContainText('已上报');
  const shown = page.getByTestId('problem-photos').locator('img');
  await expect(shown).toHaveCount(1);
  expect(
    await shown.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth)),
  ).toBeGreaterThan(0);

  // 我的.
  await nav.getByRole('link', { name: '我的' }).click();
  await expect(page.getByTestId('storage')).toBeVisible();
  await expect(page.getByTestId('cadence')).toBeVisible();

  expect(watch.violations, watch.messages.join('\n')).toEqual([]);

  // The watch does see a violation: an injected inline script is refused and reported.
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.head.append(script);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => watch.violations.some((v) => v.includes('script-src'))).toBe(true);
});
