/**
 * The store a server test runs on: SQLite in memory, or with TEST_DATABASE=postgres a fresh database
 * on the run's PostgreSQL cluster (pg-global-setup.ts), so the whole server suite runs on either.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store } from '../../src/server/store/store.ts';

export type Backend = 'sqlite' | 'postgres';

export const TEST_BACKEND: Backend = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/** A new, empty database on the run's cluster; its URL. */
export async function freshPostgresUrl(): Promise<string> {
  const base = inject('pgUrl');
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

const opened: Store[] = [];

/**
 * A store on a fresh database. PostgreSQL ones are closed when the test file ends (closeTestStores,
 * from vitest-setup.ts) and drop idle connections quickly, so a run stays under max_connections.
 */
export async function openTestStore(backend: Backend = TEST_BACKEND): Promise<Store> {
  if (backend === 'sqlite') return openStore({ file: ':memory:' });
  const store = await openStore({ url: await freshPostgresUrl(), poolSize: 4, idleTimeoutMs: 500 });
  opened.push(store);
  return store;
}

export async function closeTestStores() {
  // A test may have closed its own store already; closing twice is refused by pg, and harmless.
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
}
