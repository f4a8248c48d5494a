/**
 * The one seam between the store and a database engine. The store's SQL is written once, with `?`
 * placeholders and the subset both engines share (ON CONFLICT upserts, RETURNING, no engine-only
 * functions); a driver runs it on better-sqlite3 or on PostgreSQL (pg). Where the engines really
 * differ (locking a town's counter, a snapshot for a pull) the store asks `dialect`.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface TransactionOptions {
  /**
   * One snapshot for every statement (a pull's page and the counter it reports must agree).
   * PostgreSQL: REPEATABLE READ READ ONLY. SQLite: every transaction is one snapshot already.
   */
  readOnlySnapshot?: boolean;
}

export interface SqlDatabase extends SqlExecutor {
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Inside a
   * transaction `fn`'s executor is the only one to use; a transaction asked for on it joins it.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/** True when the executor is a transaction's (so a nested transaction() just joins it). */
export const IN_TRANSACTION = Symbol('in transaction');

export function isInTransaction(executor: SqlExecutor): boolean {
  return (executor as { [IN_TRANSACTION]?: boolean })[IN_TRANSACTION] === true;
}

/** `(?, ?, ?)` for one row of `columns` values. */
export function placeholders(columns: number): string {
  return `(${Array.from({ length: columns }, () => '?').join(', ')})`;
}

/**
 * Splits rows into chunks small enough for one statement: SQLite allows 32,766 parameters and
 * PostgreSQL 65,535; staying under 30,000 suits both.
 */
export function chunked<T>(rows: readonly T[], columns: number, maxParams = 30_000): T[][] {
  const size = Math.max(1, Math.floor(maxParams / columns));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** A unique key refused the write (two requests creating the same username at once), on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
