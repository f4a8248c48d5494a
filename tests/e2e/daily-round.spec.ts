import { expect, test, type Page } from '@playwright/test';
import { goOffline, loadDemoAndPickGrid, readOutbox } from './helpers.ts';

/** A building with an elevator, its grid's code and how many households the grid has, from IndexedDB. */
async function buildingWithElevator(
  page: Page,
): Promise<{ buildingId: string; gridCode: string; households: number }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onsuccess = () => {
          const tx = open.result.transaction(['buildings', 'grids', 'households']);
          const buildings = tx.objectStore('buildings').getAll();
          const grids = tx.objectStore('grids').getAll();
          const households = tx.objectStore('households').getAll();
          tx.oncomplete = () => {
            const rows = buildings.result as Array<{
              id: string;
              gridId: string;
              facilities: { elevators: number };
            }>;
            const found = rows.find((b) => b.facilities.elevators > 0);
            const grid = (grids.result as Array<{ id: string; code: string }>).find(
              (g) => g.id === found?.gridId,
            );
            const inGrid = (households.result as Array<{ gridId: string }>).filter(
              (h) => h.gridId === found?.gridId,
            );
            if (found && grid)
              resolve({ buildingId: found.id, gridCode: grid.code, households: inGrid.length });
            else reject(new Error('no building with an elevator in the demo town'));
          };
        };
      }),
  );
}

