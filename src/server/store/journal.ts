import type { RecordKind } from '../../shared/records.ts';
import { chunked, placeholders, type SqlExecutor } from './sql.ts';
import type { AuditEntry, ConflictRow, SqlFilter } from './types.ts';

/** The overwritten values (conflicts) and the audit log of a town. */
export class Journal {
  readonly #sql: SqlExecutor;
  constructor(sql: SqlExecutor) {
    this.#sql = sql;
  }

  async insertConflicts(townId: string, conflicts: readonly Omit<ConflictRow, 'id'>[]) {
    for (const chunk of chunked(conflicts, 10)) {
      await this.#sql.run(
        `INSERT INTO conflicts (town_id, kind, record_id, field, overwritten, value, user_id, overwritten_client_id,
           at, grid_id) VALUES ${placeholders(10, chunk.length)}`,
        chunk.flatMap((c) => [
          townId,
          c.kind,
          c.recordId,
          c.field,
          JSON.stringify(c.overwritten ?? null),
          JSON.stringify(c.value ?? null),
          c.userId,
          c.overwrittenClientId,
          c.at,
          c.gridId,
        ]),
      );
    }
  }

  /** Newest first; `filter` is a condition on conflicts.grid_id (see scope.ts). */
  async conflicts(
    townId: string,
    filter: SqlFilter,
    limit: number,
    beforeId?: number,
  ): Promise<ConflictRow[]> {
    const rows = await this.#sql.all<{
      id: number;
      kind: RecordKind;
      record_id: string;
      field: string;
      overwritten: string;
      value: string;
      user_id: string;
      overwritten_client_id: string | null;
      at: number;
      grid_id: string | null;
    }>(`SELECT * FROM conflicts WHERE town_id = ? AND (${filter.sql}) AND id < ? ORDER BY id DESC LIMIT ?`, [
      townId,
      ...filter.params,
      beforeId ?? Number.MAX_SAFE_INTEGER,
      limit,
    ]);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      recordId: r.record_id,
      field: r.field,
      overwritten: JSON.parse(r.overwritten) as unknown,
      value: JSON.parse(r.value) as unknown,
      userId: r.user_id,
      overwrittenClientId: r.overwritten_client_id,
      at: r.at,
      gridId: r.grid_id,
    }));
  }

  /** `townId` null: what belongs to no town (a sign-in with a name no town has). */
  async audit(
    townId: string | null,
    at: number,
    userId: string | null,
    action: string,
    detail: Record<string, unknown> = {},
  ) {
    await this.#sql.run('INSERT INTO audit (town_id, at, user_id, action, detail) VALUES (?, ?, ?, ?, ?)', [
      townId,
      at,
      userId,
      action,
      JSON.stringify(detail),
    ]);
  }

  /** Newest first, of one town (null: the entries of no town). */
  async auditLog(townId: string | null, limit: number, action?: string): Promise<AuditEntry[]> {
    const town = townId === null ? 'town_id IS NULL' : 'town_id = ?';
    const params: unknown[] = townId === null ? [] : [townId];
    const rows = await this.#sql.all<{
      id: number;
      at: number;
      user_id: string | null;
      action: string;
      detail: string;
    }>(
      action === undefined
        ? `SELECT * FROM audit WHERE ${town} ORDER BY id DESC LIMIT ?`
        : `SELECT * FROM audit WHERE ${town} AND action = ? ORDER BY id DESC LIMIT ?`,
      action === undefined ? [...params, limit] : [...params, action, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      userId: r.user_id,
      action: r.action,
      detail: JSON.parse(r.detail) as unknown,
    }));
  }
}
