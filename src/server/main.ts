import { serve } from '@hono/node-server';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEMO_ACCOUNTS,
  ensureAdmin,
  formatAccounts,
  SECOND_TOWN_ACCOUNTS,
  seedDemo,
  type DemoAccount,
} from './demo.ts';
import { createServerApp } from './http/app.ts';
import { openStore, storeOptionsFrom } from './store/store.ts';
import { ensureDepartments } from './town.ts';

/** A database URL as it may be printed: without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export { createServerApp, type ServerAppOptions } from './http/app.ts';

/**
 * The PWA with an API over an empty in-memory database: for screenshots and benchmarks that only
 * need the app shell served.
 */
export async function createApp(distDir: string) {
  return createServerApp({ store: await openStore({ file: ':memory:' }), distDir });
}

function readConfig(env: NodeJS.ProcessEnv) {
  const households = env.DEMO_HOUSEHOLDS === undefined ? undefined : Number(env.DEMO_HOUSEHOLDS);
  if (households !== undefined && (!Number.isSafeInteger(households) || households < 0))
    throw new Error(`DEMO_HOUSEHOLDS 必须是非负整数（收到 ${env.DEMO_HOUSEHOLDS}）`);
  const port = Number(env.PORT ?? 8080);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new Error(`PORT 无效：${env.PORT}`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.DATA_DIR ?? './data'),
    isDemo: env.DEMO !== 'off',
    households,
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    // The demo's second town (青石镇) unless DEMO_TOWNS=1.
    secondTown: env.DEMO_TOWNS !== '1',
  };
}

async function main() {
  // DIST_DIR: another build of the app (a test run building into its own folder).
  const distDir = process.env.DIST_DIR
    ? resolve(process.env.DIST_DIR)
    : fileURLToPath(new URL('../../dist', import.meta.url));
  if (!existsSync(`${distDir}/index.html`)) {
    console.error('找不到 dist/index.html：请先运行 `npm run build`（`npm start` 会自动构建）。');
    process.exit(1);
  }
  const config = readConfig(process.env);
  const storeOptions = storeOptionsFrom(process.env, config.dataDir);
  if ('file' in storeOptions) mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(storeOptions);
  console.log(`数据库：${'file' in storeOptions ? storeOptions.file : redactUrl(storeOptions.url)}`);

  if (config.isDemo) {
    // Several processes may start together over one PostgreSQL: one seeds, the others find it done.
    const seeded = await store.exclusively((tx) =>
      seedDemo(tx, { households: config.households, secondTown: config.secondTown }),
    );
    if (seeded.records > 0)
      console.log(
        `演示数据：${seeded.households} 户、${seeded.people} 人、以往走访 ${seeded.visits} 次、` +
          `近一周问题 ${seeded.problems} 件` +
          `（共 ${seeded.records} 条记录），` +
          `生成 ${Math.round(seeded.generateMs)} ms，写入 ${Math.round(seeded.insertMs)} ms`,
      );
    // Printed on every start: the demo accounts are public by design (DEMO=off for real use).
    const accounts: DemoAccount[] = [];
    for (const account of [...DEMO_ACCOUNTS, ...SECOND_TOWN_ACCOUNTS])
      if (await store.accounts.byUsername(account.username)) accounts.push(account);
    if (accounts.length > 0) console.log(formatAccounts(accounts, seeded.password));
  } else {
    const password = await store.exclusively((tx) => ensureAdmin(tx));
    if (password) console.log(`已创建管理员账号 admin，初始密码：${password}（只显示这一次）`);
  }

  // A town from before departments were records (or a deployment's first town) gets the default list
  // once, so it can dispatch; a town that has its departments keeps them.
  const added = await store.exclusively(async (tx) => {
    let count = 0;
    for (const town of await tx.towns.list()) count += await ensureDepartments(tx, town.id, Date.now());
    return count;
  });
  if (added > 0) console.log(`已为没有承办部门的镇添加默认承办部门（共 ${added} 个）。`);

  const app = createServerApp({ store, distDir, trustProxy: config.trustProxy });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    console.log(`网格连心 running on http://localhost:${info.port}`);
  });
  const shutdown = () => {
    server.close(() => {
      // Closing checkpoints SQLite's WAL into the main file, and ends PostgreSQL's connections.
      void store.close().finally(() => process.exit(0));
    });
    // Open keep-alive connections would hold close() up; do not wait for them forever.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
