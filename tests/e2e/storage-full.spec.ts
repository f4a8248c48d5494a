import { chromium, expect, test, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAILY_ROUND_TEMPLATE_ID } from '../../src/shared/domain/checklist-templates.ts';
import { chromiumPath, CHROMIUM_ARGS } from '../support/chromium.ts';
import { loadDemoAndPickGrid, readOutbox } from './helpers.ts';

const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));
/** Set to a folder to keep screenshots of the messages (day and night) for a review. */
const shots = process.env.E2E_SHOTS;

/** What every write path must say when the phone is full (src/app/ui/i18n/zh.ts storageFull*). */
const FULL = '手机存储空间已满';
/** The origin's quota for the run: room for the small demo (about 13 MB) and a few photos. */
const QUOTA = 40 * 1024 * 1024;
const FILLER_DB = 'e2e-storage-filler';

/**
 * A real profile on disk, not Playwright's default incognito context: there IndexedDB lives in memory
 * and Chromium does not hold small writes to the overridden quota, so the phone never fills.
 */
async function openPhone(): Promise<{ context: BrowserContext; page: Page; profile: string }> {
  const profile = await mkdtemp(join(tmpdir(), 'lianxin-storage-full-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    baseURL: test.info().project.use.baseURL,
    viewport: { width: 360, height: 760 },
    locale: 'zh-CN',
    serviceWorkers: 'allow',
  });
  // Chromium's navigator.storage.estimate() reports usage + 10 GiB whatever the CDP override says;
  // a phone reports its real, small quota, which the test hands the page the same way.
  await context.addInitScript(() => {
    const real = navigator.storage.estimate.bind(navigator.storage);
    navigator.storage.estimate = async () => {
      const estimate = await real();
      const quota = Number(localStorage.getItem('e2e-quota'));
      return quota > 0 ? { ...estimate, quota } : estimate;
    };
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()), profile };
}

async function usage(cdp: CDPSession, origin: string): Promise<number> {
  return (await cdp.send('Storage.getUsageAndQuota', { origin })).usage;
}

/** Writes incompressible filler into another database of the same origin: `times` chunks, or until refused. */
async function writeFiller(page: Page, bytes: number, times: number): Promise<number> {
  return page.evaluate(
    async ({ name, bytes, times }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onupgradeneeded = () => open.result.createObjectStore('filler', { autoIncrement: true });
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      let written = 0;
      for (; written < times; written++) {
        const chunk = new Uint8Array(bytes);
        for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(chunk.subarray(at, at + 65536));
        const ok = await new Promise<boolean>((resolve) => {
          const tx = db.transaction('filler', 'readwrite');
          tx.objectStore('filler').add(chunk);
          tx.oncomplete = () => resolve(true);
          tx.onabort = () => resolve(false);
        });
        if (!ok) break;
      }
      db.close();
      return written;
    },
    { name: FILLER_DB, bytes, times },
  );
}

/** Fills the origin up to `share` of the quota. */
async function fillTo(page: Page, cdp: CDPSession, origin: string, share: number): Promise<void> {
  const missing = QUOTA * share - (await usage(cdp, origin));
  if (missing > 0) await writeFiller(page, 256 * 1024, Math.ceil(missing / (256 * 1024)));
}

/** Fills what is left, down to chunks smaller than any record the app writes. */
async function fillUp(page: Page): Promise<void> {
  for (const size of [1024 * 1024, 128 * 1024, 16 * 1024, 2048, 256]) await writeFiller(page, size, 10_000);
}

/** A photo no other step took (photos are stored by content), drawn in the page. */
async function freshPhoto(
  page: Page,
  name: string,
): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(1200, 900);
    const context = canvas.getContext('2d')!;
    for (let i = 0; i < 400; i++) {
      context.fillStyle = `hsl(${Math.random() * 360} 60% 50%)`;
      context.fillRect(Math.random() * 1200, Math.random() * 900, 80, 80);
    }
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg' })).arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  });
  return { name, mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') };
}

