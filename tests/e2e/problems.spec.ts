import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readSheet } from 'read-excel-file/node';
import { goOffline, loadDemoAndPickGrid, readOutbox } from './helpers.ts';

const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));

/** SHA-256 of the bytes the <img> shows, and of the stored blob: both must be the photo's address. */
async function shownPhotoHashes(page: Page): Promise<Array<{ id: string; shown: string }>> {
  return page.evaluate(async () => {
    const images = [...document.querySelectorAll<HTMLImageElement>('[data-testid=problem-photos] img')];
    const hex = (buffer: ArrayBuffer) =>
      [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return Promise.all(
      images.map(async (img) => {
        const bytes = await (await fetch(img.src)).arrayBuffer();
        return { id: img.dataset.photoId!, shown: hex(await crypto.subtle.digest('SHA-256', bytes)) };
      }),
    );
  });
}

test('snap and report offline: the photo survives a reload byte for byte; close on the spot', async ({
  page,
  context,
}) => {
  await loadDemoAndPickGrid(page);
  await goOffline(context);
  await page.goto('/#/report');
  await page.getByTestId('photo-input').setInputFiles(photo);
  await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(1);
  // Two taps after the photo: a category, then save.
  await page.getByRole('button', { name: '环境卫生' }).click();
  await page.getByTestId('save-problem').click();

  await expect(page.getByTestId('problem-status')).toContainText('已上报');
  await page.reload();
  await expect(page.getByTestId('problem-photos').locator('img')).toHaveCount(1);
  const [shown] = await shownPhotoHashes(page);
  expect(shown!.shown).toBe(shown!.id);

  const problemUrl = page.url();
  const outbox = await readOutbox(page);
  const report = outbox.find((row) => row.name === 'problem.report')!.args as {
    problem: { photoIds: string[]; category: string; source: string };
  };
  expect(report.problem).toMatchObject({ photoIds: [shown!.id], category: 'environment', source: 'snap' });

  // Close on the spot: a note is required, and the state machine says so.
  await page.getByTestId('problem-actions').getByRole('button', { name: '现场办结' }).click();
  await page.getByTestId('confirm-action').click();
  await expect(page.getByTestId('action-form').getByRole('alert')).toContainText('说明');
  await page.getByTestId('action-form').locator('textarea[name=note]').fill('已联系物业清理楼道');
  await page.getByTestId('confirm-action').click();
  await expect(page.getByTestId('problem-status')).toContainText('现场办结');
  await page.goto(problemUrl);
  await expect(page.getByTestId('problem-history')).toContainText('已联系物业清理楼道');
  expect((await readOutbox(page)).map((row) => row.name)).toEqual(['problem.report', 'problem.act']);
});

/** An EXIF APP1 segment that says "rotate 90° clockwise to show" (orientation 6), as phones write. */
function exifOrientation6(): Buffer {
  const tiff = Buffer.from([
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0x00,
    0x00,
    0x00,
    0x08, // big-endian TIFF header, first IFD at 8
    0x00,
    0x01, // one entry
    0x01,
    0x12,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x06,
    0x00,
    0x00, // Orientation = 6
    0x00,
    0x00,
    0x00,
    0x00, // no next IFD
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), length, body]);
}

test('a 12-megapixel camera photo is stored upright as a JPEG of at most 1600 px', async ({ page }) => {
  await loadDemoAndPickGrid(page);
  // A 4000x3000 landscape JPEG made by the browser itself, then tagged as shot with the phone upright.
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(4000, 3000);
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#3a6ea5';
    context.fillRect(0, 0, 4000, 3000);
    context.fillStyle = '#f5c542';
    context.fillRect(0, 0, 4000, 300);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg' })).arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  });
  const jpeg = Buffer.from(base64, 'base64');
  const tagged = Buffer.concat([jpeg.subarray(0, 2), exifOrientation6(), jpeg.subarray(2)]);

  await page.goto('/#/report');
  await page
    .getByTestId('photo-input')
    .setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: tagged });
  await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(1);
  await page.getByRole('button', { name: '基础设施' }).click();
  await page.getByTestId('save-problem').click();
  await expect(page.getByTestId('problem-status')).toContainText('已上报');

  const stored = await page.evaluate(async () => {
    const img = document.querySelector<HTMLImageElement>('[data-testid=problem-photos] img')!;
    await img.decode();
    const blob = await (await fetch(img.src)).blob();
    return { width: img.naturalWidth, height: img.naturalHeight, type: blob.type, bytes: blob.size };
  });
  // Turned upright (portrait) and scaled so the long side is 1600 px.
  expect(stored).toMatchObject({ width: 1200, height: 1600, type: 'image/jpeg' });
  expect(stored.bytes).toBeLessThan(tagged.length);
});

test('a failed checklist item becomes a problem in one tap, and the day exports to XLSX and CSV', async ({
  page,
  context,
}) => {
  // A town grid: its buildings have checks due on every shift.
  await loadDemoAndPickGrid(page, 'XF-01');
  await goOffline(context);
  await page.goto('/');
  const check = page.getByTestId('checks-due').locator('a').first();
  await check.click();
  const items = page.getByTestId('check-items').locator(':scope > li');
  await expect(items.first()).toBeVisible();
  const count = await items.count();
  for (let i = 0; i < count; i++) {
    await items
      .nth(i)
      .getByRole('button', { name: i === 0 ? '异常' : /^(正常|已提醒)$/ })
      .click();
  }
  await items.nth(0).locator('input[name^=note]').fill('消防通道被电动车堵塞');
  await page.getByTestId('save-check').click();
  await expect(page.getByTestId('toast')).toContainText('1 项异常');

  await page.goto('/#/problems');
  const hazards = page.getByTestId('open-hazards');
  await expect(hazards).toContainText('消防通道被电动车堵塞');
  await hazards.getByRole('button', { name: '转为问题' }).click();
  await expect(page.getByTestId('problem-description')).toContainText('消防通道被电动车堵塞');
  await expect(page.getByText('巡查异常')).toBeVisible();
  // Grid · building: the building once, though the problem also names it in words (for departments).
  const place = (await page.getByTestId('problem-place').textContent())!.split(' · ');
  expect(place).toHaveLength(2);
  expect(place[1]).toMatch(/栋$/);
  await page.goto('/#/problems');
  await expect(page.getByTestId('open-hazards')).toHaveCount(0);

  // Export the day's list.
  await page.goto('/#/export');
  const [xlsxDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-xlsx').click(),
  ]);
  expect(xlsxDownload.suggestedFilename()).toMatch(/\.xlsx$/);
  const xlsxRows = await readSheet(await readFile((await xlsxDownload.path())!));
  const cells = xlsxRows.flat().map((cell) => String(cell ?? ''));
  expect(cells).toContain('问题描述');
  expect(cells.some((cell) => cell.includes('消防通道被电动车堵塞'))).toBe(true);
  expect(cells).toContain('安全隐患');
  expect(cells.some((cell) => cell.includes('每日问题清单'))).toBe(true);

  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  const csv = await readFile((await csvDownload.path())!, 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv).toContain('消防通道被电动车堵塞');
  await expect(page.getByTestId('export-count')).toHaveText('当日问题 1 件');
});
