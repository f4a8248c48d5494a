import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath, CHROMIUM_ARGS } from './support/chromium.ts';

/** The built app served by the real server on a loopback port (npm run test:e2e builds first). */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 4318);
/**
 * A fresh database per run, seeded with a small demo town (the full town takes seconds to load).
 * Kept in the environment, so the test workers (which load this file again) read the same folder:
 * a test may open the server's SQLite file read-only to check what arrived (long-week-offline).
 */
const dataDir = (process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'lianxin-e2e-data-')));

export default defineConfig({
  testDir: './e2e',
  // E2E_RESULTS: a folder of its own for a second run on the same machine.
  outputDir: process.env.E2E_RESULTS ?? '../test-results',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 360, height: 760 },
    locale: 'zh-CN',
    serviceWorkers: 'allow',
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx tsx src/server/main.ts`,
    cwd: '..',
    env: {
      PORT: String(E2E_PORT),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_HOUSEHOLDS: '600',
      // A build in another folder (E2E_DIST), so two runs on one machine do not share dist/.
      ...(process.env.E2E_DIST ? { DIST_DIR: process.env.E2E_DIST } : {}),
    },
    url: `http://127.0.0.1:${E2E_PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