async function anyBuildingId(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('buildings').objectStore('buildings').getAllKeys(null, 1);
          request.onsuccess = () => {
            open.result.close();
            resolve(String(request.result[0]));
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
}

async function countRows(page: Page): Promise<Record<string, number>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, number>>((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = ['outbox', 'visits', 'problems', 'photos', 'checklistRuns', 'households', 'people'];
          const tx = db.transaction(names);
          const counts: Record<string, number> = {};
          for (const name of names) {
            const request = tx.objectStore(name).count();
            request.onsuccess = () => (counts[name] = request.result);
          }
          tx.oncomplete = () => {
            db.close();
            resolve(counts);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

async function screenshotBothThemes(page: Page, name: string, target: ReturnType<Page['locator']>) {
  // Nothing to show (the check above has already failed softly), or no folder asked for.
  if (!shots || (await target.count()) === 0) return;
  // Centred, clear of the bottom bar.
  await target.first().evaluate((element) => element.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: `${shots}/${name}-day.png` });
  await page.evaluate(() => (document.documentElement.dataset.theme = 'night'));
  await page.screenshot({ path: `${shots}/${name}-night.png` });
  await page.evaluate(() => (document.documentElement.dataset.theme = 'day'));
}

test('a full phone: every write path says so in Chinese, keeps the form, and loses nothing saved', async () => {
  test.setTimeout(240_000);
  const { context, page, profile } = await openPhone();
  const origin = new URL(test.info().project.use.baseURL!).origin;
  try {
    // Cut before the app opens any database, so every connection it opens sees the small quota.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: QUOTA });
    await loadDemoAndPickGrid(page);
    await page.evaluate((quota) => localStorage.setItem('e2e-quota', String(quota)), QUOTA);

    // 1. Writes that fit: a quick visit, a visit through the form, a problem with a photo. Both
    // find nobody home, which leaves the household due: a test grid's due list is one or two
    // households (the demo's past visits leave a day's work), and the steps below need one still due.
    await page.goto('/#/');
    await expect(page.getByTestId('storage-banner')).toHaveCount(0);
    const openRow = () => page.locator('[data-testid=due-row]:not([data-status=done])').first();
    await openRow().getByRole('button', { name: '快速登记' }).click();
    await openRow()
      .getByRole('button', { name: /无人在家/ })
      .click();
    await expect(page.getByTestId('toast')).toContainText('走访已保存');
    await openRow().locator('a').click();
    const visitForm = page.getByTestId('visit-form');
    await visitForm.getByRole('button', { name: '无人在家' }).click();
    await visitForm.locator('textarea[name=notes]').fill('敲门无人应答，已在门上留联系卡');
    await page.getByTestId('save-visit').click();
    await expect(page.getByTestId('toast')).toContainText('走访已保存');
    await page.goto('/#/report');
    await page.getByTestId('photo-input').setInputFiles(await freshPhoto(page, 'a.jpg'));
    await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(1);
    await page.getByRole('button', { name: '环境卫生' }).click();
    await page.getByTestId('save-problem').click();
    await expect(page.getByTestId('problem-status')).toContainText('已上报');
    const saved = await countRows(page);
    const savedOutbox = await readOutbox(page);
    expect(savedOutbox.map((row) => row.name)).toEqual(['visit.record', 'visit.record', 'problem.report']);

    // 2. Over 80 % used: Today warns before anything fails.
    await fillTo(page, cdp, origin, 0.85);
    await page.goto('/#/');
    await page.reload();
    const banner = page.getByTestId('storage-banner');
    await expect.soft(banner).toContainText('手机存储快满了');
    await screenshotBothThemes(page, 'today-banner-nearly-full', banner);

    // 3. A problem is being written when the phone fills up.
    await page.goto('/#/report');
    await page.getByTestId('photo-input').setInputFiles(await freshPhoto(page, 'b.jpg'));
    await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(1);
    await page.getByRole('button', { name: '环境卫生' }).click();
    await page.locator('textarea[name=description]').fill('3栋楼道堆放杂物');
    await fillUp(page);
    // Another photo: not stored, said in Chinese (not "QuotaExceededError").
    await page.getByTestId('photo-input').setInputFiles(photo);
    const snapForm = page.getByTestId('snap-form');
    await expect.soft(snapForm.getByRole('alert').first()).toContainText(FULL);
    await expect.soft(snapForm).not.toContainText('QuotaExceededError');
    await page.getByTestId('save-problem').click();
    await expect.soft(page.getByTestId('save-error')).toContainText(FULL);
    await expect.soft(page.getByTestId('save-error')).toContainText('清理');
    // The form is still filled: the photo taken, the category, the words typed.
    await expect(page.locator('textarea[name=description]')).toHaveValue('3栋楼道堆放杂物');
    await expect(snapForm.locator('img')).toHaveCount(1);
    await expect(page.getByRole('button', { name: '环境卫生' })).toHaveAttribute('aria-pressed', 'true');
    await screenshotBothThemes(page, 'snap-report-full', page.getByTestId('save-error'));

    // 4. A quick visit from Today; the banner now says the phone is full.
    await page.goto('/#/');
    await openRow().getByRole('button', { name: '快速登记' }).click();
    await openRow()
      .getByRole('button', { name: /一切正常/ })
      .click();
    await expect.soft(page.getByTestId('due-list').getByRole('alert')).toContainText(FULL);
    await expect.soft(banner).toContainText('手机存储空间已满');
    await screenshotBothThemes(page, 'today-banner-full', banner);
    await screenshotBothThemes(
      page,
      'today-quick-visit-full',
      page.getByTestId('due-list').getByRole('alert'),
    );

    // 5. The visit form.
    await page.goto('/#/');
    await openRow().locator('a').click();
    await page.getByTestId('visit-form').locator('textarea[name=notes]').fill('楼道灯坏了，已告知物业');
    await page.getByTestId('save-visit').click();
    await expect.soft(page.getByTestId('save-error')).toContainText(FULL);
    await expect(page.getByTestId('visit-form').locator('textarea[name=notes]')).toHaveValue(
      '楼道灯坏了，已告知物业',
    );

    // 6. A building's checklist run.
    await page.goto(`/#/check/${DAILY_ROUND_TEMPLATE_ID}/b/${await anyBuildingId(page)}`);
    const items = page.getByTestId('check-items').locator(':scope > li');
    await expect(items.first()).toBeVisible();
    for (let i = 0; i < (await items.count()); i++)
      await items
        .nth(i)
        .getByRole('button', { name: /^(正常|已提醒)$/ })
        .click();
    await page.getByTestId('save-check').click();
    await expect.soft(page.getByTestId('save-error')).toContainText(FULL);
    await expect(items.first().getByRole('button', { name: '正常', exact: true })).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    // 7. Nothing the failed writes touched was half-stored, and nothing saved before is gone...
    expect(await countRows(page)).toEqual({ ...saved, photos: saved.photos! + 1 });
    // ...also after the space comes back and the app starts again.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.evaluate(
      (name) =>
        new Promise<void>((resolve) => {
          localStorage.removeItem('e2e-quota');
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = request.onerror = () => resolve();
        }),
      FILLER_DB,
    );
    await page.goto('/#/');
    await page.reload();
    await expect(page.getByTestId('today-progress')).toBeVisible();
    await expect(page.getByTestId('storage-banner')).toHaveCount(0);
    expect(await countRows(page)).toEqual({ ...saved, photos: saved.photos! + 1 });
    expect(await readOutbox(page)).toEqual(savedOutbox);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});
