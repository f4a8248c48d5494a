import { expect, test, type Locator } from '@playwright/test';
import { loadDemoAndPickGrid, signIn } from './helpers.ts';

/**
 * Free text on a problem reaches the grid leader, the command center and the department it is
 * dispatched to, and no tag redaction filters it: every field that becomes a problem's words says so.
 */
async function expectAudienceLine(field: Locator, ...names: string[]) {
  const describedBy = await field.getAttribute('aria-describedby');
  expect(describedBy).toBeTruthy();
  const line = field.page().locator(`[id="${describedBy}"]`);
  await expect(line).toBeVisible();
  for (const name of ['谁会看到', '网格长', '镇指挥中心', '健康信息', ...names])
    await expect(line).toContainText(name);
}

test('the problem description, a need and an action note say who will read them', async ({ page }) => {
  await loadDemoAndPickGrid(page);

  await page.goto('/#/report');
  const description = page.getByTestId('snap-form').locator('textarea[name=description]');
  await expectAudienceLine(description, '承办部门');
  await page.getByRole('button', { name: '社会保障' }).click();
  await description.fill('困难家庭申请临时救助');
  await page.getByTestId('save-problem').click();
  await expect(page.getByTestId('problem-status')).toContainText('已上报');

  await page.getByTestId('problem-actions').getByRole('button', { name: '现场办结' }).click();
  await expectAudienceLine(page.getByTestId('action-form').locator('textarea[name=note]'));

  // A need's words become the problem's when it is turned into one.
  await page.goto('/#/');
  await page.getByTestId('due-row').first().locator('a').click();
  await page.getByTestId('visit-form').getByRole('button', { name: '添加需求' }).click();
  await expectAudienceLine(
    page.getByTestId('need-draft').locator('input[name=need-description]'),
    '转为问题',
  );
});

test('dispatching, the note names the department that will read it', async ({ page }) => {
  await signIn(page, 'wgz01');
  // A new report in the leader's grids, waiting to be dispatched (one without photos keeps the page simple).
  const problemId = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('problems').objectStore('problems').getAll();
          request.onsuccess = () => {
            open.result.close();
            const found = (request.result as Array<{ id: string; status: string; photoIds: string[] }>).find(
              (p) => p.status === 'reported' && p.photoIds.length === 0,
            );
            if (found) resolve(found.id);
            else reject(new Error('no new report to dispatch in the demo'));
          };
        };
      }),
  );
  await page.goto(`/#/problem/${problemId}`);
  await page.getByTestId('problem-actions').getByRole('button', { name: '派单', exact: true }).click();
  const form = page.getByTestId('action-form');
  const note = form.locator('textarea[name=note]');
  await form.locator('select[name=department]').selectOption({ label: '派出所' });
  await expectAudienceLine(note, '派出所');
  await form.locator('select[name=department]').selectOption({ label: '市场监管所' });
  await expectAudienceLine(note, '市场监管所');
});
