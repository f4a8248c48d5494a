import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath, CHROMIUM_ARGS } from '../support/chromium.ts';
import { goOffline, readOutbox, signIn, waitForServiceWorker } from './helpers.ts';

/**
 * A week in a basement: a worker signs in, goes offline and queues 500 writes and 200 phone-sized
 * photos over three "days" with the browser closed and started again between them, then syncs once.
 * Everything must reach the server exactly once, photos byte for byte, and the storage figure under
 * 我的 must follow what the phone really holds.
 */

const TOTAL = { visits: 400, problems: 100, photosPerProblem: 2 };
/** Per day: what the page queues through the app's own commands (day 1 also taps a few through the UI). */
const DAYS = [
  { visits: 133, problems: 32 },
  { visits: 133, problems: 34 },
  { visits: 133, problems: 33 },
] as const;
const MB = 1024 * 1024;

/** The app's own commands, loaded by main.ts when the test sets the flag (src/app/state/e2e-hooks.ts). */
interface E2eHooks {
  addPhoto(file: Blob): Promise<string>;
  recordVisit(input: { householdId: string; outcome: 'nobody-home'; shift: 'day' }): Promise<string>;
  reportProblem(input: {
    gridId: string;
    category: 'environment';
    severity: 'blue';
    description: string;
    place: { householdId: string; text: string };
    photoIds: string[];
    source: 'snap';
  }): Promise<string>;
}
type HookedWindow = Window & {
  lianxinE2e?: E2eHooks;
  makeTestPhoto?: (seed: number) => Promise<Blob>;
};

/** Phone-sized test photos: 1600x1200 with shapes and a layer of noise, ~200 KB once the app compresses them. */
function installPhotoMaker() {
  const tile = new OffscreenCanvas(400, 300);
  const tileContext = tile.getContext('2d')!;
  const noise = tileContext.createImageData(400, 300);
  for (let i = 0; i < noise.data.length; i += 4) {
    const v = Math.random() * 255;
    noise.data[i] = noise.data[i + 1] = noise.data[i + 2] = v;
    noise.data[i + 3] = 255;
  }
  tileContext.putImageData(noise, 0, 0);
  (window as HookedWindow).makeTestPhoto = async (seed: number) => {
    let state = seed * 2654435761 + 1;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const [width, height] = [1600, 1200];
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d')!;
    const gradient = context.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, `hsl(${random() * 360},40%,60%)`);
    gradient.addColorStop(1, `hsl(${random() * 360},40%,30%)`);
    context.fillStyle = gradient;
    context.fillRect(0, 0, width, height);
    for (let i = 0; i < 40; i++) {
      context.fillStyle = `hsla(${random() * 360},50%,${30 + random() * 50}%,0.6)`;
      context.fillRect(random() * width, random() * height, random() * 500, random() * 400);
    }
    context.globalAlpha = 0.08;
    for (let x = 0; x < width; x += 400)
      for (let y = 0; y < height; y += 300)
        context.drawImage(
          tile,
          Math.floor(random() * 50),
          Math.floor(random() * 50),
          350,
          250,
          x,
          y,
          400,
          300,
        );
    return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
  };
}

/** A browser started on the same profile, as the phone is after being switched off overnight. */
async function startPhone(userDataDir: string, baseURL: string, isOffline: boolean) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 360, height: 760 },
    locale: 'zh-CN',
    serviceWorkers: 'allow',
  });
  await context.addInitScript(() => localStorage.setItem('lianxin:e2e-hooks', '1'));
  if (isOffline) await goOffline(context);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('dialog', (d) => void d.accept());
  return { context, page };
}

async function openApp(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('today-progress')).toBeVisible({ timeout: 30_000 });
  // The app's test hooks (main.ts loads them when the flag is set): the page queues through them.
  await page.waitForFunction(() => (window as HookedWindow).lianxinE2e !== undefined, undefined, {
    timeout: 15_000,
  });
  await page.evaluate(installPhotoMaker);
}

