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

const valuesLists = new Map<string, string>();

/** `(?, ?, ?)` for one row of `columns` values; with `rows`, that many rows joined (memoized). */
export function placeholders(columns: number, rows = 1): string {
  const key = `${columns}x${rows}`;
  let text = valuesLists.get(key);
  if (text === undefined) {
    const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
    text = Array.from({ length: rows }, () => row).join(', ');
    if (valuesLists.size > 1_000) valuesLists.clear();
    valuesLists.set(key, text);
  }
  return text;
}

/**
 * Splits rows into chunks for multi-row statements. Both engines allow far more parameters (SQLite
 * 32,766, PostgreSQL 65,535), but past a few thousand the statement text and the argument list cost
 * more than the round trips they save.
 */
export function chunked<T>(rows: readonly T[], columns: number, maxParams = 2_000): T[][] {
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
