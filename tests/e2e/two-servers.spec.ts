import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase, startPostgres, type PgCluster } from '../support/postgres.ts';
import { roundRobinProxy, startServer, type Proxy, type ServerProcess } from '../support/server-processes.ts';
import {
  DEMO_PASSWORD,
  goOffline,
  householdIdsOnPhone,
  readOutbox,
  syncNow,
  visitThroughForm,
  waitForServiceWorker,
} from './helpers.ts';

/**
 * Two server processes over one PostgreSQL behind a load balancer that sends every request to the
 * next process in turn: a worker's phone signs in, works offline, comes back, works online, and every
 * write must land exactly once (one applied log row per mutation id, no gap, no doubled visit), the
 * photo's bytes in the database, and the leader (also through the balancer) sees the problem.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = process.env.E2E_DIST ?? `${ROOT}dist`;
const photo = fileURLToPath(new URL('../fixtures/photos/stairwell.jpg', import.meta.url));
const DESCRIPTION = '两台服务器：5栋楼道堆放纸箱，堵塞消防通道';
const OFFLINE_VISITS = 4;
const ONLINE_VISITS = 2;

let cluster: PgCluster | undefined;
let databaseUrl = '';
let servers: ServerProcess[] = [];
let proxy: Proxy | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startPostgres();
  databaseUrl = await createDatabase(cluster, 'two_servers');
  const env = { DEMO_HOUSEHOLDS: '600', DEMO_TOWNS: '1' };
  // Started together: one seeds the demo town, the other waits for it and finds it done.
  servers = await Promise.all([
    startServer({ databaseUrl, distDir: DIST, env }),
    startServer({ databaseUrl, distDir: DIST, env }),
  ]);
  proxy = await roundRobinProxy(servers.map((s) => s.url));
});

test.afterAll(async () => {
  await proxy?.close();
  await Promise.all(servers.map((s) => s.stop()));
  await cluster?.stop();
});

// What both processes printed, on a failure.
test.afterEach(async () => {
  const testInfo = test.info();
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const [i, server] of servers.entries())
    await testInfo.attach(`server-${i + 1}.log`, { body: server.output(), contentType: 'text/plain' });
});

async function newPhone(browser: Browser, failures: string[]) {
  const context = await browser.newContext({
    serviceWorkers: 'allow',
    viewport: { width: 360, height: 760 },
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  // Any server error on the way (a 5xx from either process, a 502 from the balancer) fails the test.
  context.on('response', (response) => {
    if (response.status() >= 500)
      failures.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return { context, page };
}

/** helpers.ts signIn, against the balancer's address instead of the config's baseURL. */
async function signIn(page: Page, origin: string, username: string) {
  await page.goto(`${origin}/#/login`);
  await waitForServiceWorker(page);
  const form = page.getByTestId('login-form');
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(DEMO_PASSWORD);
  await form.getByRole('button', { name: '登录并下载名册' }).click();
  await expect(page.getByTestId('login-form')).toHaveCount(0, { timeout: 60_000 });
}

/**
 * "Met" visits to households of the worker's grid not visited yet, each through its visit form;
 * returns the households visited. Not from Today: the demo's past visits leave a day's work there,
 * one or two households of a 10-household test grid, not the six this test visits.
 */
async function visitHouseholds(
  page: Page,
  origin: string,
  count: number,
  visited: readonly string[] = [],
): Promise<string[]> {
  await page.goto(`${origin}/#/`);
  await page.getByRole('button', { name: '白班' }).click();
  const householdIds = await householdIdsOnPhone(page);
  const chosen = householdIds.filter((id) => !visited.includes(id)).slice(0, count);
  expect(chosen).toHaveLength(count);
  for (const householdId of chosen) {
    await visitThroughForm(page, householdId, origin);
    await expect(page.getByTestId('today-progress')).toBeVisible();
  }
  return chosen;
}

async function goOnline(context: BrowserContext, page: Page) {
  await context.unroute('**/*');
  await context.setOffline(false);
  // The app syncs on `online`; wait until the outbox is empty.
  await expect(page.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });
}

/** The device's sync identity and one photo's bytes (base64), straight from IndexedDB. */
async function deviceState(page: Page, photoId: string) {
  return page.evaluate(
    (photoId) =>
      new Promise<{ clientId: string; photo: string | undefined }>((resolve, reject) => {
        const open = indexedDB.open('lianxin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['meta', 'photos']);
          const meta = tx.objectStore('meta').get('clientId');
          const photo = tx.objectStore('photos').get(photoId);
          tx.oncomplete = async () => {
            open.result.close();
            const clientId = (meta.result as { value: string }).value;
            const row = photo.result as { blob: Blob } | undefined;
            if (!row) return resolve({ clientId, photo: undefined });
            const bytes = new Uint8Array(await row.blob.arrayBuffer());
            let binary = '';
            for (let i = 0; i < bytes.length; i += 0x8000)
              binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            resolve({ clientId, photo: btoa(binary) });
          };
        };
      }),
    photoId,
  );
}