/** One day's work from the page: visits and problems with two photos each, through the app's commands. */
async function queueDay(page: Page, day: number, plan: { visits: number; problems: number }) {
  return page.evaluate(
    async ({ day, plan, photosPerProblem }) => {
      const win = window as HookedWindow;
      const hooks = win.lianxinE2e!;
      const households = await new Promise<Array<{ id: string; gridId: string; isDeleted: boolean }>>(
        (resolve, reject) => {
          const open = indexedDB.open('lianxin');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const request = open.result.transaction('households').objectStore('households').getAll();
            request.onsuccess = () => {
              open.result.close();
              resolve(request.result as Array<{ id: string; gridId: string; isDeleted: boolean }>);
            };
          };
        },
      );
      const live = households.filter((h) => !h.isDeleted);
      // The day's photos, taken as the phone's cores allow (each is drawn, encoded, then compressed
      // and stored by the app exactly as the photo picker does).
      const photoIds: string[] = [];
      const wanted = plan.problems * photosPerProblem;
      let seed = day * 10_000;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (seed < day * 10_000 + wanted)
            photoIds.push(await hooks.addPhoto(await win.makeTestPhoto!(seed++)));
        }),
      );
      // Interleaved as a day goes: a few visits, then a problem snapped on the way.
      const every = Math.ceil(plan.visits / plan.problems);
      let visits = 0;
      let problems = 0;
      while (visits < plan.visits || problems < plan.problems) {
        for (let i = 0; i < every && visits < plan.visits; i++, visits++) {
          const household = live[(day * 1000 + visits) % live.length]!;
          await hooks.recordVisit({ householdId: household.id, outcome: 'nobody-home', shift: 'day' });
        }
        if (problems < plan.problems) {
          const household = live[(day * 1000 + problems * 7) % live.length]!;
          await hooks.reportProblem({
            gridId: household.gridId,
            category: 'environment',
            severity: 'blue',
            description: `地下室一周 第${day}天 第${problems + 1}处：楼道堆物`,
            place: { householdId: household.id, text: `第${day}天 第${problems + 1}处` },
            photoIds: photoIds.slice(problems * photosPerProblem, (problems + 1) * photosPerProblem),
            source: 'snap',
          });
          problems++;
        }
      }
    },
    { day, plan, photosPerProblem: TOTAL.photosPerProblem },
  );
}

/** Photos held on the device: how many, their bytes, how many the server has. */
async function devicePhotos(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ count: number; bytes: number; uploaded: number; sizes: Record<string, number> }>(
        (resolve, reject) => {
          const open = indexedDB.open('lianxin');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction(['photos', 'photoUploads']);
            const request = tx.objectStore('photos').getAll();
            const marks = tx.objectStore('photoUploads').getAllKeys();
            tx.oncomplete = () => {
              open.result.close();
              const rows = request.result as Array<{ id: string; size: number }>;
              const uploaded = new Set(marks.result as string[]);
              resolve({
                count: rows.length,
                bytes: rows.reduce((sum, r) => sum + r.size, 0),
                uploaded: rows.filter((r) => uploaded.has(r.id)).length,
                sizes: Object.fromEntries(rows.map((r) => [r.id, r.size])),
              });
            };
          };
        },
      ),
  );
}

function parseBytes(text: string): number {
  const match = /已用 ([\d.]+) (KB|MB|GB)/.exec(text);
  if (!match) throw new Error(`no usage figure in "${text}"`);
  const unit = { KB: 1024, MB: MB, GB: 1024 * MB }[match[2] as 'KB' | 'MB' | 'GB'];
  return Number(match[1]) * unit;
}

async function shownUsage(page: Page): Promise<number> {
  const line = page.getByTestId('storage').locator('p').filter({ hasText: '已用' });
  await expect(line).toBeVisible();
  return parseBytes((await line.textContent())!);
}

function estimatedUsage(page: Page): Promise<number> {
  return page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
}

/** The figure under 我的, checked against the browser's own estimate and against the photos held. */
async function storageFigure(page: Page, photoBytes: number, isFreshVisit = true): Promise<number> {
  if (isFreshVisit) {
    // From another screen, as a worker opens 我的.
    await page.goto('/#/');
    await page.goto('/#/settings');
  }
  const shown = await shownUsage(page);
  const estimate = await estimatedUsage(page);
  // Same source, read a moment apart: within rounding and what changed in between.
  expect(Math.abs(shown - estimate)).toBeLessThan(Math.max(2 * MB, estimate * 0.1));
  // The photos alone are in it, and the rest (the grid's register, the outbox) is not gigabytes.
  expect(shown).toBeGreaterThanOrEqual(photoBytes * 0.95);
  expect(shown).toBeLessThan(photoBytes + 200 * MB);
  return shown;
}

