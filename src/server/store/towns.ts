import type { SqlExecutor } from './sql.ts';
import type { Town } from './types.ts';

interface TownRow {
  id: string;
  code: string;
  name: string;
  version: number;
  created_at: number;
}

const toTown = (row: TownRow): Town => ({
  id: row.id,
  code: row.code,
  name: row.name,
  version: row.version,
  createdAt: row.created_at,
});

/** The towns of the deployment, each with its own change counter. */
export class Towns {
  readonly #sql: SqlExecutor;
  constructor(sql: SqlExecutor) {
    this.#sql = sql;
  }

  async create(town: { id: string; code: string; name: string; createdAt: number }): Promise<Town> {
    await this.#sql.run('INSERT INTO towns (id, code, name, version, created_at) VALUES (?, ?, ?, 0, ?)', [
      town.id,
      town.code,
      town.name,
      town.createdAt,
    ]);
    return { ...town, version: 0 };
  }

  async get(id: string): Promise<Town | undefined> {
    const row = await this.#sql.get<TownRow>('SELECT * FROM towns WHERE id = ?', [id]);
    return row ? toTown(row) : undefined;
  }

  async byCode(code: string): Promise<Town | undefined> {
    const row = await this.#sql.get<TownRow>('SELECT * FROM towns WHERE code = ?', [code]);
    return row ? toTown(row) : undefined;
  }

  async list(): Promise<Town[]> {
    return (await this.#sql.all<TownRow>('SELECT * FROM towns ORDER BY created_at, code')).map(toTown);
  }

  async rename(id: string, name: string) {
    await this.#sql.run('UPDATE towns SET name = ? WHERE id = ?', [name, id]);
  }

  /** The newest version handed out in the town (0 for a town with no records; no town: 0). */
  async version(id: string): Promise<number> {
    return (
      (await this.#sql.get<{ version: number }>('SELECT version FROM towns WHERE id = ?', [id]))?.version ?? 0
    );
  }

  /**
   * Takes the town's write lock (until the transaction ends) and returns its counter. PostgreSQL:
   * the row lock queues every other push of this town behind this one, and no other town's; SQLite:
   * the transaction already holds the only write lock there is.
   */
  async lock(id: string): Promise<number> {
    const sql =
      this.#sql.dialect === 'postgres'
        ? 'SELECT version FROM towns WHERE id = ? FOR UPDATE'
        : 'SELECT version FROM towns WHERE id = ?';
    const row = await this.#sql.get<{ version: number }>(sql, [id]);
    if (!row) throw new Error(`no town ${id}`);
    return row.version;
  }

  /** Moves the counter to `version`, the last one the transaction used (it holds the lock). */
  async advance(id: string, version: number) {
    await this.#sql.run('UPDATE towns SET version = ? WHERE id = ? AND version < ?', [version, id, version]);
  }
}
