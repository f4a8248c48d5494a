import { expect, test, type Page } from '@playwright/test';
import { signIn, syncNow } from './helpers.ts';

/**
 * The visit cadence is the grid's: the leader sets 空巢老人 from weekly to daily on their phone, the
 * grid's worker syncs and sees it in Settings (read-only, 由网格长设置) and in Today's list.
 */

/** How many households Today asks for (the total of "done/total"). */
async function dueTotal(page: Page): Promise<number> {
  await page.goto('/#/');
  const progress = page.getByTestId('today-progress');
  await expect(progress).toBeVisible();
  return Number(/\/\s*(\d+)/.exec((await progress.textContent()) ?? '')![1]);
}

async function setEmptyNest(leader: Page, cadence: 'daily' | 'weekly') {
  await leader.goto('/#/settings');
  await leader.getByTestId('cadence-empty-nest').selectOption(cadence);
  await expect(leader.getByTestId('cadence-error')).toHaveCount(0);
  await syncNow(leader);
}

test("the leader's cadence reaches the worker's Today", async ({ browser }) => {
  const phone = { serviceWorkers: 'allow' as const, viewport: { width: 360, height: 760 } };
  const workerContext = await browser.newContext(phone);
  const leaderContext = await browser.newContext(phone);
  const worker = await workerContext.newPage();
  const leader = await leaderContext.newPage();

  await signIn(worker, 'wgy01');
  const before = await dueTotal(worker);
  await worker.goto('/#/settings');
  // The grid's name is read from the register once the page has it ('—' until then).
  await expect(worker.locator('.grid-name')).not.toHaveText('—');
  const workerGrid = await worker.locator('.grid-name').textContent();
  await expect(worker.getByTestId('cadence-set-by-leader')).toHaveText('由网格长设置');
  await expect(worker.getByTestId('cadence-empty-nest')).toBeDisabled();
  await expect(worker.getByTestId('cadence-empty-nest')).toHaveValue('weekly');

  await signIn(leader, 'wgz01');
  await leader.goto('/#/settings');
  // The leader's phone opens on the first of their grids: the worker's.
  await expect(leader.locator('.grid-name')).toHaveText(workerGrid!);
  await expect(leader.getByTestId('cadence-set-by-leader')).toHaveCount(0);
  await setEmptyNest(leader, 'daily');

  try {
    await syncNow(worker);
    await expect(worker.getByTestId('cadence-empty-nest')).toHaveValue('daily');
    // Empty-nest households visited earlier this week are due again today.
    expect(await dueTotal(worker)).toBeGreaterThan(before);
  } finally {
    // The e2e server is shared by the other specs: the grid goes back to the default.
    await setEmptyNest(leader, 'weekly');
    await workerContext.close();
    await leaderContext.close();
  }
});