test('a day round offline: visits, a need, a catch-up for tonight, a checklist with a hazard, all kept', async ({
  page,
  context,
}) => {
  await loadDemoAndPickGrid(page);
  // Work in a grid that has a high-rise (an elevator to check).
  const { buildingId, gridCode, households } = await buildingWithElevator(page);
  await page.goto('/#/grids');
  await page.getByTestId('grid-list').locator('button').filter({ hasText: gridCode }).click();
  await goOffline(context);
  await page.goto('/');
  await page.getByRole('button', { name: '白班' }).click();

  const progress = page.getByTestId('today-progress');
  const total = Number((await progress.textContent())!.match(/\/ (\d+)/)![1]);
  // The demo's past visits leave a day's work, not every household: in this ~9-household test grid
  // that is its 日必访 households, any whose week, month or quarter is up, and one overdue.
  expect(total).toBeGreaterThanOrEqual(2);
  expect(total).toBeLessThan(households);
  await expect(page.locator('.progress-card .overdue')).toHaveText(/^逾期 [1-9]\d* 户$/);
  await expect(progress).toHaveText(`今日 0 / ${total}`);

  // 1. A "met" visit with a need, through the full form.
  const rows = page.getByTestId('due-row');
  const firstAddress = (await rows.first().locator('.row-sub').textContent())!;
  await rows.first().locator('a').click();
  const form = page.getByTestId('visit-form');
  await form.getByRole('button', { name: '见到本人' }).click();
  // 五个见 reads as a fold that opens, and says what is inside (it once looked like an empty heading).
  const fiveSees = form.locator('summary');
  await expect(fiveSees).toContainText('见人、见物、见过程、见结果、见分析');
  const marker = () =>
    fiveSees.evaluate((el) => {
      const before = getComputedStyle(el, '::before');
      return { content: before.content, transform: before.transform };
    });
  const closed = await marker();
  expect(closed.content).toContain('›');
  await fiveSees.click();
  await expect(form.locator('details')).toHaveAttribute('open', '');
  expect((await marker()).transform).not.toBe(closed.transform);
  await form.locator('textarea[name=five-person]').fill('精神好，血压偏高');
  await form.getByRole('button', { name: '添加需求' }).click();
  await form.getByRole('button', { name: '就医' }).click();
  await form.locator('input[name=need-description]').fill('需要陪同去社区医院复查');
  await page.getByTestId('save-visit').click();
  await expect(progress).toHaveText(`今日 1 / ${total}`);

  // 2. "Nobody home" in two taps from the list, on the day shift.
  const pending = page.locator('[data-testid=due-row]:not([data-status=done])').first();
  const secondAddress = (await pending.locator('.row-sub').textContent())!;
  await pending.getByRole('button', { name: '快速登记' }).click();
  await page
    .locator('[data-testid=due-row]')
    .filter({ hasText: secondAddress })
    .getByRole('button', { name: /无人在家/ })
    .click();
  await expect(page.getByTestId('tonight-link')).toContainText('今晚补访 1');

  // 3. The elevator / gas / hydrant round with one failed item, and the reminder not done.
  await page.goto(`/#/check/01900000-0000-7000-8000-000000000001/b/${buildingId}`);
  const items = page.getByTestId('check-items').locator(':scope > li');
  await expect(items.first()).toContainText('电梯');
  const count = await items.count();
  for (let i = 0; i < count; i++) {
    const item = items.nth(i);
    // A reminder is answered 已提醒 / 未完成, not 正常 / 异常 / 不适用.
    if ((await item.getAttribute('data-kind')) === 'reminder') {
      await expect(item.getByRole('button')).toHaveText(['已提醒', '未完成']);
      await item.getByRole('button', { name: '未完成', exact: true }).click();
      continue;
    }
    await expect(item.getByRole('button')).toHaveText(['正常', '异常', '不适用']);
    await item.getByRole('button', { name: i === 0 ? '异常' : '正常', exact: true }).click();
  }
  for (const button of await items.getByRole('button').all()) {
    const box = (await button.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
  }
  await items.nth(0).locator('input[name^=note]').fill('电梯应急电话无人接听');
  // 未完成 asks for a reason before the run is saved.
  const reminder = items.filter({ hasText: '提醒居民出门关水、关电、关气' });
  await page.getByTestId('save-check').click();
  await expect(page.getByText('还有 1 项未完成没有写原因')).toBeVisible();
  await expect(reminder.locator('input[name^=note]')).toHaveAttribute('aria-invalid', 'true');
  await reminder.locator('input[name^=note]').fill('住户出差，已在门上贴提示');
  await page.getByTestId('save-check').click();
  await expect(page.getByTestId('toast')).toContainText('1 项异常已记为隐患');

  // Reload (still offline): everything is there and the counts are right.
  await page.reload();
  await page.goto('/');
  await expect(progress).toHaveText(`今日 1 / ${total}`);
  await expect(page.getByTestId('open-needs')).toHaveText('待办需求 1 件');
  await page.getByTestId('tonight-link').click();
  await expect(page.getByTestId('catch-up-list')).toContainText(secondAddress);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'night');

  await page.goto('/#/my-day');
  const myDay = page.getByTestId('my-day');
  await expect(myDay).toContainText('上门 2 次，2 户');
  await expect(myDay.locator('[data-figure=reached]')).toHaveText('已访 1 次');
  await expect(myDay.locator('[data-figure=missed]')).toHaveText('未遇 1 次');
  await expect(myDay.locator('[data-outcome=met]')).toContainText('1');
  await expect(myDay.locator('[data-outcome=nobody-home]')).toContainText('1');
  await expect(page.getByTestId('my-day-checks')).toHaveText('巡查 1 次');
  await expect(page.getByTestId('my-day-failed')).toHaveText('1 项异常');
  await expect(page.getByTestId('my-day-reminders')).toHaveText('1 项提醒未完成');
  await expect(page.getByTestId('my-day-needs')).toHaveText('新需求 1 件');

  // The household page shows the need and the visit in its history.
  await page.goto('/#/search');
  await page.getByTestId('search-input').fill(firstAddress);
  await page.getByTestId('search-households').locator('a').first().click();
  await expect(page.getByTestId('needs-file')).toContainText('需要陪同去社区医院复查');
  await expect(page.getByTestId('timeline')).toContainText('见到本人');
  await expect(page.getByTestId('timeline')).toContainText('精神好，血压偏高');

  const outbox = await readOutbox(page);
  expect(outbox.map((row) => row.name)).toEqual(['visit.record', 'visit.record', 'checklist.recordRun']);
  expect(outbox.map((row) => row.mutationId)).toEqual([1, 2, 3]);
  const [metVisit, nobodyHome, run] = outbox.map((row) => row.args) as [
    { visit: { outcome: string; shift: string }; needs: Array<{ description: string }> },
    { visit: { outcome: string; shift: string } },
    { run: { results: Array<{ itemId: string; result: string }> }; hazards: Array<{ description: string }> },
  ];
  expect(metVisit.visit.outcome).toBe('met');
  expect(metVisit.needs.map((n) => n.description)).toEqual(['需要陪同去社区医院复查']);
  expect(nobodyHome.visit).toMatchObject({ outcome: 'nobody-home', shift: 'day' });
  // The reminder not done keeps its reason on the run and is no hazard.
  expect(run.run.results).toContainEqual(
    expect.objectContaining({ itemId: 'remind-off', result: 'not-done', note: '住户出差，已在门上贴提示' }),
  );
  expect(run.hazards).toHaveLength(1);
  expect(run.hazards[0]!.description).toContain('电梯应急电话无人接听');
});
