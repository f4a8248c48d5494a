import type { SqlExecutor } from './sql.ts';
import { clientOf, type ClientColumns } from './clients.ts';
import type { ClientRow, Town } from './types.ts';

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
   * Takes the town's write lock (until the transaction ends) and returns its counter, with the
   * pushing device's row read in the same round trip. PostgreSQL: the row lock queues every other
   * push of this town behind this one, and no other town's; NO KEY UPDATE, because the counter is
   * not a key: inserts naming the town (a new device, account or record) need only a key-share lock
   * and are not held up by it. SQLite: the transaction already holds the only write lock there is.
   */
  lock(id: string, clientId = ''): Promise<{ version: number; client: ClientRow | undefined }> {
    return this.#counterAndClient(
      id,
      clientId,
      this.#sql.dialect === 'postgres' ? ' FOR NO KEY UPDATE OF t' : '',
    );
  }

  async #counterAndClient(
    id: string,
    clientId: string,
    locking: string,
  ): Promise<{ version: number; client: ClientRow | undefined }> {
    const sql = `SELECT t.version AS version, c.town_id, c.user_id, c.last_mutation_id, c.pulled_version
       FROM towns t LEFT JOIN clients c ON c.client_id = ? WHERE t.id = ?${locking}`;
    const row = await this.#sql.get<ClientColumns & { version: number }>(sql, [clientId, id]);
    if (!row) throw new Error(`no town ${id}`);
    const client = clientOf(row);
    return { version: row.version, client };
  }

  /** The counter and a device's row in one round trip, without locking (a pull). */
  async versionWithClient(
    id: string,
    clientId = '',
  ): Promise<{ version: number; client: ClientRow | undefined }> {
    return this.#counterAndClient(id, clientId, '');
  }

  /** Moves the counter to `version`, the last one the transaction used (it holds the lock). */
  async advance(id: string, version: number) {
    await this.#sql.run('UPDATE towns SET version = ? WHERE id = ? AND version < ?', [version, id, version]);
  }
}
