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

export async function openTestStore(backend: Backend = TEST_BACKEND): Promise<Store> {
  if (backend === 'sqlite') return openStore({ file: ':memory:' });
  return openStore({ url: await freshPostgresUrl(), poolSize: 4 });
}
