/**
 * Today at 360 px as a worker walks it, offline: this shift's checks near the top, the 日必访 people
 * next, each section folding with its count, a jump to a household, and a mistaken tap undone, on the
 * list and on the household page.
 */
import { expect, test } from '@playwright/test';
import { goOffline, loadDemoAndPickGrid, readOutbox } from './helpers.ts';

const SCREEN = 760;

test('Today has a shape a worker can scan, and a mistaken visit can be undone', async ({ page, context }) => {
  // A grid of estates (buildings with lifts and gas) of real size (~300 households, not the test
  // town's ~9), so its day is the long one a worker scans: ~50 households due.
  await loadDemoAndPickGrid(page, 'XF-01', { grids: 2 });
  await goOffline(context);
  await page.goto('/');
  await page.getByRole('button', { name: '白班' }).click();
  const progress = page.getByTestId('today-progress');
  await expect(progress).toBeVisible();

  // This shift's checks start within the first two screenfuls (they were ~43 screens down).
  const checks = page.getByTestId('today-checks');
  await expect(checks.getByRole('button', { name: /本班巡查/ })).toContainText(/已查 \d+ \/ \d+/);
  const firstCheck = page.getByTestId('checks-due').locator('a').first();
  const box = (await firstCheck.boundingBox())!;
  expect(box.y + box.height).toBeLessThan(2 * SCREEN);
  await page.screenshot({ path: test.info().outputPath('today-top.png') });

  // Sections fold with one tap and keep their count in sight; the 日必访 people (when the grid has
  // any today) come before the rest.
  const sections = page.getByTestId('due-list').locator('section');
  const names = await sections.locator('h2 .title').allTextContents();
  expect(names).toEqual(
    ['日必访', '其他待访', '今天已完成'].filter((name) => names.some((n) => n.includes(name))),
  );
  const others = page.getByTestId('due-others');
  const othersHead = others.getByRole('button', { name: /其他待访 \d+ 户/ });
  const otherRows = others.getByTestId('due-row');
  await expect(othersHead).toHaveAttribute('aria-expanded', 'true');
  await othersHead.click();
  await expect(othersHead).toHaveAttribute('aria-expanded', 'false');
  await expect(otherRows.first()).toBeHidden();

  // A jump within the list: a household's address finds its row, in a folded section too.
  const address = (await otherRows.nth(3).locator('.row-sub').textContent())!.trim();
  await page.getByTestId('today-jump').fill(address);
  const found = page.getByTestId('due-row').filter({ visible: true });
  await expect(found.first()).toContainText(address);
  expect(await found.count()).toBeLessThan(5);
  await page.getByTestId('today-jump').fill('没有这个地址');
  await expect(page.getByTestId('today-jump-none')).toContainText('没有这个地址');
  await page.getByTestId('today-jump').fill('');
  await othersHead.click();
  await expect(otherRows.first()).toBeVisible();

  // A quick visit tapped by mistake: 撤销 on the toast puts the household back, due, in its place.
  const before = (await progress.textContent())!;
  const row = otherRows.first();
  const href = (await row.locator('a.row-link').getAttribute('href'))!;
  const sameRow = page.getByTestId('due-row').filter({ has: page.locator(`a[href="${href}"]`) });
  await row.getByRole('button', { name: '快速登记' }).click();
  await sameRow.getByRole('button', { name: /一切正常/ }).click();
  await expect(sameRow).toHaveAttribute('data-status', 'done');
  await expect(progress).not.toHaveText(before);
  const toast = page.getByTestId('toast');
  await expect(toast).toContainText('走访已保存');
  await page.screenshot({ path: test.info().outputPath('today-undo.png') });
  await toast.getByRole('button', { name: '撤销' }).click();
  await expect(progress).toHaveText(before);
  await expect(page.getByTestId('toast')).toContainText('已撤销这次走访');
  await expect(otherRows.first().locator('a.row-link')).toHaveAttribute('href', href);
  expect((await readOutbox(page)).map((m) => m.name)).toEqual(['visit.record', 'visit.withdraw']);

  // On the household page: today's visit is corrected (nobody home after all), then withdrawn.
  await sameRow.getByRole('button', { name: '快速登记' }).click();
  await sameRow.getByRole('button', { name: /一切正常/ }).click();
  await expect(progress).not.toHaveText(before);
  const householdId = decodeURIComponent(href.replace('#/visit/', ''));
  await page.goto(`/#/household/${encodeURIComponent(householdId)}`);
  const visit = page.getByTestId('todays-visit');
  await expect(visit).toHaveCount(1);
  await visit.getByTestId('correct-visit').click();
  await visit.getByRole('button', { name: '无人在家' }).click();
  await visit.locator('textarea').fill('敲门无人应，邻居说去女儿家了');
  await page.screenshot({ path: test.info().outputPath('household-correct.png'), fullPage: true });
  await visit.getByRole('button', { name: '保存' }).click();
  await expect(visit).toContainText('无人在家');
  await expect(visit).toContainText('邻居说去女儿家了');
  await visit.getByTestId('withdraw-visit').click();
  await visit.getByRole('button', { name: '撤回' }).click();
  await expect(page.getByTestId('todays-visits')).toHaveCount(0);
  await page.goto('/');
  await expect(progress).toHaveText(before);
  expect((await readOutbox(page)).map((m) => m.name)).toEqual([
    'visit.record',
    'visit.withdraw',
    'visit.record',
    'visit.correct',
    'visit.withdraw',
  ]);
});
