import { gridIdOf, type RecordKind, type RecordOf } from '../../shared/records.ts';
import { refKey } from '../../shared/domain/apply-mutation.ts';
import { PULL_REMAINING_LIMIT } from '../../shared/protocol.ts';
import { TYPED_COLUMNS, typedColumnsOf } from './record-columns.ts';
import { refreshResidentTokens, type TeamTokens } from '../resident/resident-store.ts';
import { chunked, placeholders, type SqlExecutor } from './sql.ts';
import { refreshVisitSummaries } from './visit-summaries.ts';
import { assigneeKeyOf, photoIdsOf, type ChangeRow, type SqlFilter, type StoredRecord } from './types.ts';

interface RecordRow {
  kind: RecordKind;
  id: string;
  grid_id: string | null;
  assignee_id: string | null;
  prev_assignee_id: string | null;
  data: string;
  version: number;
  is_deleted: number;
  written_by: string | null;
  written_at: number;
}

function toStored(row: RecordRow): StoredRecord {
  return {
    kind: row.kind,
    id: row.id,
    gridId: row.grid_id,
    assigneeKey: row.assignee_id,
    prevAssigneeKey: row.prev_assignee_id,
    data: JSON.parse(row.data) as RecordOf<RecordKind>,
    version: row.version,
    isDeleted: row.is_deleted === 1,
    writtenBy: row.written_by,
    writtenAt: row.written_at,
  };
}

/** One record at one version, ready to be written (versions are handed out by the caller's town lock). */
export interface RecordWrite {
  kind: RecordKind;
  record: RecordOf<RecordKind>;
  version: number;
  writtenBy: string | null;
  writtenAt: number;
  /** The assignee before this write, when it changed (problems); else what the record had. */
  prevAssigneeKey: string | null;
}

/** The assignee a department keeps seeing: the one before the last change of assignee. */
export function prevAssigneeOf(
  kind: RecordKind,
  record: unknown,
  before: Pick<StoredRecord, 'assigneeKey' | 'prevAssigneeKey'> | undefined,
): string | null {
  if (kind !== 'problems' || !before) return null;
  const now = assigneeKeyOf(kind, record);
  return before.assigneeKey !== now && before.assigneeKey !== null
    ? before.assigneeKey
    : before.prevAssigneeKey;
}

