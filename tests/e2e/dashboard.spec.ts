import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { goOffline, signIn } from './helpers.ts';

/**
 * 数据看板 against the real server: a leader opens it from 我的, taps a figure and the list behind it
 * counts the same; offline, the reload opens from the cached figures with their "数据截至" time and
 * the list is counted on the phone. The center, offline before any fetch, is told plainly; online,
 * its wall renders at 1920 × 1080 without horizontal overflow.
 */

/** The figures a leader of the demo town always has something in, most certain first. */
const FIGURES = ['problems.open', 'problems.new-week', 'round.due', 'problems.new-month'];

async function firstFigureWithRows(page: Page): Promise<{ figure: Locator; count: number }> {
  for (const key of FIGURES) {
    const figure = page.locator(`[data-testid=dash-figure][data-figure="${key}"]`);
    const count = Number(await figure.getAttribute('data-count'));
    if (count > 0) return { figure, count };
  }
  throw new Error(`none of ${FIGURES.join(', ')} has rows`);
}

async function expectListOf(page: Page, count: number): Promise<void> {
  await expect(page.getByTestId('dash-list-count')).toHaveAttribute('data-count', String(count));
  await expect(page.getByTestId('dash-list-count')).toHaveText(`共 ${count} 条`);
  await expect(page.getByTestId('dash-list').locator(':scope > li')).toHaveCount(Math.min(count, 1000));
}

async function backOnline(context: BrowserContext): Promise<void> {
  await context.unroute('**/*');
  await context.setOffline(false);
}

test('a leader reads the dashboard, taps through to a list of the same count, and opens it offline', async ({
  browser,
}) => {
  const context = await browser.newContext({
    serviceWorkers: 'allow',
    viewport: { width: 360, height: 760 },
  });
  const page = await context.newPage();
  try {
    await signIn(page, 'wgz01');
    await page.goto('/#/settings');
    await page.getByTestId('dashboard-link').click();
    await expect(page.getByRole('heading', { level: 1, name: '数据看板' })).toBeVisible();
    await expect(page.getByTestId('dash-as-of')).toContainText(/数据截至 \d\d:\d\d/);
    await expect(page.getByTestId('dash-scope')).toHaveText(/我的网格（\d+ 个）/);
    // No page of the dashboard is wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    const { figure, count } = await firstFigureWithRows(page);
    const key = (await figure.getAttribute('data-figure'))!;
    await expect(figure).toContainText(String(count));
    await figure.click();
    await expectListOf(page, count);
    await expect(page.getByTestId('dash-list-offline')).toHaveCount(0);

    // A cell of a breakdown too: the largest category this month, when there is one.
    await page.goto('/#/dashboard');
    const category = page.locator('[data-testid=dash-figure][data-figure^="problems.by-category?"]').first();
    if ((await category.count()) > 0) {
      const categoryCount = Number(await category.getAttribute('data-count'));
      await category.click();
      await expectListOf(page, categoryCount);
    }

    // Offline: the reload opens from the figures cached on the phone, with their time.
    await page.goto('/#/dashboard');
    const asOf = /数据截至 \d\d:\d\d/.exec((await page.getByTestId('dash-as-of').textContent())!)![0];
    await goOffline(context);
    await page.reload();
    await expect(page.getByTestId('dash-as-of')).toContainText(asOf);
    await expect(page.getByTestId('dash-offline')).toHaveText('离线，显示的是上次同步的数据');
    const cached = page.locator(`[data-testid=dash-figure][data-figure="${key}"]`);
    await expect(cached).toHaveAttribute('data-count', String(count));

    // The list behind it, counted on the phone from its synced records by the same rules.
    await cached.click();
    await expect(page.getByTestId('dash-list-offline')).toHaveText('离线：按本机已同步的记录列出');
    await expectListOf(page, count);

    // And so for every figure the phone can list itself (problems, needs): the same count as the server's.
    await page.goto('/#/dashboard');
    await expect(page.getByTestId('dash-offline')).toBeVisible();
    const onPhone = await page.locator('[data-testid=dash-figure]').evaluateAll((links) =>
      links
        .map((link) => ({
          href: link.getAttribute('href')!,
          figure: link.getAttribute('data-figure')!,
          count: Number(link.getAttribute('data-count')),
        }))
        .filter((link) =>
          /^(problems|needs|workers\.problems-found|workers\.resolved-on-time)/.test(link.figure),
        ),
    );
    expect(onPhone.length).toBeGreaterThan(10);
    const counted: string[] = [];
    for (const link of onPhone) {
      await page.goto(`/${link.href}`);
      await expect(page.getByTestId('dash-list-offline')).toBeVisible();
      counted.push(`${link.figure} ${await page.getByTestId('dash-list-count').getAttribute('data-count')}`);
    }
    expect(counted).toEqual(onPhone.map((link) => `${link.figure} ${link.count}`));
  } finally {
    await context.close();
  }
});

test('the center offline with no cache is told so; online its wall fills 1920 × 1080 and no wider', async ({
  browser,
}) => {
  const context = await browser.newContext({
    serviceWorkers: 'allow',
    viewport: { width: 360, height: 760 },
  });
  const page = await context.newPage();
  try {
    await signIn(page, 'zhzx');
    await goOffline(context);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '看板' }).click();
    await expect(page.getByTestId('dash-offline-empty')).toHaveText(
      '离线，本机还没有看板数据。连上网络后再打开本页。',
    );
    await expect(page.getByTestId('dash-figure')).toHaveCount(0);

    await backOnline(context);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto('/#/dashboard/wall');
    const wall = page.getByTestId('dash-wall');
    await expect(wall.getByTestId('dash-as-of')).toContainText('数据截至');
    await expect(wall).toContainText('全镇');
    await expect(wall.getByTestId('trend-chart').first().locator('canvas')).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'night');
    const widths = await page.evaluate(() => {
      const element = document.querySelector('[data-testid=dash-wall]')!;
      return {
        page: document.documentElement.scrollWidth,
        view: innerWidth,
        wall: element.scrollWidth,
        wallView: element.clientWidth,
      };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    expect(widths.wall).toBeLessThanOrEqual(widths.wallView);
  } finally {
    await context.close();
  }
});
