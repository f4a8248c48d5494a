import { expect, test, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { audit, Findings } from './a11y-audit.ts';
import { goOffline, signIn, syncNow, watchConsole } from './helpers.ts';

/**
 * The grid's team and its card (网格连心卡), against the real server: the leader edits the team of
 * 幸福社区第1网格 and the grid's worker sees it after a sync; the leader prints the community's cards
 * (four A6 cards to an A4 page) and each card's QR code, read from a screenshot, opens its grid's
 * resident page; 轮换二维码 gives a grid's card a new code.
 */

/** Each grid's code and its card's token, from the phone's database. */
async function tokensByCode(page: Page): Promise<Map<string, string>> {
  const pairs = await page.evaluate(
    () =>
      new Promise<[string, string][]>((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['grids', 'gridTeams']);
          const grids = tx.objectStore('grids').getAll();
          const teams = tx.objectStore('gridTeams').getAll();
          tx.oncomplete = () => {
            const codes = new Map(
              (grids.result as { id: string; code: string }[]).map((g) => [g.id, g.code]),
            );
            resolve(
              (teams.result as { gridId: string; residentToken: string }[]).map((t) => [
                codes.get(t.gridId) ?? '',
                t.residentToken,
              ]),
            );
            open.result.close();
          };
        };
      }),
  );
  return new Map(pairs);
}

