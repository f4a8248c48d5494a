/**
 * The resident's page (issue 13): what a phone downloads for /r/<token> (gzip), how long until the
 * report form answers at 4x CPU throttling on a fresh browser, and how many reports a second the
 * server files (the one planner under the town's lock, the limits in the database).
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seedDemo } from '../../src/server/demo.ts';
import { createServerApp } from '../../src/server/http/app.ts';
import { openStore } from '../../src/server/store/store.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium.ts';
import { CPU_THROTTLING_RATE, listenOnLoopback, withCpuThrottling } from './browser.ts';
import { progress } from './progress.ts';
import { BENCH_KDF } from './push-load.ts';
import { figure, type MeasuredFigure } from './report.ts';
import { median } from './stats.ts';

const LOADS = 5;
const REPORTS = 300;
const CONCURRENCY = 8;
/** The server's own limit: 30 reports per card an hour. */
const PER_TOKEN = 25;

export async function runResidentBench(): Promise<MeasuredFigure[]> {
  const dist = await mkdtemp(join(tmpdir(), 'lianxin-bench-resident-'));
  const store = await openStore({ file: ':memory:' });
  try {
    execFileSync(
      'npx',
      ['vite', 'build', '--config', 'src/resident/vite.config.ts', '--outDir', join(dist, 'resident')],
      { stdio: 'ignore' },
    );
    await seedDemo(store, { households: 600, kdf: BENCH_KDF, now: Date.now(), problems: false });
    const tokens = (
      await store.sql.all<{ data: string }>("SELECT data FROM records WHERE kind = 'gridTeams'")
    ).map((r) => (JSON.parse(r.data) as { residentToken: string }).residentToken);
    if (tokens.length === 0) throw new Error('the demo seed made no grid team tokens');
    const app = createServerApp({ store, distDir: dist, trustProxy: true });
    const server = await listenOnLoopback(app.fetch, '127.0.0.1');
    try {
      const page = await measurePage(`${server.origin}/r/${tokens[0]}`);
      const perSecond = await measureReports(app, tokens);
      return [
        figure(
          'Resident page transferred (gzip)',
          page.gzipKb,
          'KB',
          'HTML, JS, CSS and the team JSON of /r/<token>, each gzipped',
          50,
        ),
        figure(
          `Resident page time to interactive at ${CPU_THROTTLING_RATE}x CPU`,
          page.ttiSeconds,
          's',
          `fresh browser, until the report form is there; median of ${LOADS}`,
          1.5,
        ),
        figure(
          'Resident reports accepted per second',
          perSecond,
          'reports/s',
          `${REPORTS} text reports, ${CONCURRENCY} at a time, SQLite; each a problem planned under the town's lock`,
        ),
      ];
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
    await rm(dist, { recursive: true, force: true });
  }
}

async function measurePage(url: string): Promise<{ gzipKb: number; ttiSeconds: number }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    let gzipBytes = 0;
    const times: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({
        viewport: { width: 360, height: 760 },
        serviceWorkers: 'block',
      });
      const page = await context.newPage();
      const sizes: Promise<number>[] = [];
      if (i === 0)
        page.on('response', (response) =>
          sizes.push(
            response.body().then(
              (body) => gzipSync(body, { level: 9 }).length,
              () => 0,
            ),
          ),
        );
      const ms = await withCpuThrottling(page, CPU_THROTTLING_RATE, async () => {
        const started = performance.now();
        await page.goto(url);
        await page.getByRole('button', { name: '提交反映' }).waitFor();
        return performance.now() - started;
      });
      times.push(ms);
      if (i === 0) gzipBytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      await context.close();
    }
    progress(
      `resident: page ${(gzipBytes / 1024).toFixed(1)} KB gzip, loads ${times.map((t) => t.toFixed(0)).join(', ')} ms`,
    );
    return { gzipKb: Math.round((gzipBytes / 1024) * 10) / 10, ttiSeconds: Math.round(median(times)) / 1000 };
  } finally {
    await browser.close();
  }
}

async function measureReports(
  app: ReturnType<typeof createServerApp>,
  tokens: readonly string[],
): Promise<number> {
  const usable = Math.min(tokens.length * PER_TOKEN, REPORTS);
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < usable; i = next++) {
      const response = await app.request('/api/public/reports', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.${i >> 8}.${i & 255}` },
        body: JSON.stringify({
          token: tokens[i % tokens.length],
          category: 'environment',
          description: `楼下垃圾没人清理（第 ${i} 条）`,
          place: '3栋楼下',
        }),
      });
      if (response.status === 201) accepted++;
      else throw new Error(`report ${i}: ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const perSecond = accepted / ((performance.now() - started) / 1000);
  progress(`resident: ${accepted} reports at ${perSecond.toFixed(0)}/s`);
  return Math.round(perSecond);
}
