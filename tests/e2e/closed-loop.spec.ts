import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { actOnProblem, goOffline, readOutbox, signIn, syncNow } from './helpers.ts';

const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));
async function goOnline(context: BrowserContext, page: Page) {
  await context.unroute('**/*');
  await context.setOffline(false);
  // The app syncs on `online`; wait until the outbox is empty.
  await expect(page.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });
}

test('worker offline -> leader dispatches -> worker resolves -> leader closes the loop; nothing lost or doubled', async ({
  browser,
}) => {
  // The demo's past visits are all from before this moment: the one this test makes is after it.
  const startedAt = Date.now();
  const workerContext = await browser.newContext({
    serviceWorkers: 'allow',
    viewport: { width: 360, height: 760 },
  });
  const leaderContext = await browser.newContext({
    serviceWorkers: 'allow',
    viewport: { width: 360, height: 760 },
  });
  const worker = await workerContext.newPage();
  const leader = await leaderContext.newPage();
  worker.on('dialog', (d) => void d.accept());
  leader.on('dialog', (d) => void d.accept());

  await signIn(worker, 'wgy01');
  await expect(worker.getByTestId('today-progress')).toBeVisible();

  // Offline: a visit from the list and a snapped problem with a photo; then a reload.
  await goOffline(workerContext);
  await worker.goto('/');
  await worker.getByRole('button', { name: '白班' }).click();
  const row = worker.getByTestId('due-row').first();
  const address = (await row.locator('.row-sub').textContent())!;
  await row.getByRole('button', { name: '快速登记' }).click();
  await worker
    .getByTestId('due-row')
    .filter({ hasText: address })
    .getByRole('button', { name: /一切正常/ })
    .click();
  await worker.goto('/#/report');
  await worker.getByTestId('photo-input').setInputFiles(photo);
  await expect(worker.getByTestId('snap-form').locator('img')).toHaveCount(1);
  await worker.getByRole('button', { name: '环境卫生' }).click();
  await worker
    .getByTestId('snap-form')
    .locator('textarea[name=description]')
    .fill('3栋楼道堆放杂物，堵塞消防通道');
  await worker.getByTestId('save-problem').click();
  await expect(worker.getByTestId('problem-status')).toContainText('已上报');
  const problemPath = new URL(worker.url()).hash;
  await worker.reload();
  await expect(worker.getByTestId('pending-count')).toHaveText('2 条修改待同步');
  expect((await readOutbox(worker)).map((r) => r.name)).toEqual(['visit.record', 'problem.report']);

  await goOnline(workerContext, worker);

  // The leader sees it and dispatches it back to the worker.
  await signIn(leader, 'wgz01');
  await leader.goto('/#/inbox');
  await leader.getByTestId('inbox-list').getByText('3栋楼道堆放杂物').click();
  await expect(leader.getByTestId('problem-photos').locator('img')).toHaveCount(1);
  await actOnProblem(leader, '派单', async (form) => {
    await form.locator('select[name=department]').selectOption('reporter');
  });
  await expect(leader.getByTestId('problem-status')).toContainText('已派单');
  await expect(leader.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });

  // The worker's app receives the assignment, accepts and resolves with a note and a photo.
  await syncNow(worker, { untilOutboxEmpty: false });
  await worker.goto(`/${problemPath}`);
  await expect(worker.getByTestId('problem-status')).toContainText('已派单');
  await actOnProblem(worker, '接单');
  await actOnProblem(worker, '办结', async (form) => {
    await form.locator('textarea[name=note]').fill('已联系物业清运，通道畅通');
    await form.getByTestId('photo-input').setInputFiles(photo);
    await expect(form.locator('img')).toHaveCount(1);
  });
  await expect(worker.getByTestId('problem-status')).toContainText('已办结');
  await expect(worker.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });

  // The leader gives the reporter's feedback and evaluates.
  await syncNow(leader, { untilOutboxEmpty: false });
  await leader.goto(`/${problemPath}`);
  await expect(leader.getByTestId('problem-status')).toContainText('已办结');
  await actOnProblem(leader, '反馈', (form) =>
    form.locator('textarea[name=reporter-answer]').fill('居民表示满意'),
  );
  await actOnProblem(leader, '评价', (form) => form.getByRole('radio', { name: '5' }).click());
  await expect(leader.getByTestId('problem-status')).toContainText('已评价');
  await expect(leader.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });

  // Both devices agree with the server: one visit, one problem with the whole loop, no leftovers.
  await syncNow(worker, { untilOutboxEmpty: false });
  await worker.goto(`/${problemPath}`);
  await expect(worker.getByTestId('problem-status')).toContainText('已评价');
  const history = worker.getByTestId('problem-history').locator('li');
  await expect(history).toHaveCount(6);
  expect(await readOutbox(worker)).toEqual([]);
  expect(await readOutbox(leader)).toEqual([]);
  const visitsOnServerView = await leader.evaluate(
    ({ addr, since }) =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('lianxin');
        open.onsuccess = () => {
          const tx = open.result.transaction(['visits', 'households']);
          const households = tx.objectStore('households').getAll();
          const visits = tx.objectStore('visits').getAll();
          tx.oncomplete = () => {
            const home = (households.result as Array<{ id: string; address: string }>).find(
              (h) => h.address === addr,
            );
            resolve(
              (visits.result as Array<{ householdId: string; visitedAt: number }>).filter(
                (v) => v.householdId === home?.id && v.visitedAt >= since,
              ).length,
            );
          };
        };
      }),
    { addr: address.trim(), since: startedAt },
  );
  expect(visitsOnServerView).toBe(1);

  await workerContext.close();
  await leaderContext.close();
});
