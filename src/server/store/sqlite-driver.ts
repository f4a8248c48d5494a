import Database from 'better-sqlite3';
import { IN_TRANSACTION, type SqlDatabase, type SqlExecutor, type TransactionOptions } from './sql.ts';

type Param = string | number | bigint | Buffer | null;

function toParams(params: readonly unknown[]): Param[] {
  return params.map((value) => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
    return value as Param;
  });
}

/**
 * better-sqlite3 behind the async seam. The library is synchronous and one connection serves the
 * process, so a transaction holds the connection across its awaits: statements from elsewhere wait
 * until it commits instead of landing inside it (an async lock, cheap: nothing in a transaction
 * body waits on I/O). Statements are prepared once per SQL text.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** Transactions holding or waiting for the connection. */
  #waiting = 0;
  #tail: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a power cut may lose the last commits but never corrupts the file.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      // Texts vary with IN lists and scope filters: keep the cache from growing without end.
      if (this.#statements.size > 2_000) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The statements themselves, run on the connection by whoever holds it. */
  readonly #direct: SqlExecutor = {
    dialect: 'sqlite',
    all: <T>(sql: string, params: readonly unknown[] = []) =>
      Promise.resolve(this.#statement(sql).all(...toParams(params)) as T[]),
    get: <T>(sql: string, params: readonly unknown[] = []) =>
      Promise.resolve(this.#statement(sql).get(...toParams(params)) as T | undefined),
    run: (sql: string, params: readonly unknown[] = []) => {
      const statement = this.#statement(sql);
      if (statement.reader) return Promise.resolve(statement.all(...toParams(params)).length);
      return Promise.resolve(statement.run(...toParams(params)).changes);
    },
    exec: (script: string) => {
      this.db.exec(script);
      return Promise.resolve();
    },
  };

  readonly #inside: SqlExecutor = Object.assign(Object.create(this.#direct) as SqlExecutor, {
    [IN_TRANSACTION]: true,
  });

  /** Runs now when no transaction holds the connection, else after the ones queued before it. */
  #whenFree<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#waiting === 0) {
      try {
        return fn();
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.#exclusive(fn);
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#waiting++;
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      return await fn();
    } finally {
      this.#waiting--;
      release();
    }
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#whenFree(() => this.#direct.all<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.#whenFree(() => this.#direct.get<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.#whenFree(() => this.#direct.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.#exclusive(async () => {
      // IMMEDIATE takes the write lock up front: two writers never both read and then fight to write.
      this.db.exec(options.readOnlySnapshot ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#inside);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  exec(script: string): Promise<void> {
    return this.#whenFree(() => this.#direct.exec(script));
  }

  close(): Promise<void> {
    return this.#exclusive(() => {
      this.db.close();
      return Promise.resolve();
    });
  }
}