/** What a QR code on the page says, read from a screenshot of it (as a resident's phone would). */
async function readQr(page: Page, qr: ReturnType<Page['locator']>): Promise<string | undefined> {
  // In the middle of the screen: the bottom bar would cover a code at the bottom.
  await qr.evaluate((element) => element.scrollIntoView({ block: 'center' }));
  const png = PNG.sync.read(await qr.screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

test('the leader edits the team, prints the community’s cards, and each QR opens its grid', async ({
  browser,
}) => {
  const phone = { serviceWorkers: 'allow' as const, viewport: { width: 360, height: 760 } };
  const leaderContext = await browser.newContext(phone);
  const leader = await leaderContext.newPage();
  const watch = await watchConsole(leader);
  const findings = new Findings();
  await signIn(leader, 'wgz01');
  await leader.goto('/#/grid');
  const team = leader.getByTestId('grid-team');
  // The demo seed gave the grid its 1+1+N, with the demo accounts' own names.
  await expect(team.getByTestId('team-member').first()).toContainText('网格长');
  await expect(team).toContainText('王丽');
  const seeded = await team.getByTestId('team-member').count();
  await expect(team.locator('a[href^="tel:"]').first()).toHaveCSS('min-height', '44px');

  await audit(leader, 'grid team', findings);
  await team.getByTestId('team-edit').click();
  await audit(leader, 'team editor', findings);
  await team.getByTestId('team-add').click();
  const added = team.getByTestId('team-member-edit').last();
  await added.getByTestId('team-role').selectOption('other');
  await added.getByTestId('team-name').fill('孙物业');
  await added.getByTestId('team-phone').fill('12345');
  await team.getByTestId('team-save').click();
  // A bad phone is refused in plain Chinese, and what was typed stays.
  await expect(team.getByTestId('team-error')).toContainText('电话号码格式不对');
  await added.getByTestId('team-phone').fill('13912345678');
  // Moved to the top, then saved.
  for (let n = seeded + 1; n > 1; n--) await team.getByRole('button', { name: `上移第 ${n} 位` }).click();
  await team.getByTestId('team-promise').fill('有求必应、件件有回音、事事有着落');
  await team.getByTestId('team-save').click();
  await expect(team.getByTestId('team-member')).toHaveCount(seeded + 1);
  await expect(team.getByTestId('team-member').first()).toContainText('孙物业');
  await expect(team.locator('a[href="tel:13912345678"]')).toBeVisible();
  await syncNow(leader);

  // The grid's worker sees it after a sync, and cannot edit it.
  const workerContext = await browser.newContext(phone);
  const worker = await workerContext.newPage();
  await signIn(worker, 'wgy01');
  await worker.goto('/#/grid');
  await expect(worker.getByTestId('grid-team').getByTestId('team-member').first()).toContainText('孙物业');
  await expect(worker.getByTestId('team-edit')).toHaveCount(0);
  await expect(worker.getByTestId('rotate-token')).toHaveCount(0);
  await workerContext.close();

  // The community's cards: ceil(grids / 4) A4 pages.
  await leader.goto('/#/grid');
  await leader.getByTestId('cards-community').click();
  const cards = leader.getByTestId('grid-card');
  await expect(cards.first()).toBeVisible();
  const count = await cards.count();
  expect(count).toBeGreaterThan(1);
  await expect(leader.getByTestId('card-sheet')).toHaveCount(Math.ceil(count / 4));
  await expect(cards.first()).toContainText('有求必应、件件有回音、事事有着落');
  await audit(leader, 'grid cards', findings);
  const pdf = await leader.pdf({ format: 'A4' });
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
  expect(pages).toHaveLength(Math.ceil(count / 4));

  // Each card's QR code opens its own grid's resident page.
  await leader.setViewportSize({ width: 800, height: 1000 });
  const tokens = await tokensByCode(leader);
  const origin = new URL(leader.url()).origin;
  for (let i = 0; i < count; i++) {
    const card = cards.nth(i);
    const code = (await card.getAttribute('data-grid-code'))!;
    expect(await readQr(leader, card.getByTestId('card-qr')), code).toBe(`${origin}/r/${tokens.get(code)}`);
  }

  // 轮换二维码 on 幸福社区第7网格 (not the first grid, which other specs scan): a new code, the old retired.
  await leader.setViewportSize({ width: 360, height: 760 });
  await leader.goto('/#/grids');
  await leader.getByTestId('grid-list').locator('button').filter({ hasText: 'XF-07' }).click();
  await leader.goto('/#/grid');
  const before = (await tokensByCode(leader)).get('XF-07');
  leader.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('已经发出的连心卡');
    void dialog.accept();
  });
  await leader.getByTestId('rotate-token').click();
  await expect.poll(async () => (await tokensByCode(leader)).get('XF-07')).not.toBe(before);
  await leader.getByTestId('cards-grid').click();
  await leader.setViewportSize({ width: 800, height: 1000 });
  const after = (await tokensByCode(leader)).get('XF-07');
  await expect(leader.getByTestId('grid-card')).toHaveAttribute('data-grid-code', 'XF-07');
  expect(await readQr(leader, leader.getByTestId('card-qr'))).toBe(`${origin}/r/${after}`);
  await syncNow(leader);

  // Offline, the phone still makes the community's cards from what it holds.
  await goOffline(leaderContext);
  await leader.goto('/#/grid');
  await leader.getByTestId('cards-community').click();
  await expect(leader.getByTestId('grid-card')).toHaveCount(count);
  expect(await readQr(leader, leader.getByTestId('card-qr').first())).toBe(
    `${origin}/r/${tokens.get('XF-01')}`,
  );

  // The center has no grid page: 我的 → 网格连心卡 → a grid, whose team it edits on the card screen.
  const centerContext = await browser.newContext(phone);
  const center = await centerContext.newPage();
  await signIn(center, 'zhzx');
  await center.goto('/#/settings');
  await center.getByTestId('cards-link').click();
  await expect(center.getByTestId('card-group').first()).toBeVisible();
  await audit(center, 'card index', findings);
  await center.getByRole('link', { name: /XF-03/ }).click();
  await center.getByTestId('team-edit').click();
  await center.getByTestId('team-hours').fill('每天 8:00-20:00');
  await center.getByTestId('team-save').click();
  await expect(center.getByTestId('grid-card')).toContainText('服务时间：每天 8:00-20:00');
  await expect(center.getByTestId('rotate-token')).toBeVisible();
  await syncNow(center);
  await centerContext.close();

  expect(findings.list()).toEqual([]);
  expect(watch.violations, watch.messages.join('\n')).toEqual([]);
  await leaderContext.close();
});
