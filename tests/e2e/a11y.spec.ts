import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { audit, auditScreens, Findings, type Screen } from './a11y-audit.ts';
import { signIn, TEST_TOWN_HOUSEHOLDS, waitForServiceWorker } from './helpers.ts';

/**
 * Every screen, in Chinese at 360 px, day and night: axe-core finds no serious or critical
 * violation (contrast among them) and every tap target is at least 44 × 44 CSS px. Each test
 * collects all its findings and fails once with the whole list, so one run tells everything to fix.
 */

// A trace would keep the axe script (half a megabyte) once per run; the findings say what failed.
test.use({ trace: 'off' });

const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));
const badRegister = fileURLToPath(new URL('../fixtures/import/register-bad.csv', import.meta.url));

/** Night mode is the settings switch: it sets the palette on <html> and keeps it across screens. */
async function expectNightSwitchWorks(page: Page): Promise<void> {
  await page.goto('/#/settings');
  await page.getByTestId('night-mode').check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'night');
  await page.goto('/#/grid');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'night');
  await page.goto('/#/settings');
  await page.getByTestId('night-mode').uncheck();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'day');
}

const go =
  (hash: string, ready: (page: Page) => Promise<unknown>): Screen['open'] =>
  async (page) => {
    await page.goto(`/${hash}`);
    await ready(page);
  };

/** A household page: the register's first building, its first household. */
async function openHousehold(page: Page): Promise<void> {
  await page.goto('/#/browse');
  await page.locator('[data-testid=building-list] .row-link').first().click();
  await page.locator('[data-testid=household-list] .row-link').first().click();
  await expect(page.getByTestId('member-list')).toBeVisible();
}

/** The problem list with every problem, and the first problem in it with its first action open. */
const problemScreens: Screen[] = [
  {
    name: 'problem list',
    open: async (page) => {
      await page.goto('/#/problems');
      await page.getByRole('tab', { name: '全部' }).click();
      await expect(page.getByTestId('problem-list')).toBeVisible();
    },
  },
  {
    name: 'problem with an action open',
    open: async (page) => {
      await page.goto('/#/problems');
      await page.getByRole('tab', { name: '全部' }).click();
      await page.locator('[data-testid=problem-list] .row-link').first().click();
      await expect(page.getByTestId('problem-status')).toBeVisible();
      const actions = page.getByTestId('problem-actions').locator('button');
      if ((await actions.count()) > 0) {
        await actions.first().click();
        await expect(page.getByTestId('action-form')).toBeVisible();
      }
    },
  },
];

/**
 * The toast after a quick visit (with its 撤销) spans the screen above the bottom bar on one line,
 * and on the visit form opened while it shows, the sticky save button rises above it.
 */
