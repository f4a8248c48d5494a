/**
 * Takes the screenshots the README shows and a reviewer looks at: every screen at 360 px, in
 * Chinese, day and night, offline demo and signed in. Run: `npm run build && npx tsx tests/support/screenshots.ts`.
 */
import { serve } from '@hono/node-server';
import { chromium, type Browser, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { seedDemo } from '../../src/server/demo.ts';
import { createServerApp } from '../../src/server/main.ts';
import { openStore } from '../../src/server/store/store.ts';
import { chromiumPath, CHROMIUM_ARGS } from './chromium.ts';
import { shootGridCards } from './grid-card-shots.ts';

const outDir = fileURLToPath(new URL('../screenshots/', import.meta.url));
const distDir = fileURLToPath(new URL('../../dist', import.meta.url));
const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));
const port = 4399;
const baseURL = `http://127.0.0.1:${port}`;

const store = await openStore({ file: ':memory:' });
await seedDemo(store, { households: 3000 });
const server = serve({ fetch: createServerApp({ store, distDir }).fetch, port, hostname: '127.0.0.1' });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });

async function newPage(
  b: Browser,
): Promise<{ page: Page; shot: (name: string, fullPage?: boolean) => Promise<void> }> {
  const context = await b.newContext({
    viewport: { width: 360, height: 760 },
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    baseURL,
  });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  return {
    page,
    shot: async (name, fullPage = false) => {
      // A full-page shot would paint the last write's toast over the middle of the page.
      if (fullPage) await page.getByTestId('toast').waitFor({ state: 'detached', timeout: 10_000 });
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${outDir}${name}.png`, fullPage });
    },
  };
}

/** Today scrolled to its 上级任务 section, the section's heading just under the top bar. */
async function showTodayTasks(page: Page): Promise<void> {
  const section = page.getByTestId('today-tasks');
  await section.waitFor();
  await section.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 64));
}

/** The first item of Today's 上级任务, with 无法完成 and a quick reason chosen. */
async function openTaskItem(page: Page): Promise<void> {
  await page.getByTestId('today-tasks').locator('a.row-link').first().click();
  const form = page.getByTestId('task-item-form');
  await form.getByRole('button', { name: '无法完成' }).click();
  await form.getByRole('button', { name: '无人在家' }).click();
}

try {
  // The offline demo, as a worker on the first visit.
  const { page, shot } = await newPage(browser);
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
  await page.getByTestId('today-progress').waitFor();
  await page.getByRole('button', { name: '白班' }).click();
  await shot('today');
  // 上级任务 on Today (the demo's gas-safety inspection and the leader's visits), and one item opened.
  await showTodayTasks(page);
  await shot('today-tasks');
  await openTaskItem(page);
  await shot('task-item');
  await page.getByRole('link', { name: '‹ 返回' }).click();
  await page.getByTestId('today-progress').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('[data-testid=due-row] .quick').first().click();
  await shot('today-quick');
  await page
    .getByTestId('due-row')
    .first()
    .getByRole('button', { name: /无人在家/ })
    .click();
  await page.locator('[data-testid=due-row]:not([data-status=done]) a').nth(1).click();
  await page.getByTestId('visit-form').waitFor();
  await page.getByRole('button', { name: '添加需求' }).click();
  await page.getByRole('button', { name: '就医' }).click();
  await page.locator('input[name=need-description]').fill('需要陪同去社区医院复查');
  await shot('visit-form', true);
  await page.getByTestId('save-visit').click();
  await page.getByTestId('today-progress').waitFor();
  // A quick visit, then its 撤销 on the toast; the saved visit's 更正 on the household page.
  const undoRow = page.locator('[data-testid=due-row]:not([data-status=done])').last();
  const undoHref = (await undoRow.locator('a.row-link').getAttribute('href'))!;
  await undoRow.locator('.quick').click();
  await undoRow.getByRole('button', { name: /一切正常/ }).click();
  await page.getByTestId('toast-action').waitFor();
  await shot('today-undo');
  await page.goto(undoHref.replace('#/visit/', '#/household/'));
  const todaysVisit = page.getByTestId('todays-visit').last();
  await todaysVisit.getByTestId('correct-visit').click();
  await todaysVisit.getByRole('button', { name: '无人在家' }).click();
  await page.getByTestId('todays-visits').scrollIntoViewIfNeeded();
  await shot('household-correct');
  await todaysVisit.getByRole('button', { name: '取消' }).click();
  await page.goto('/#/grid');
  await page.getByTestId('tag-counts').waitFor();
  await shot('home');
  await page.goto('/#/browse');
  await page.getByTestId('building-list').waitFor();
  await shot('browse');
  await page.locator('[data-testid=building-list] .row-link').first().click();
  await page.getByTestId('household-list').first().waitFor();
  await shot('household-list');
  await page.locator('[data-testid=household-list] .row-link').nth(1).click();
  await page.getByTestId('member-list').waitFor();
  await shot('household', true);
  await page.goto('/#/search');
  await page.getByTestId('search-input').fill('wj');
  await page.getByTestId('search-people').waitFor();
  await shot('search');
  await page.goto('/#/tonight');
  await page.getByTestId('catch-up-list').waitFor();
  await shot('tonight');
  await page.locator('[data-testid=night-checks] a').first().click();
  const items = page.getByTestId('check-items').locator(':scope > li');
  await items.first().waitFor();
  const count = await items.count();
  for (let i = 0; i < count; i++)
    await items
      .nth(i)
      .getByRole('button', { name: i === 1 ? '异常' : /^(正常|已提醒)$/ })
      .click();
  await items.nth(1).locator('input[name^=note]').fill('消防栓被杂物遮挡');
  await shot('checklist', true);
  await page.getByTestId('save-check').click();
  await page.getByTestId('toast').waitFor();
  await page.getByTestId('catch-up-list').waitFor();
  await page.goto('/#/my-day');
  await page.getByTestId('my-day').waitFor();
  await shot('my-day');
  await page.goto('/#/report');
  await page.getByTestId('photo-input').setInputFiles(photo);
  await page.getByTestId('snap-form').locator('img').waitFor();
  await page.getByRole('button', { name: '环境卫生' }).click();
  await shot('snap-report', true);
  await page.getByTestId('save-problem').click();
  await page.getByTestId('problem-status').waitFor();
  await shot('problem', true);
  await page.goto('/#/problems');
  await page.getByRole('tab', { name: '全部' }).click();
  await shot('problem-list');
  await page.goto('/#/import');
  await page
    .getByTestId('import-file')
    .setInputFiles(fileURLToPath(new URL('../fixtures/import/register-bad.csv', import.meta.url)));
  await page.getByTestId('import-report').waitFor();
  await shot('import-report', true);
  await page.goto('/#/settings');
  await page.getByTestId('night-mode').check();
  await shot('settings-night');
  await page.goto('/');
  await shot('today-night');
  await showTodayTasks(page);
  await shot('today-tasks-night');
  await openTaskItem(page);
  await shot('task-item-night');

  // Signed in against the server: the leader's inbox.
  const leader = await newPage(browser);
  await leader.page.goto('/#/login');
  await leader.page.locator('input[name=username]').fill('wgz01');
  await leader.page.locator('input[name=password]').fill('lianxin2026');
  await leader.shot('login');
  await leader.page.getByRole('button', { name: '登录并下载名册' }).click();
  await leader.page.getByTestId('today-progress').waitFor({ timeout: 120_000 });
  await leader.page.goto('/#/inbox');
  await leader.page.waitForTimeout(500);
  await leader.shot('inbox');
  await leader.page.goto('/#/settings');
  await leader.shot('settings-account');
  // The grid's visit cadence, which the leader sets and the workers' phones follow.
  await leader.page.getByTestId('cadence').scrollIntoViewIfNeeded();
  await leader.shot('settings-cadence');
  // The grid's team (1+1+N) and its cards (网格连心卡), on the phone and as they print.
  await shootGridCards(leader.page, leader.shot, outDir);
  // The leader's dashboard (数据看板) of their grids, by day and at night.
  await leader.page.getByTestId('dashboard-link').click();
  await leader.page.getByTestId('dash-as-of').waitFor();
  await leader.shot('dashboard');
  await leader.page.goto('/#/settings');
  await leader.page.getByTestId('night-mode').check();
  await leader.page.goto('/#/dashboard');
  // At night, the part with the charts: they follow the palette too.
  await leader.page.getByTestId('trend-chart').first().scrollIntoViewIfNeeded();
  await leader.shot('dashboard-night');

  // The command center's progress page of the demo's inspection (a third of the first grid done).
  const center = await newPage(browser);
  await center.page.goto('/#/login');
  await center.page.locator('input[name=username]').fill('zhzx');
  await center.page.locator('input[name=password]').fill('lianxin2026');
  await center.page.getByRole('button', { name: '登录并下载名册' }).click();
  await center.page.getByTestId('login-form').waitFor({ state: 'detached', timeout: 120_000 });
  await center.page.goto('/#/tasks');
  await center.page
    .getByTestId('task-list')
    .getByRole('link', { name: /燃气安全专项排查/ })
    .click();
  await center.page.getByTestId('task-total').waitFor();
  await center.shot('task-progress');
  await center.page.goto('/#/settings');
  await center.page.getByTestId('night-mode').check();
  await center.page.goBack();
  await center.page.getByTestId('task-total').waitFor();
  await center.shot('task-progress-night');

  // The administrator's account management, with a form half filled in.
  const admin = await newPage(browser);
  await admin.page.goto('/#/login');
  await admin.page.locator('input[name=username]').fill('admin');
  await admin.page.locator('input[name=password]').fill('lianxin2026');
  await admin.page.getByRole('button', { name: '登录并下载名册' }).click();
  await admin.page.getByTestId('login-form').waitFor({ state: 'detached', timeout: 120_000 });
  await admin.page.goto('/#/accounts');
  await admin.page.getByTestId('account-list').getByText('wgy01').waitFor();
  await admin.page.locator('input[name=username]').fill('wgy03');
  await admin.page.locator('input[name=name]').fill('孙芳');
  await admin.shot('accounts', true);
  // The town's wall (大屏) as the command center shows it, 1920 × 1080, one image pixel a CSS pixel.
  await admin.page.setViewportSize({ width: 1920, height: 1080 });
  await admin.page.goto('/#/dashboard/wall');
  await admin.page.getByTestId('dash-wall').getByTestId('trend-chart').first().locator('canvas').waitFor();
  await admin.page.waitForTimeout(400);
  await admin.page.screenshot({ path: `${outDir}dashboard-wall.png`, scale: 'css' });
  console.log(`screenshots written to ${outDir}`);
} finally {
  await browser.close();
  server.close();
  await store.close();
}
