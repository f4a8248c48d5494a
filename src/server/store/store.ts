/**
 * The server's storage contract: one async interface over records and the change log, towns,
 * accounts and sessions, devices and their mutation log, photos, conflicts and audit. Two engines
 * stand behind it (sql.ts): SQLite (better-sqlite3), the embedded default, and PostgreSQL, chosen
 * with DATABASE_URL. The SQL is the same for both; tests/server/store-contract.test.ts holds both to
 * the same behaviour.
 */
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { refKey } from '../../shared/domain/apply-mutation.ts';
import type { RecordKind, RecordOf } from '../../shared/records.ts';
import { Accounts } from './accounts.ts';
import { Blobs, DatabaseBlobBytes, FileBlobBytes, MemoryBlobBytes, type BlobBytes } from './blobs.ts';
import { Clients } from './clients.ts';
import { Journal } from './journal.ts';
import { migrate } from './migrations.ts';
import { PostgresDatabase } from './postgres-driver.ts';
import { prevAssigneeOf, Records, type GridTreeCache, type RecordWrite } from './records.ts';
import { isInTransaction, type SqlDatabase, type SqlExecutor, type TransactionOptions } from './sql.ts';
import { SqliteDatabase } from './sqlite-driver.ts';
import { Towns } from './towns.ts';

export * from './types.ts';
export type { RecordWrite } from './records.ts';

export type StoreOptions =
  /** A database file, or ':memory:' for tests (photos are then kept in memory too). */
  | { file: string; blobDir?: string }
  /** postgres://user:pass@host:port/db; photos are kept in the database, shared by every process. */
  | { url: string; poolSize?: number; idleTimeoutMs?: number };

export class Store {
  readonly database: SqlDatabase;
  /** The executor this store's statements run on: the database, or one transaction. */
  readonly sql: SqlExecutor;
  readonly #bytes: BlobBytes | ((sql: SqlExecutor) => BlobBytes);
  readonly towns: Towns;
  readonly accounts: Accounts;
  readonly clients: Clients;
  readonly records: Records;
  readonly journal: Journal;
  readonly blobs: Blobs;

  readonly #gridTrees: GridTreeCache;

  constructor(
    database: SqlDatabase,
    bytes: BlobBytes | ((sql: SqlExecutor) => BlobBytes),
    sql: SqlExecutor = database,
    gridTrees: GridTreeCache = new Map(),
  ) {
    this.#gridTrees = gridTrees;
    this.database = database;
    this.sql = sql;
    this.#bytes = bytes;
    this.towns = new Towns(sql);
    this.accounts = new Accounts(sql);
    this.clients = new Clients(sql);
    this.records = new Records(sql, gridTrees);
    this.journal = new Journal(sql);
    this.blobs = new Blobs(sql, typeof bytes === 'function' ? bytes(sql) : bytes);
  }

  get dialect() {
    return this.database.dialect;
  }

  /** `fn` with a store whose every statement is in one transaction (joined when already in one). */
  transaction<T>(fn: (tx: Store) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (isInTransaction(this.sql)) return fn(this);
    return this.database.transaction(
      (sql) => fn(new Store(this.database, this.#bytes, sql, this.#gridTrees)),
      options,
    );
  }

  /**
   * `fn` in one transaction that no other server process runs at the same time: seeding the demo
   * or the first administrator when several processes start together over one PostgreSQL.
   */
  exclusively<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.sql.run('SELECT pg_advisory_xact_lock(5041211)');
      return fn(tx);
    });
  }

  /**
   * Writes records at the town's next versions, in the order given, under the town's lock (the demo
   * seed, the town loader). The last version written.
   */
  appendRecords(
    townId: string,
    items: readonly { kind: RecordKind; record: RecordOf<RecordKind> }[],
    writtenBy: string | null,
    at: number,
  ): Promise<number> {
    return this.transaction(async (tx) => {
      let { version } = await tx.towns.lock(townId);
      const problems = items.filter((item) => item.kind === 'problems');
      const before =
        problems.length > 0
          ? await tx.records.getMany(
              townId,
              problems.map((p) => ({ kind: p.kind, id: p.record.id })),
            )
          : new Map();
      const rows: RecordWrite[] = items.map(({ kind, record }) => ({
        kind,
        record,
        version: ++version,
        writtenBy,
        writtenAt: at,
        prevAssigneeKey: prevAssigneeOf(kind, record, before.get(refKey(kind, record.id))),
      }));
      await tx.records.put(townId, rows);
      await tx.towns.advance(townId, version);
      return version;
    });
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

/** Opens (and migrates) the database the options name. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if ('url' in options) {
    const database = new PostgresDatabase(options);
    await migrate(database);
    return new Store(database, (sql) => new DatabaseBlobBytes(sql));
  }
  const isMemory = options.file === ':memory:';
  if (!isMemory) mkdirSync(dirname(options.file), { recursive: true });
  const database = new SqliteDatabase(options.file);
  await migrate(database);
  const bytes = isMemory
    ? new MemoryBlobBytes()
    : new FileBlobBytes(options.blobDir ?? join(dirname(options.file), 'blobs'));
  return new Store(database, bytes);
}

/** DATABASE_URL=postgres://... selects PostgreSQL; otherwise SQLite in DATA_DIR (default ./data). */
export function storeOptionsFrom(env: NodeJS.ProcessEnv, dataDir: string): StoreOptions {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL 必须以 postgres:// 开头');
    const poolSize = env.DATABASE_POOL === undefined ? undefined : Number(env.DATABASE_POOL);
    if (poolSize !== undefined && (!Number.isSafeInteger(poolSize) || poolSize < 1))
      throw new Error(`DATABASE_POOL 必须是正整数（收到 ${env.DATABASE_POOL}）`);
    return { url, ...(poolSize ? { poolSize } : {}) };
  }
  return { file: join(dataDir, 'lianxin.sqlite') };
}
