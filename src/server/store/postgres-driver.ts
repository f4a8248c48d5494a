import pg from 'pg';
import { IN_TRANSACTION, type SqlDatabase, type SqlExecutor, type TransactionOptions } from './sql.ts';

// BIGINT (versions, epoch milliseconds, counts) and NUMERIC (sums) as numbers: every value the
// store keeps is well inside 2^53.
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 || oid === NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** `?` placeholders as `$1, $2, ...`, worked out once per SQL text. */
const numbered = new Map<string, string>();
function toPositional(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (numbered.size > 5_000) numbered.clear();
    numbered.set(sql, text);
  }
  return text;
}

function toParams(params: readonly unknown[]): unknown[] {
  return params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : (value ?? null)));
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * A name per SQL text, so each connection parses and plans a statement once and then only binds it
 * (the same few statements serve every request). Long or many-valued texts (multi-row inserts, big
 * IN lists) stay unnamed: there are too many shapes of them to keep one per connection.
 */
const statementNames = new Map<string, string | null>();
/** Never reused: a connection refuses a name it already holds for another text. */
let named = 0;
function statementName(text: string, values: number): string | null {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = text.length <= 4_000 && values <= 64 && named < 2_000 ? `s${named++}` : null;
    statementNames.set(text, name);
  }
  return name;
}

function executor(target: Queryable, inTransaction: boolean): SqlExecutor {
  const query = async <T>(sql: string, params: readonly unknown[] = []) => {
    const text = toPositional(sql);
    const values = toParams(params);
    const name = statementName(text, values.length);
    const config = name === null ? { text, values } : { name, text, values };
    return (await target.query(config)) as unknown as pg.QueryResult<T & pg.QueryResultRow>;
  };
  const exec: SqlExecutor = {
    dialect: 'postgres',
    all: async <T>(sql: string, params?: readonly unknown[]) => (await query<T>(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: readonly unknown[]) =>
      (await query<T>(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly unknown[]) => (await query(sql, params)).rowCount ?? 0,
    exec: async (script: string) => {
      await target.query(script);
    },
  };
  return inTransaction ? Object.assign(exec, { [IN_TRANSACTION]: true }) : exec;
}

export interface PostgresOptions {
  url: string;
  /** Connections this process keeps open (several processes share the server's max_connections). */
  poolSize?: number;
  /** How long an unused connection stays open (pg's default: 10 s). */
  idleTimeoutMs?: number;
}

/** PostgreSQL through a pool of pg connections; a transaction holds one connection to its end. */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly #root: SqlExecutor;

  constructor(options: PostgresOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMillis: options.idleTimeoutMs }),
      // Idle connections do not keep a finished process (a CLI, a test worker) alive.
      allowExitOnIdle: true,
    });
    // An idle connection dropped by the server must not crash the process; the pool reconnects.
    this.pool.on('error', (error) => console.error('postgres: idle connection failed', error.message));
    this.#root = executor(this.pool, false);
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#root.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.#root.get<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.#root.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(
        options.readOnlySnapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN',
      );
      try {
        const result = await fn(executor(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      }
    } finally {
      // A connection that could not even roll back is closed rather than handed to the next request.
      client.release(broken);
    }
  }

  exec(script: string): Promise<void> {
    return this.#root.exec(script);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
