import { chunked, placeholders, type SqlExecutor } from './sql.ts';
import type { ClientRow, MutationLogEntry } from './types.ts';

/** A clients row as the database gives it (every column null when a LEFT JOIN found no device). */
export interface ClientColumns {
  town_id: string | null;
  user_id: string | null;
  last_mutation_id: number | null;
  pulled_version: number | null;
}

export const CLIENT_COLUMNS = 'town_id, user_id, last_mutation_id, pulled_version';

export function clientOf(row: ClientColumns | undefined): ClientRow | undefined {
  if (!row || row.user_id === null) return undefined;
  return {
    townId: row.town_id!,
    userId: row.user_id,
    lastMutationId: row.last_mutation_id!,
    pulledVersion: row.pulled_version!,
  };
}

export interface MutationOutcome {
  status: 'applied' | 'rejected';
  reason: string | null;
  message: string | null;
}

/** Devices (clients), how far each has pushed and pulled, and how each of their mutations ended. */
export class Clients {
  readonly #sql: SqlExecutor;
  constructor(sql: SqlExecutor) {
    this.#sql = sql;
  }

  async get(clientId: string): Promise<ClientRow | undefined> {
    return clientOf(
      await this.#sql.get<ClientColumns>(`SELECT ${CLIENT_COLUMNS} FROM clients WHERE client_id = ?`, [
        clientId,
      ]),
    );
  }

  /** Several devices at once (the pushes of one batch), by client id. */
  async getMany(clientIds: readonly string[]): Promise<Map<string, ClientRow>> {
    const found = new Map<string, ClientRow>();
    for (const chunk of chunked([...new Set(clientIds)], 1)) {
      const rows = await this.#sql.all<ClientColumns & { client_id: string }>(
        `SELECT client_id, ${CLIENT_COLUMNS} FROM clients WHERE client_id IN ${placeholders(chunk.length)}`,
        chunk,
      );
      for (const row of rows) found.set(row.client_id, clientOf(row)!);
    }
    return found;
  }

  async bind(clientId: string, townId: string, userId: string, at: number) {
    await this.#sql.run(
      'INSERT INTO clients (client_id, town_id, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [clientId, townId, userId, at],
    );
  }

  /**
   * What the server has received from one device: its last mutation id and when that one arrived
   * (null when it never sent any). A wiped phone compares it with what it remembers having written.
   */
  async activity(
    clientId: string,
  ): Promise<
    { userId: string; lastMutationId: number; lastMutationAt: number | null; firstSeenAt: number } | undefined
  > {
    const row = await this.#sql.get<{
      user_id: string;
      last_mutation_id: number;
      created_at: number;
      last_at: number | null;
    }>(
      `SELECT c.user_id, c.last_mutation_id, c.created_at, m.at AS last_at FROM clients c
       LEFT JOIN mutation_log m ON m.client_id = c.client_id AND m.mutation_id = c.last_mutation_id
       WHERE c.client_id = ?`,
      [clientId],
    );
    return row
      ? {
          userId: row.user_id,
          lastMutationId: row.last_mutation_id,
          lastMutationAt: row.last_at,
          firstSeenAt: row.created_at,
        }
      : undefined;
  }

  async setLastMutationId(clientId: string, mutationId: number) {
    await this.#sql.run('UPDATE clients SET last_mutation_id = ? WHERE client_id = ?', [
      mutationId,
      clientId,
    ]);
  }

  /** Only forward: a client may re-pull from an older cursor without "forgetting" what it has. */
  async setPulledVersion(clientId: string, version: number) {
    await this.#sql.run('UPDATE clients SET pulled_version = ? WHERE client_id = ? AND pulled_version < ?', [
      version,
      clientId,
      version,
    ]);
  }

  async logMutations(entries: readonly MutationLogEntry[]) {
    for (const chunk of chunked(entries, 8)) {
      await this.#sql.run(
        `INSERT INTO mutation_log (client_id, mutation_id, user_id, name, status, reason, message, at)
         VALUES ${placeholders(8, chunk.length)}`,
        chunk.flatMap((e) => [
          e.clientId,
          e.mutationId,
          e.userId,
          e.name,
          e.status,
          e.reason ?? null,
          e.message ?? null,
          e.at,
        ]),
      );
    }
  }

  /** How one mutation of a client ended (a retry asks: the device may not have heard the first answer). */
  async outcome(clientId: string, mutationId: number): Promise<MutationOutcome | undefined> {
    return this.#sql.get<MutationOutcome>(
      'SELECT status, reason, message FROM mutation_log WHERE client_id = ? AND mutation_id = ?',
      [clientId, mutationId],
    );
  }

  async mutationLog(
    clientId: string,
  ): Promise<{ mutationId: number; name: string; status: string; reason: string | null }[]> {
    const rows = await this.#sql.all<{
      mutation_id: number;
      name: string;
      status: string;
      reason: string | null;
    }>(
      'SELECT mutation_id, name, status, reason FROM mutation_log WHERE client_id = ? ORDER BY mutation_id',
      [clientId],
    );
    return rows.map((r) => ({ mutationId: r.mutation_id, name: r.name, status: r.status, reason: r.reason }));
  }
}