async function expectToastClearOfTheSaveButton(page: Page): Promise<void> {
  const toast = page.getByTestId('toast');
  await expect(toast).toBeVisible();
  const box = (await toast.boundingBox())!;
  const nav = (await page.getByRole('navigation', { name: '主导航' }).boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(box.width).toBeGreaterThanOrEqual(viewport.width - 20);
  expect(box.y + box.height).toBeLessThanOrEqual(nav.y);
  // One line of text: the height of the 44 px action and the padding, not two lines of a pill.
  expect(box.height).toBeLessThan(60);
  const action = (await page.getByTestId('toast-action').boundingBox())!;
  expect(action.height).toBeGreaterThanOrEqual(44);
  expect(action.x + action.width).toBeGreaterThan(box.x + box.width - 16);

  await page.locator('[data-testid=due-row]:not([data-status=done]) a').first().click();
  const save = page.getByTestId('save-visit');
  await expect(save).toBeVisible();
  await expect(toast).toBeVisible();
  const toastBox = (await toast.boundingBox())!;
  const saveBox = (await save.boundingBox())!;
  expect(saveBox.y + saveBox.height).toBeLessThanOrEqual(toastBox.y);
}

test('offline demo: every screen, day and night, passes axe and has big enough targets', async ({ page }) => {
  test.setTimeout(150_000);
  const findings = new Findings();
  page.on('dialog', (dialog) => void dialog.accept());

  await page.goto(`/?households=${TEST_TOWN_HOUSEHOLDS}`);
  await waitForServiceWorker(page);
  await expect(page.getByTestId('demo-small')).toBeVisible();
  await audit(page, 'onboarding', findings);
  await page.getByTestId('demo-small').click();
  await expect(page.getByTestId('grid-list').locator('button').first()).toBeVisible({ timeout: 60_000 });
  await audit(page, 'grid picker (first run)', findings);
  // A town grid: its buildings have checks due.
  await page.getByTestId('grid-list').locator('button').filter({ hasText: 'XF-01' }).first().click();
  await expect(page.getByTestId('today-progress')).toBeVisible();

  // Something in every list: a problem, and a household nobody was home at (tonight's catch-up).
  await page.goto('/#/report');
  await page.getByTestId('photo-input').setInputFiles(photo);
  await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(1);
  await page.getByRole('button', { name: '环境卫生' }).click();
  await page.getByTestId('save-problem').click();
  await expect(page.getByTestId('problem-status')).toBeVisible();
  await page.goto('/');
  // A day-shift "nobody home" is tonight's catch-up.
  await page.getByRole('button', { name: '白班' }).click();
  await page.locator('[data-testid=due-row] .quick').first().click();
  await page
    .getByTestId('due-row')
    .first()
    .getByRole('button', { name: /无人在家/ })
    .click();
  await expectToastClearOfTheSaveButton(page);

  const screens: Screen[] = [
    {
      name: 'today with quick choices open',
      open: async (page) => {
        await page.goto('/');
        await page.locator('[data-testid=due-row]:not([data-status=done]) .quick').first().click();
        await expect(page.locator('.quick-choices')).toBeVisible();
      },
    },
    { name: 'grid overview', open: go('#/grid', (p) => p.getByTestId('tag-counts').waitFor()) },
    {
      name: 'tag people',
      open: async (page) => {
        await page.goto('/#/grid');
        await page.getByTestId('tag-counts').locator('a').first().click();
        await expect(page.getByTestId('tag-people')).toBeVisible();
      },
    },
    { name: 'browse', open: go('#/browse', (p) => p.getByTestId('building-list').waitFor()) },
    {
      name: 'household list',
      open: async (page) => {
        await page.goto('/#/browse');
        await page.locator('[data-testid=building-list] .row-link').first().click();
        await expect(page.getByTestId('household-list').first()).toBeVisible();
      },
    },
    { name: 'household', open: openHousehold },
    {
      name: 'household with the person and need forms open',
      open: async (page) => {
        await openHousehold(page);
        await page.getByTestId('member-list').getByRole('button', { name: '编辑' }).first().click();
        await page.getByTestId('add-need').click();
        await expect(page.getByTestId('person-form')).toBeVisible();
        await expect(page.getByTestId('add-need-form')).toBeVisible();
      },
    },
    {
      name: 'search',
      open: async (page) => {
        await page.goto('/#/search');
        await page.getByTestId('search-input').fill('wj');
        await expect(page.getByTestId('search-people')).toBeVisible();
      },
    },
    {
      name: 'visit form, five sees open, a need and a photo',
      open: async (page) => {
        await page.goto('/');
        await page.locator('[data-testid=due-row]:not([data-status=done]) a').first().click();
        const form = page.getByTestId('visit-form');
        await form.locator('summary').click();
        await form.getByRole('button', { name: '添加需求' }).click();
        await page.getByTestId('photo-input').setInputFiles(photo);
        await expect(form.locator('.photos img')).toHaveCount(1);
      },
    },
    {
      name: 'tonight',
      open: go('#/tonight', (p) => p.getByTestId('catch-up-list').waitFor()),
    },
    {
      name: 'checklist with a failed item',
      open: async (page) => {
        await page.goto('/');
        await page.getByTestId('checks-due').locator('a').first().click();
        const first = page.getByTestId('check-items').locator(':scope > li').first();
        await first.getByRole('button', { name: '异常', exact: true }).click();
        await expect(first.locator('input[name^=note]')).toBeVisible();
      },
    },
    { name: 'my day', open: go('#/my-day', (p) => p.getByTestId('my-day').waitFor()) },
    {
      name: 'snap report with a photo',
      open: async (page) => {
        await page.goto('/#/report');
        await page.getByTestId('photo-input').setInputFiles(photo);
        await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(1);
      },
    },
    ...problemScreens,
    { name: 'export', open: go('#/export', (p) => p.getByTestId('export-xlsx').waitFor()) },
    {
      name: 'import with a report',
      open: async (page) => {
        await page.goto('/#/import');
        await page.getByTestId('import-file').setInputFiles(badRegister);
        await expect(page.getByTestId('import-report')).toBeVisible();
      },
    },
    { name: 'settings', open: go('#/settings', (p) => p.getByTestId('cadence').waitFor()) },
    { name: 'grid picker', open: go('#/grids', (p) => p.getByTestId('grid-list').waitFor()) },
  ];
  await expectNightSwitchWorks(page);
  await auditScreens(page, screens, findings);
  expect(findings.list()).toEqual([]);
});

test('signed in as a worker and as a leader: their screens, day and night', async ({ browser }) => {
  test.setTimeout(150_000);
  const findings = new Findings();

  const worker = await (await browser.newContext()).newPage();
  await worker.goto('/#/login');
  await waitForServiceWorker(worker);
  await expect(worker.getByTestId('login-form')).toBeVisible();
  await audit(worker, 'login', findings);
  await signIn(worker, 'wgy01');
  await auditScreens(
    worker,
    [
      { name: 'worker settings', open: go('#/settings', (p) => p.getByTestId('account').waitFor()) },
      // The seeded problems a worker may act on (the offline demo's screens cover the rest).
      { ...problemScreens[1]!, name: 'worker problem with an action open' },
    ],
    findings,
  );

  const leader = await (await browser.newContext()).newPage();
  await signIn(leader, 'wgz01');
  await auditScreens(
    leader,
    [
      { name: 'leader inbox', open: go('#/inbox', (p) => p.getByRole('tablist').waitFor()) },
      {
        name: 'leader problem with an action open',
        open: async (page) => {
          await page.goto('/#/inbox');
          await page.locator('[data-testid=inbox-list] .row-link').first().click();
          await page.getByTestId('problem-actions').locator('button').first().click();
          await expect(page.getByTestId('action-form')).toBeVisible();
        },
      },
      {
        name: 'leader settings with the conflict log',
        open: async (page) => {
          await page.goto('/#/settings');
          await page.getByTestId('conflicts').getByRole('button').click();
          await expect(page.getByTestId('conflicts').locator('p, ul')).toBeVisible();
        },
      },
      { name: 'leader dashboard', open: go('#/dashboard', (p) => p.getByTestId('dash-as-of').waitFor()) },
      {
        name: 'leader dashboard, the list behind a figure',
        open: async (page) => {
          await page.goto('/#/dashboard');
          await page.locator('[data-testid=dash-figure][data-figure="problems.open"]').click();
          await expect(page.getByTestId('dash-list-count')).toBeVisible();
        },
      },
    ],
    findings,
  );

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin');
  await auditScreens(
    admin,
    [
      {
        name: 'admin accounts',
        open: go('#/accounts', (p) => p.getByTestId('account-list').getByText('wgy01').waitFor()),
      },
      {
        // Last: the wall is the center's 1920 × 1080 screen.
        name: 'admin dashboard wall',
        open: async (page) => {
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.goto('/#/dashboard/wall');
          await expect(page.getByTestId('dash-wall').getByTestId('dash-as-of')).toBeVisible();
        },
      },
    ],
    findings,
  );
  expect(findings.list()).toEqual([]);
});