test('two server processes on one PostgreSQL, the phone alternating between them: every write lands once', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const origin = proxy!.url;
  const failures: string[] = [];
  const worker = await newPhone(browser, failures);

  // Signing in and the first pull already go to both processes in turn.
  await signIn(worker.page, origin, 'wgy01');
  await expect(worker.page.getByTestId('today-progress')).toBeVisible();
  expect(proxy!.counts.every((n) => n > 0)).toBe(true);

  // Offline: four visits and a snapped problem with a photo, then a reload.
  await goOffline(worker.context);
  const offlineVisits = await visitHouseholds(worker.page, origin, OFFLINE_VISITS);
  await worker.page.goto(`${origin}/#/report`);
  await worker.page.getByTestId('photo-input').setInputFiles(photo);
  await expect(worker.page.getByTestId('snap-form').locator('img')).toHaveCount(1);
  await worker.page.getByRole('button', { name: '环境卫生' }).click();
  await worker.page.getByTestId('snap-form').locator('textarea[name=description]').fill(DESCRIPTION);
  await worker.page.getByTestId('save-problem').click();
  await expect(worker.page.getByTestId('problem-status')).toContainText('已上报');
  await worker.page.reload();
  await expect(worker.page.getByTestId('pending-count')).toHaveText(`${OFFLINE_VISITS + 1} 条修改待同步`);
  const offlineOutbox = await readOutbox(worker.page);
  expect(offlineOutbox.map((r) => r.name)).toEqual([
    ...Array<string>(OFFLINE_VISITS).fill('visit.record'),
    'problem.report',
  ]);
  expect(offlineOutbox.map((r) => r.mutationId)).toEqual([1, 2, 3, 4, 5]);
  const problemId = (offlineOutbox.at(-1)!.args as { problem: { id: string } }).problem.id;
  const photoIds = (offlineOutbox.at(-1)!.args as { problem: { photoIds: string[] } }).problem.photoIds;
  expect(photoIds).toHaveLength(1);

  // Back online: the outbox drains through both processes.
  const beforeSync = [...proxy!.counts];
  await goOnline(worker.context, worker.page);

  // Two more visits online, and a sync.
  const onlineVisits = await visitHouseholds(worker.page, origin, ONLINE_VISITS, offlineVisits);
  await expect(worker.page.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });
  await syncNow(worker.page, { origin });
  expect(await readOutbox(worker.page)).toEqual([]);
  expect(proxy!.counts.map((n, i) => n - beforeSync[i]!).every((n) => n > 0)).toBe(true);

  const writes = OFFLINE_VISITS + 1 + ONLINE_VISITS;
  const visited = [...offlineVisits, ...onlineVisits];
  expect(new Set(visited).size).toBe(visited.length);
  const device = await deviceState(worker.page, photoIds[0]!);
  expect(device.photo).toBeDefined();

  // The leader, also through the balancer, gets the problem with its photo.
  const leader = await newPhone(browser, failures);
  await signIn(leader.page, origin, 'wgz01');
  await leader.page.goto(`${origin}/#/inbox`);
  await leader.page.getByTestId('inbox-list').getByText(DESCRIPTION).click();
  await expect(leader.page.getByTestId('problem-status')).toContainText('已上报');
  const leaderPhoto = leader.page.getByTestId('problem-photos').locator('img');
  await expect(leaderPhoto).toHaveCount(1);
  await expect
    .poll(() => leaderPhoto.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), {
      timeout: 15_000,
    })
    .toBe(true);

  // Straight from the database: every write once.
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const clients = await db.query<{ client_id: string; last_mutation_id: string }>(
      `SELECT c.client_id, c.last_mutation_id FROM clients c JOIN users u ON u.id = c.user_id
       WHERE u.username = 'wgy01'`,
    );
    expect(clients.rows).toEqual([{ client_id: device.clientId, last_mutation_id: String(writes) }]);

    const log = await db.query<{ mutation_id: string; name: string; status: string }>(
      'SELECT mutation_id, name, status FROM mutation_log WHERE client_id = $1 ORDER BY mutation_id',
      [device.clientId],
    );
    expect(log.rows.map((r) => Number(r.mutation_id))).toEqual(
      Array.from({ length: writes }, (_, i) => i + 1),
    );
    expect(log.rows.filter((r) => r.status !== 'applied')).toEqual([]);
    expect(log.rows.map((r) => r.name)).toEqual([
      ...Array<string>(OFFLINE_VISITS).fill('visit.record'),
      'problem.report',
      ...Array<string>(ONLINE_VISITS).fill('visit.record'),
    ]);

    const visits = await db.query<{ id: string; data: string }>(
      "SELECT id, data FROM records WHERE kind = 'visits' AND written_by = $1 AND is_deleted = 0",
      [device.clientId],
    );
    const visitIds = offlineOutbox
      .filter((r) => r.name === 'visit.record')
      .map((r) => (r.args as { visit: { id: string } }).visit.id);
    expect(visits.rows.map((r) => r.id)).toEqual(expect.arrayContaining(visitIds));
    expect(
      visits.rows.map((r) => (JSON.parse(r.data) as { householdId: string }).householdId).sort(),
    ).toEqual([...visited].sort());

    const problems = await db.query<{ id: string; data: string }>(
      "SELECT id, data FROM records WHERE kind = 'problems' AND written_by = $1",
      [device.clientId],
    );
    expect(problems.rows.map((r) => r.id)).toEqual([problemId]);
    expect((JSON.parse(problems.rows[0]!.data) as { photoIds: string[] }).photoIds).toEqual(photoIds);

    // The photo: once in blobs and blob_bytes, byte for byte what the phone holds.
    const [sha] = photoIds as [string];
    const stored = await db.query<{ size: number; bytes: Buffer }>(
      'SELECT b.size, bb.bytes FROM blobs b JOIN blob_bytes bb ON bb.sha256 = b.sha256 WHERE b.sha256 = $1',
      [sha],
    );
    expect(stored.rows).toHaveLength(1);
    const bytes = stored.rows[0]!.bytes;
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    expect(bytes.length).toBe(stored.rows[0]!.size);
    expect(bytes.equals(Buffer.from(device.photo!, 'base64'))).toBe(true);
  } finally {
    await db.end();
  }

  expect(failures).toEqual([]);
  expect(proxy!.counts.every((n) => n > 0)).toBe(true);
  await worker.context.close();
  await leader.context.close();
});