/** A few writes the way a worker makes them: a quick visit from the list and a snap with two photos. */
async function tapThroughTheUi(page: Page) {
  await page.getByRole('button', { name: '白班' }).click();
  await page.getByTestId('due-row').getByRole('button', { name: '快速登记' }).first().click();
  await page.getByRole('button', { name: /无人在家/ }).click();
  await expect(page.getByRole('button', { name: /无人在家/ })).toHaveCount(0);

  const files = await page.evaluate(async () => {
    const win = window as HookedWindow;
    const photos = await Promise.all([1, 2].map((seed) => win.makeTestPhoto!(seed)));
    return Promise.all(
      photos.map(async (blob) => {
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000)
          binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(binary);
      }),
    );
  });
  await page.goto('/#/report');
  await page.getByTestId('photo-input').setInputFiles(
    files.map((base64, i) => ({
      name: `IMG_000${i + 1}.jpg`,
      mimeType: 'image/jpeg',
      buffer: Buffer.from(base64, 'base64'),
    })),
  );
  await expect(page.getByTestId('snap-form').locator('img')).toHaveCount(2, { timeout: 30_000 });
  await page.getByRole('button', { name: '环境卫生' }).click();
  await page
    .getByTestId('snap-form')
    .locator('textarea[name=description]')
    .fill('地下室一周 第1天：消防通道堆物');
  await page.getByTestId('save-problem').click();
  await expect(page.getByTestId('problem-status')).toContainText('已上报');
}