/** The columns every row has, before the typed ones (record-columns.ts). */
const BASE_COLUMNS = [
  'town_id',
  'kind',
  'id',
  'grid_id',
  'assignee_id',
  'prev_assignee_id',
  'data',
  'version',
  'is_deleted',
  'written_by',
  'written_at',
] as const;
const RECORD_COLUMNS = BASE_COLUMNS.length + TYPED_COLUMNS.length;
/** The upsert of a row: every column but the key is the new write's. */
const UPSERT_SQL = (rows: number) => {
  const columns = [...BASE_COLUMNS, ...TYPED_COLUMNS];
  const updates = columns.slice(3).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO records (${columns.join(', ')}) VALUES ${placeholders(RECORD_COLUMNS, rows)}
    ON CONFLICT (town_id, kind, id) DO UPDATE SET ${updates.join(', ')}`;
};
/** How many rows past a full page a pull counts for the device's progress bar, and no further. */
export const REMAINING_COUNT_LIMIT = PULL_REMAINING_LIMIT;

export type GridTree = readonly { id: string; parentId: string | null }[];
/** Per database and town: the grid tree and the stamp it was read at (see Records.gridTree). */
export type GridTreeCache = Map<string, { stamp: string; tree: GridTree }>;

/** A town's records and its change log (every record's latest version is its entry in the log). */
export class Records {
  readonly #sql: SqlExecutor;
  readonly #gridTrees: GridTreeCache;
  constructor(sql: SqlExecutor, gridTrees: GridTreeCache = new Map()) {
    this.#sql = sql;
    this.#gridTrees = gridTrees;
  }

  async get<K extends RecordKind>(townId: string, kind: K, id: string): Promise<StoredRecord<K> | undefined> {
    const row = await this.#sql.get<RecordRow>(
      'SELECT * FROM records WHERE town_id = ? AND kind = ? AND id = ?',
      [townId, kind, id],
    );
    return row ? (toStored(row) as StoredRecord<K>) : undefined;
  }

  /** Many records at once, keyed by refKey (absent ones are missing from the map). */
  async getMany(
    townId: string,
    refs: readonly { kind: RecordKind; id: string }[],
  ): Promise<Map<string, StoredRecord>> {
    const found = new Map<string, StoredRecord>();
    const byKind = new Map<RecordKind, Set<string>>();
    for (const ref of refs) {
      const ids = byKind.get(ref.kind) ?? new Set<string>();
      ids.add(ref.id);
      byKind.set(ref.kind, ids);
    }
    for (const [kind, ids] of byKind) {
      for (const chunk of chunked([...ids], 1, 5_000)) {
        const rows = await this.#sql.all<RecordRow>(
          `SELECT * FROM records WHERE town_id = ? AND kind = ? AND id IN ${placeholders(chunk.length)}`,
          [townId, kind, ...chunk],
        );
        for (const row of rows) found.set(refKey(row.kind, row.id), toStored(row));
      }
    }
    return found;
  }

  /** Writes the rows (inserting or replacing), with the photos they name. Call under the town's lock. */
  async put(townId: string, rows: readonly RecordWrite[], options: { refreshVisitSummaries?: boolean } = {}) {
    for (const chunk of chunked(rows, RECORD_COLUMNS)) {
      await this.#sql.run(
        UPSERT_SQL(chunk.length),
        chunk.flatMap((w) => [
          townId,
          w.kind,
          w.record.id,
          gridIdOf(w.kind, w.record),
          assigneeKeyOf(w.kind, w.record),
          w.prevAssigneeKey,
          JSON.stringify(w.record),
          w.version,
          w.record.isDeleted ? 1 : 0,
          w.writtenBy,
          w.writtenAt,
          ...typedColumnsOf(w.kind, w.record),
        ]),
      );
    }
    // A visit written, corrected or withdrawn moves its household's last visit and its day's count.
    if (options.refreshVisitSummaries !== false)
      await refreshVisitSummaries(
        this.#sql,
        townId,
        rows.flatMap((w) => (w.kind === 'visits' ? [w.record as RecordOf<'visits'>] : [])),
        rows.reduce((newest, w) => Math.max(newest, w.version), 0),
      );
    // A grid's team record says which of its cards' tokens open the public page (resident-store.ts).
    const teams = rows.filter((w) => (w.kind as string) === 'gridTeams');
    if (teams.length > 0)
      await refreshResidentTokens(
        this.#sql,
        townId,
        teams.map((w) => w.record as TeamTokens),
      );
    const refs = rows.flatMap((w) =>
      photoIdsOf(w.record).map((sha256) => [townId, sha256, w.kind, w.record.id]),
    );
    for (const chunk of chunked(refs, 4)) {
      await this.#sql.run(
        `INSERT INTO blob_refs (town_id, sha256, kind, record_id) VALUES ${placeholders(4, chunk.length)}
         ON CONFLICT DO NOTHING`,
        chunk.flat(),
      );
    }
  }

  /** Every live record of a kind (small kinds only: the grid tree, buildings for the town loader). */
  async live<K extends RecordKind>(townId: string, kind: K): Promise<RecordOf<K>[]> {
    // Sorted here, not by ORDER BY: asked to return rows in version order, SQLite walks the town's
    // whole version index (1.4 million rows for a town with a year of visits: a second per call)
    // instead of the few rows of the kind.
    const rows = await this.#sql.all<{ data: string; version: number }>(
      'SELECT data, version FROM records WHERE town_id = ? AND kind = ? AND is_deleted = 0',
      [townId, kind],
    );
    rows.sort((a, b) => Number(a.version) - Number(b.version));
    return rows.map((row) => JSON.parse(row.data) as RecordOf<K>);
  }

  /**
   * Grid records' tree (for scope: a user covering a community covers its grids). Asked on every
   * request, so kept per town and read again only when the town's grids have changed (their count or
   * newest version: two numbers off the primary key instead of parsing every grid).
   */
  async gridTree(townId: string): Promise<GridTree> {
    const mark = await this.#sql.get<{ n: number; newest: number | null }>(
      "SELECT COUNT(*) AS n, MAX(version) AS newest FROM records WHERE town_id = ? AND kind = 'grids'",
      [townId],
    );
    const stamp = `${mark?.n ?? 0}/${mark?.newest ?? 0}`;
    const cached = this.#gridTrees.get(townId);
    if (cached?.stamp === stamp) return cached.tree;
    const tree = (await this.live(townId, 'grids')).map((grid) => ({
      id: grid.id,
      parentId: grid.parentId ?? null,
    }));
    if (this.#gridTrees.size > 10_000) this.#gridTrees.clear();
    this.#gridTrees.set(townId, { stamp, tree });
    return tree;
  }

  /** Records of one town, or of the whole deployment. */
  async count(townId?: string): Promise<number> {
    const row =
      townId === undefined
        ? await this.#sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM records')
        : await this.#sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM records WHERE town_id = ?', [townId]);
    return row?.n ?? 0;
  }

  /**
   * One page of changes after `cursor` that pass `filter`, oldest first; `remaining` counts what
   * passes after the page, up to REMAINING_COUNT_LIMIT (a progress bar's worth: a page never counts
   * the rest of a big town).
   */
  async changesSince(
    townId: string,
    cursor: number,
    limit: number,
    filter: SqlFilter,
  ): Promise<{ rows: ChangeRow[]; remaining: number }> {
    const rows = await this.#sql.all<{
      kind: RecordKind;
      id: string;
      version: number;
      is_deleted: number;
      data: string;
    }>(
      `SELECT kind, id, version, is_deleted, data FROM records
       WHERE town_id = ? AND version > ? AND (${filter.sql}) ORDER BY version LIMIT ?`,
      [townId, cursor, ...filter.params, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1)?.version ?? cursor;
    let remaining = 0;
    if (rows.length > limit) {
      const counted = await this.#sql.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM records WHERE town_id = ? AND version > ? AND (${filter.sql})
         LIMIT ?) AS ahead`,
        [townId, last, ...filter.params, REMAINING_COUNT_LIMIT],
      );
      remaining = counted?.n ?? 1;
    }
    return {
      rows: page.map((r) => ({
        kind: r.kind,
        id: r.id,
        version: r.version,
        isDeleted: r.is_deleted === 1,
        data: r.data,
      })),
      remaining,
    };
  }
}
