/**
 * Takes the screenshots the README shows and a reviewer looks at: every register screen at 360 px,
 * in Chinese, day and night. Run: `npm run build && npx tsx tests/support/screenshots.ts`.
 */
import { serve } from '@hono/node-server';
import { chromium, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/server/main.ts';
import { chromiumPath, CHROMIUM_ARGS } from './chromium.ts';

const outDir = fileURLToPath(new URL('../screenshots/', import.meta.url));
const distDir = fileURLToPath(new URL('../../dist', import.meta.url));
const port = 4399;

const server = serve({ fetch: createApp(distDir).fetch, port, hostname: '127.0.0.1' });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
const context = await browser.newContext({
  viewport: { width: 360, height: 760 },
  deviceScaleFactor: 2,
  locale: 'zh-CN',
  baseURL: `http://127.0.0.1:${port}`,
});
const page = await context.newPage();
const shot = (name: string, fullPage = false) => page.screenshot({ path: `${outDir}${name}.png`, fullPage });
const settle = (p: Page) => p.waitForTimeout(400);

try {
  await page.goto('/?households=3000');
  await page.getByTestId('demo-small').waitFor();
  await shot('onboarding');
  await page.getByTestId('demo-small').click();
  await page.getByTestId('grid-list').locator('button').first().waitFor({ timeout: 120_000 });
  await shot('grid-picker');
  await page
    .getByTestId('grid-list')
    .getByRole('button', { name: /幸福社区第1网格/ })
    .click();
  await page.getByTestId('tag-counts').waitFor();
  await settle(page);
  await shot('home');
  await page.goto('/#/browse');
  await page.getByTestId('building-list').waitFor();
  await settle(page);
  await shot('browse');
  await page.locator('[data-testid=building-list] .row-link').first().click();
  await page.getByTestId('household-list').first().waitFor();
  await settle(page);
  await shot('household-list');
  await page.locator('[data-testid=household-list] .row-link').nth(2).click();
  await page.getByTestId('member-list').waitFor();
  await settle(page);
  await shot('household', true);
  await page.getByRole('button', { name: '添加成员' }).click();
  await page.locator('input[name=name]').fill('李小红');
  await page.locator('input[name=phone]').fill('1380000');
  await page.getByTestId('person-form').getByRole('button', { name: '保存' }).click();
  await page.getByText('电话号码格式不对').waitFor();
  await page.getByTestId('person-form').scrollIntoViewIfNeeded();
  await shot('person-form-error', true);
  await page.goto('/#/search');
  await page.getByTestId('search-input').fill('wj');
  await page.getByTestId('search-people').waitFor();
  await settle(page);
  await shot('search');
  await page.goto('/#/import');
  await page
    .getByTestId('import-file')
    .setInputFiles(fileURLToPath(new URL('../fixtures/import/register-bad.csv', import.meta.url)));
  await page.getByTestId('import-report').waitFor();
  await shot('import-report', true);
  await page.goto('/#/settings');
  await page.getByTestId('night-mode').check();
  await settle(page);
  await shot('settings-night');
  await page.goto('/');
  await settle(page);
  await shot('home-night');
  console.log(`screenshots written to ${outDir}`);
} finally {
  await browser.close();
  server.close();
}