test('a long week offline: 500 writes and 200 photos over two restarts, one sync, all on the server once', async ({
  baseURL,
}) => {
  test.setTimeout(180_000);
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error('E2E_DATA_DIR is set by tests/playwright.config.ts');
  const userDataDir = mkdtempSync(join(tmpdir(), 'lianxin-week-'));
  const expectedWrites = TOTAL.visits + TOTAL.problems;
  const expectedPhotos = TOTAL.problems * TOTAL.photosPerProblem;
  let phone: { context: BrowserContext; page: Page } | undefined;
  try {
    // Monday, at the office: sign in and download the grid, then down into the basement.
    phone = await startPhone(userDataDir, baseURL!, false);
    await signIn(phone.page, 'wgy02');
    await waitForServiceWorker(phone.page);
    let usage = await storageFigure(phone.page, 0);
    await goOffline(phone.context);

    let queued = 0;
    for (const [index, plan] of DAYS.entries()) {
      const day = index + 1;
      if (day > 1) {
        // The phone was switched off overnight: a new browser on the same profile, still offline.
        await phone.context.close();
        phone = await startPhone(userDataDir, baseURL!, true);
      }
      await openApp(phone.page);
      if (day === 1) {
        await tapThroughTheUi(phone.page);
        queued += 2;
      }
      await queueDay(phone.page, day, plan);
      queued += plan.visits + plan.problems;
      expect(await readOutbox(phone.page)).toHaveLength(queued);
      const photos = await devicePhotos(phone.page);
      expect(photos.uploaded).toBe(0);
      const shown = await storageFigure(phone.page, photos.bytes);
      expect(shown).toBeGreaterThan(usage);
      usage = shown;
      await expect(phone.page.getByTestId('pending-count')).toHaveText(`${queued} 条修改待同步`);
    }
    expect(queued).toBe(expectedWrites);

    // What the phone holds before it syncs: 500 writes in order, 200 photos of phone size.
    const outbox = await readOutbox(phone.page);
    expect(outbox.map((row) => row.mutationId)).toEqual(
      Array.from({ length: expectedWrites }, (_, i) => i + 1),
    );
    const visitIds = outbox
      .filter((row) => row.name === 'visit.record')
      .map((row) => (row.args as { visit: { id: string } }).visit.id);
    const problemIds = outbox
      .filter((row) => row.name === 'problem.report')
      .map((row) => (row.args as { problem: { id: string } }).problem.id);
    const referenced = new Set(
      outbox.flatMap((row) =>
        row.name === 'problem.report'
          ? (row.args as { problem: { photoIds: string[] } }).problem.photoIds
          : [],
      ),
    );
    expect([visitIds.length, problemIds.length, referenced.size]).toEqual([
      TOTAL.visits,
      TOTAL.problems,
      expectedPhotos,
    ]);
    const held = await devicePhotos(phone.page);
    expect(held.count).toBe(expectedPhotos);
    const averageKb = held.bytes / held.count / 1024;
    expect(averageKb).toBeGreaterThan(150);
    expect(averageKb).toBeLessThan(300);

    // Back above ground: online, and one tap on 立即同步.
    const { page, context } = phone;
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT' && request.url().includes('/api/blobs/'))
        uploads.push(request.url().split('/').at(-1)!);
    });
    await page.goto('/#/settings');
    await context.unroute('**/*');
    await context.setOffline(false);
    await page.getByTestId('sync-now').click();
    await expect(page.getByTestId('pending-count')).toHaveCount(0, { timeout: 90_000 });
    await expect(page.getByTestId('sync-state')).toContainText('上次同步', { timeout: 30_000 });
    expect(await readOutbox(page)).toEqual([]);
    const synced = await devicePhotos(page);
    expect(synced.uploaded).toBe(expectedPhotos);
    expect(uploads.length).toBe(expectedPhotos);
    expect(new Set(uploads).size).toBe(expectedPhotos);
    // Still on 我的: the figure follows the sync without leaving the page (within rounding and what
    // the browser counts a moment later).
    await expect
      .poll(
        async () => {
          const [shown, estimate] = [await shownUsage(page), await estimatedUsage(page)];
          return Math.abs(shown - estimate) < Math.max(2 * MB, estimate * 0.05);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const afterSync = await storageFigure(page, synced.bytes, false);
    // Syncing must not make the phone fuller: marking a photo uploaded once rewrote its row, and
    // Chromium kept the old copy of every photo until a restart (about twice the photos' bytes).
    expect(afterSync).toBeLessThan(usage * 1.25);

    // The server, read from its own database file: every write once, in order, applied.
    const clientId = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const open = indexedDB.open('lianxin');
          open.onsuccess = () => {
            const request = open.result.transaction('meta').objectStore('meta').get('clientId');
            request.onsuccess = () => {
              open.result.close();
              resolve((request.result as { value: string }).value);
            };
          };
        }),
    );
    const server = new Database(join(dataDir, 'lianxin.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const log = server
        .prepare(
          'SELECT mutation_id, name, status FROM mutation_log WHERE client_id = ? ORDER BY mutation_id',
        )
        .all(clientId) as Array<{ mutation_id: number; name: string; status: string }>;
      expect(log.map((r) => r.mutation_id)).toEqual(outbox.map((row) => row.mutationId));
      expect(log.filter((r) => r.status !== 'applied')).toEqual([]);
      const client = server.prepare('SELECT last_mutation_id FROM clients WHERE client_id = ?').get(clientId);
      expect(client).toEqual({ last_mutation_id: expectedWrites });

      const written = server
        .prepare('SELECT kind, id FROM records WHERE written_by = ? AND is_deleted = 0')
        .all(clientId) as Array<{ kind: string; id: string }>;
      const idsOf = (kind: string) =>
        written
          .filter((r) => r.kind === kind)
          .map((r) => r.id)
          .sort();
      expect(idsOf('visits')).toEqual([...visitIds].sort());
      expect(idsOf('problems')).toEqual([...problemIds].sort());

      // Photos: each stored once, and the file's sha-256 is its name (byte-exact with the phone).
      const blobs = server
        .prepare(
          `SELECT sha256, size FROM blobs WHERE sha256 IN (${[...referenced].map(() => '?').join(',')})`,
        )
        .all(...referenced) as Array<{ sha256: string; size: number }>;
      expect(blobs).toHaveLength(expectedPhotos);
      for (const blob of blobs) {
        const bytes = readFileSync(join(dataDir, 'blobs', blob.sha256));
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(blob.sha256);
        expect(bytes.length).toBe(blob.size);
        expect(blob.size).toBe(synced.sizes[blob.sha256]);
      }
    } finally {
      server.close();
    }
  } finally {
    await phone?.context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
