import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { audit, Findings } from './a11y-audit.ts';
import { goOffline, readOutbox, signIn, syncNow } from './helpers.ts';

/**
 * 上级任务 end to end against the real server: the command center issues a campaign over two grids'
 * households, a worker of one grid syncs, does four items offline (one 无法完成 with a reason, one
 * with a photo, one by recording a visit), comes back online, and the center's progress page counts
 * her four for her grid.
 * Each new screen passes axe day and night with 44 px targets on the way (a11y-audit.ts).
 */
const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));
const WORKER_GRID = '幸福社区第1网格';
const OTHER_GRID = '幸福社区第2网格';

async function goOnline(context: BrowserContext) {
  await context.unroute('**/*');
  await context.setOffline(false);
}

/** The "done / total" of one grid's row on the progress page. */
function gridFigure(page: Page, gridName: string) {
  return page.locator(`[data-testid=task-grid-row][data-grid="${gridName}"]`).getByTestId('task-grid-done');
}

test('the center issues a campaign, a worker does four items offline, the center sees them', async ({
  browser,
}) => {
  const phone = { serviceWorkers: 'allow' as const, viewport: { width: 360, height: 760 } };
  const centerContext = await browser.newContext(phone);
  const workerContext = await browser.newContext(phone);
  const center = await centerContext.newPage();
  const worker = await workerContext.newPage();
  center.on('dialog', (d) => void d.accept());
  const findings = new Findings();
  // The e2e server is shared by every spec: a title of its own finds this test's task among others.
  const title = `燃气安全排查 ${randomUUID().slice(0, 6)}`;

  await signIn(center, 'zhzx');
  await center.getByTestId('inbox-tasks-link').click();
  await center.getByTestId('task-new-link').click();
  const form = center.getByTestId('task-form');
  await form.locator('input[name=title]').fill(title);
  await form.getByRole('button', { name: '专项排查' }).click();
  await form.locator('textarea[name=description]').fill('查看燃气软管是否老化、是否装了报警器');
  await form.locator('summary').filter({ hasText: '幸福社区' }).click();
  await form.getByLabel(WORKER_GRID, { exact: true }).check();
  await form.getByLabel(OTHER_GRID, { exact: true }).check();
  // Every household of the two grids, counted from the center's own copy of the register.
  await expect(center.getByTestId('task-count')).toContainText(/将下发 \d+ 项，涉及 2 个网格/);
  const total = Number(await center.getByTestId('task-count').getAttribute('data-n'));
  expect(total).toBeGreaterThan(6);
  await audit(center, 'new task, grids chosen', findings);
  await center.getByTestId('issue-task').click();

  await expect(center.getByTestId('task-title')).toHaveText(title);
  await expect(center.getByTestId('task-total')).toContainText(`已反馈 0 / ${total}`);
  const gridTotal = Number((await gridFigure(center, WORKER_GRID).textContent())!.split('/')[1]);
  expect(gridTotal).toBeGreaterThanOrEqual(4);
  await expect(gridFigure(center, WORKER_GRID)).toHaveText(`0 / ${gridTotal}`);
  const progressUrl = center.url();
  await audit(center, 'task progress', findings);
  await syncNow(center);
  await center.goto('/#/tasks');
  await expect(center.getByTestId('task-list')).toContainText(title);
  await audit(center, 'task list', findings);

  try {
    // The worker's first sync brings the task and her grid's items; Today lists them under 上级任务.
    await signIn(worker, 'wgy01');
    await worker.goto('/#/');
    const group = worker.getByTestId('task-group').filter({ hasText: title });
    await expect(group).toBeVisible();
    await expect(worker.getByTestId('today-tasks')).toContainText('上级任务');
    await expect(group.getByTestId('task-due')).toContainText('日前');
    await group.scrollIntoViewIfNeeded();
    await audit(worker, "today's 上级任务", findings);

    await goOffline(workerContext);
    await worker.reload();

    // 1: the household's page names the task; done in one tap more.
    await group.locator('a.row-link').first().click();
    await expect(worker.getByTestId('task-title')).toHaveText(title);
    await worker.getByTestId('task-target').click();
    await expect(worker.getByTestId('target-tasks')).toContainText(`上级任务：${title}`);
    await audit(worker, 'household with its task', findings);
    await worker.getByTestId('target-tasks').locator('a.row-link').filter({ hasText: title }).click();
    await worker.getByTestId('save-task-item').click();
    await expect(worker.getByTestId('toast')).toContainText('已保存');

    // 2: done, with a note and a photo.
    await expect(worker.getByTestId('today-progress')).toBeVisible();
    await group.locator('a.row-link').first().click();
    await worker.locator('textarea[name=note]').fill('软管已更换，报警器正常');
    await worker.getByTestId('photo-input').setInputFiles(photo);
    await expect(worker.getByTestId('task-item-form').locator('img')).toBeVisible();
    await worker.getByTestId('save-task-item').click();
    await expect(worker.getByTestId('toast')).toContainText('已保存');

    // 3: 无法完成, refused without a reason, then with a quick one.
    await expect(worker.getByTestId('today-progress')).toBeVisible();
    await group.locator('a.row-link').first().click();
    await worker.getByTestId('task-item-form').getByRole('button', { name: '无法完成' }).click();
    await worker.getByTestId('save-task-item').click();
    await expect(worker.getByTestId('save-error')).toContainText('请选择或填写无法完成的原因');
    await worker.getByRole('button', { name: '已搬走' }).click();
    await expect(worker.getByTestId('task-reason')).toHaveValue('已搬走');
    await audit(worker, 'task item, 无法完成', findings);
    await worker.getByTestId('save-task-item').click();
    await expect(worker.getByTestId('toast')).toContainText('已保存');

    // 4: a visit to the next household finishes its item in the same save (ticked by default).
    await expect(worker.getByTestId('today-progress')).toBeVisible();
    await group.locator('a.row-link').first().click();
    await worker.getByTestId('task-target').click();
    const householdId = decodeURIComponent(worker.url().split('#/household/')[1]!);
    await worker.goto(`/#/visit/${encodeURIComponent(householdId)}`);
    const also = worker.getByTestId('visit-task-items');
    await expect(also).toContainText(title);
    await expect(also.getByRole('checkbox')).toBeChecked();
    // A knock on a closed door does not finish it: the choice goes away, and comes back when met.
    await worker.getByRole('button', { name: '无人在家' }).click();
    await expect(also).toHaveCount(0);
    await worker.getByRole('button', { name: '见到本人' }).click();
    await expect(also.getByRole('checkbox')).toBeChecked();
    await worker.getByTestId('save-visit').click();
    await expect(worker.getByTestId('toast')).toContainText('并完成 1 项上级任务');

    // Four queued answers, none sent; Today has four fewer to do.
    const outbox = await readOutbox(worker);
    const completions = outbox.filter((entry) => entry.name === 'taskItem.complete');
    expect(completions.map((entry) => (entry.args as { result: string }).result)).toEqual([
      'done',
      'done',
      'impossible',
      'done',
    ]);
    expect((completions[2]!.args as { reason?: string }).reason).toBe('已搬走');
    expect(outbox.filter((entry) => entry.name === 'visit.record')).toHaveLength(1);
    if (gridTotal > 4) await expect(group.locator('a.row-link')).toHaveCount(Math.min(gridTotal - 4, 5));
    else await expect(group).toHaveCount(0);

    await goOnline(workerContext);
    await syncNow(worker);

    // The center pulls the answers: four of her grid's items, none of the other grid's.
    await syncNow(center);
    await center.goto(progressUrl);
    await expect(gridFigure(center, WORKER_GRID)).toHaveText(`4 / ${gridTotal}`);
    await expect(gridFigure(center, OTHER_GRID)).toHaveText(`0 / ${total - gridTotal}`);
    await expect(center.getByTestId('task-total')).toContainText(`已反馈 4 / ${total}`);
    await expect(center.getByTestId('task-workers')).toContainText('王丽');
    await expect(center.getByTestId('task-impossible-items')).toContainText('已搬走');
    expect(findings.list()).toEqual([]);
  } finally {
    // Shared server: the task is cancelled, so no later spec finds it on Today.
    await center.goto(progressUrl);
    await center.getByTestId('task-cancel').click();
    await expect(center.getByTestId('task-status')).toHaveText('已取消');
    await syncNow(center);
    await centerContext.close();
    await workerContext.close();
  }
});
