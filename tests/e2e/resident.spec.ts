import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { audit, Findings } from './a11y-audit.ts';
import { actOnProblem, goOffline, signIn, syncNow, watchConsole } from './helpers.ts';

const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));

/** XF-01's live card token, as the demo seed stored it (the server's SQLite, read-only). */
function tokenOf(gridCode: string): string {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error('E2E_DATA_DIR is set by tests/playwright.config.ts');
  const db = new Database(join(dataDir, 'lianxin.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT t.data AS data FROM records t JOIN records g
           ON g.town_id = t.town_id AND g.kind = 'grids' AND g.id = t.id
         WHERE t.kind = 'gridTeams' AND json_extract(g.data, '$.code') = ?`,
      )
      .get(gridCode) as { data: string } | undefined;
    if (!row) throw new Error(`no team record for ${gridCode}`);
    return (JSON.parse(row.data) as { residentToken: string }).residentToken;
  } finally {
    db.close();
  }
}

test('a resident reports from the card, the grid handles it, the resident reads the reply and rates it', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const description = `小区东门路灯不亮 ${Date.now()}`;
  // The resident: a fresh browser, no account, no service worker of the app.
  const residentContext = await browser.newContext({
    serviceWorkers: 'block',
    viewport: { width: 360, height: 760 },
  });
  const resident = await residentContext.newPage();
  const residentConsole = await watchConsole(resident);
  await resident.goto(`/r/${tokenOf('XF-01')}`);
  await expect(resident.getByRole('heading', { name: '网格服务团队' })).toBeVisible();
  const findings = new Findings();
  await audit(resident, 'resident card', findings);
  await resident.locator('select[name=category]').selectOption('infrastructure');
  await resident.locator('textarea[name=description]').fill(description);
  await resident.locator('input[name=place]').fill('东门');
  await resident.locator('input[name=photo]').setInputFiles(photo);
  await resident.locator('input[name=phone]').fill('13812345678');
  await resident.getByRole('button', { name: '提交反映' }).click();
  const code = resident.getByTestId('tracking-code');
  await expect(code).toHaveText(/^([0-9A-Z]{4} ){7}[0-9A-Z]{4}$/);
  await audit(resident, 'resident code', findings);
  await resident.getByTestId('tracking-link').click();
  await expect(resident.getByTestId('track-status')).toHaveText('已收到，等待网格长处理');
  const trackingUrl = resident.url();

  // The leader: the report is in the inbox after a sync, with its photo and the phone masked.
  const leaderContext = await browser.newContext({
    serviceWorkers: 'allow',
    viewport: { width: 360, height: 760 },
  });
  const leader = await leaderContext.newPage();
  leader.on('dialog', (d) => void d.accept());
  await signIn(leader, 'wgz01');
  await leader.goto('/#/inbox');
  await leader.getByTestId('inbox-list').getByText(description).click();
  await expect(leader.getByTestId('problem-photos').locator('img')).toHaveCount(1);
  await expect(leader.getByTestId('reporter-phone')).toHaveText('138****5678');
  await leader.getByRole('button', { name: '显示完整号码（会记入审计日志）' }).click();
  await expect(leader.getByTestId('reporter-phone')).toHaveText('13812345678');
  const problemPath = new URL(leader.url()).hash;
  // Dispatched to the grid's own worker, offline: the phone keeps the list of its grids' workers.
  await goOffline(leaderContext);
  await leader.reload();
  await actOnProblem(leader, '派单', async (form) => {
    await form.locator('select[name=department]').selectOption({ label: '网格员 王丽' });
  });
  await expect(leader.getByTestId('problem-status')).toContainText('已派单');
  await leaderContext.unroute('**/*');
  await leaderContext.setOffline(false);
  await syncNow(leader, { untilOutboxEmpty: false });
  await expect(leader.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });

  // The grid's worker finds it after a sync, accepts and resolves it, with a reply for the resident.
  const handlerContext = await browser.newContext({
    serviceWorkers: 'allow',
    viewport: { width: 360, height: 760 },
  });
  const handler = await handlerContext.newPage();
  await signIn(handler, 'wgy01');
  await handler.goto(`/${problemPath}`);
  await expect(handler.getByTestId('problem-description')).toHaveText(description);
  await actOnProblem(handler, '接单');
  await actOnProblem(handler, '办结', async (form) => {
    await form.locator('textarea[name=note]').fill('内部：已报修，更换灯泡');
    await form.locator('textarea[name=public-reply]').fill('东门路灯已修好，感谢您的反映');
    await form.getByTestId('photo-input').setInputFiles(photo);
    await expect(form.locator('img')).toHaveCount(1);
  });
  await expect(handler.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });

  // The resident reads the reply (never the internal note) and rates.
  await resident.goto(trackingUrl);
  await expect(resident.getByTestId('track-reply')).toHaveText('东门路灯已修好，感谢您的反映');
  await expect(resident.locator('body')).not.toContainText('内部');
  await audit(resident, 'resident tracking', findings);
  await resident.getByText('解决了', { exact: true }).click();
  await resident.getByText('5 星', { exact: true }).click();
  await resident.getByRole('button', { name: '提交评价' }).click();
  await expect(resident.getByTestId('track-rating')).toHaveText('您的评价：已解决，5 星');
  expect(residentConsole.violations).toEqual([]);
  expect(findings.list()).toEqual([]);

  // A worker's own phone, with the app and its service worker, scanning a card: the card's page, not the app.
  await leader.goto(`/r/${tokenOf('XF-01')}`);
  await expect(leader.getByRole('heading', { name: '网格服务团队' })).toBeVisible();

  // The leader sees the resident's rating after a sync.
  await syncNow(leader, { untilOutboxEmpty: false });
  await leader.goto(`/${problemPath}`);
  await expect(leader.getByTestId('problem-status')).toContainText('已评价');
  await expect(leader.getByTestId('problem-history')).toContainText('评分：5');

  await residentContext.close();
  await leaderContext.close();
  await handlerContext.close();
});
