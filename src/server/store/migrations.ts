import { DASHBOARD_INDEXES_STEP_SQL, TYPED_COLUMNS_STEP_SQL } from './record-columns.ts';
import { backfillResidentTokens, RESIDENT_STEP_SQL } from '../resident/resident-store.ts';
import { Records } from './records.ts';
import { townSchema } from './schema.ts';
import type { SqlDatabase, SqlExecutor } from './sql.ts';
import { rebuildVisitSummaries } from './visit-summaries.ts';
import type { RecordKind, RecordOf } from '../../shared/records.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Fills what the step's SQL added from what the rows hold, with the code every write runs (so a
   * derived column is derived one way only); in the step's transaction, after its SQL.
   */
  backfill?: (tx: SqlExecutor) => Promise<void>;
}

/**
 * Numbered schema steps per engine, applied in order at start, each in its own transaction, and
 * recorded in schema_migrations. Never edit a step that has shipped: add the next one (to both lists
 * when both engines need it; the contract suite runs on both and catches one falling behind).
 */
const SQLITE_V1: Migration = {
  version: 1,
  name: 'accounts, sync log, records, conflicts, audit, blobs',
  sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        grid_ids TEXT NOT NULL DEFAULT '[]',
        department_id TEXT,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX sessions_by_user ON sessions (user_id);

      -- A device's sync identity, bound to the user who first used it.
      CREATE TABLE clients (
        client_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        last_mutation_id INTEGER NOT NULL DEFAULT 0,
        -- The cursor the client last pulled from: versions up to it are on the device.
        pulled_version INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );

      -- One row: bumped on every record write, so versions are the server's order of writes.
      CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
      INSERT INTO change_counter (id, value) VALUES (1, 0);

      CREATE TABLE records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        grid_id TEXT,
        -- Problems only: "department:<id>" or "worker:<userId>", the current assignee.
        assignee_id TEXT,
        -- The assignee before the last change of assignee, so a department sees what it passed on.
        prev_assignee_id TEXT,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        is_deleted INTEGER NOT NULL DEFAULT 0,
        -- The client id whose mutation wrote this version (NULL for the demo seed and imports).
        written_by TEXT,
        written_at INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE UNIQUE INDEX records_by_version ON records (version);
      CREATE INDEX records_by_grid ON records (grid_id, version);
      CREATE INDEX records_by_assignee ON records (assignee_id, version);
      CREATE INDEX records_by_prev_assignee ON records (prev_assignee_id, version);

      CREATE TABLE mutation_log (
        client_id TEXT NOT NULL,
        mutation_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        message TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (client_id, mutation_id)
      );

      CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT NOT NULL,
        overwritten TEXT NOT NULL,
        value TEXT NOT NULL,
        user_id TEXT NOT NULL,
        overwritten_client_id TEXT,
        at INTEGER NOT NULL,
        grid_id TEXT
      );
      CREATE INDEX conflicts_by_grid ON conflicts (grid_id, id);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        user_id TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_by_action ON audit (action, id);

      CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        type TEXT NOT NULL,
        uploaded_by TEXT NOT NULL,
        grid_id TEXT,
        at INTEGER NOT NULL
      );
      -- Everyone who uploaded the same bytes (they hold them already, so they may fetch them).
      CREATE TABLE blob_uploads (
        sha256 TEXT NOT NULL,
        user_id TEXT NOT NULL,
        grid_id TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (sha256, user_id)
      );
      -- Which records name a photo: whoever may read one of them may fetch it.
      CREATE TABLE blob_refs (
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL,
        PRIMARY KEY (sha256, kind, record_id)
      );
    `,
};

/** The tables of one town (v1) rebuilt with a town key; an existing database becomes the town "default". */
const V1_TABLES = [
  'users',
  'sessions',
  'clients',
  'change_counter',
  'records',
  'mutation_log',
  'conflicts',
  'audit',
  'blobs',
  'blob_uploads',
  'blob_refs',
];
const SQLITE_V2: Migration = {
  version: 2,
  name: 'many towns: a town key on every table, problem columns, shared login throttle, blob bytes',
  sql: `
    DROP INDEX sessions_by_user; DROP INDEX records_by_version; DROP INDEX records_by_grid;
    DROP INDEX records_by_assignee; DROP INDEX records_by_prev_assignee; DROP INDEX conflicts_by_grid;
    DROP INDEX audit_by_action;
    ${V1_TABLES.map((t) => `ALTER TABLE ${t} RENAME TO v1_${t};`).join('\n')}
    ${townSchema('sqlite')}
    INSERT INTO towns (id, code, name, version, created_at)
      SELECT 'default', 'default', '本镇', value, 0 FROM v1_change_counter
      WHERE EXISTS (SELECT 1 FROM v1_users) OR EXISTS (SELECT 1 FROM v1_records);
    INSERT INTO users SELECT id, 'default', username, name, role, grid_ids, department_id, password_hash,
      created_at, revoked_at FROM v1_users;
    INSERT INTO sessions SELECT * FROM v1_sessions;
    INSERT INTO clients SELECT client_id, 'default', user_id, last_mutation_id, pulled_version, created_at
      FROM v1_clients;
    INSERT INTO records SELECT 'default', kind, id, grid_id, assignee_id, prev_assignee_id, data, version,
      is_deleted, written_by, written_at,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.status') END,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.severity') END,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.level') END,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.category') END,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.source') END,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.reportedAt') END,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.dueAt') END,
      CASE WHEN kind = 'problems' THEN json_extract(data, '$.resolvedAt') END
      FROM v1_records;
    INSERT INTO mutation_log SELECT * FROM v1_mutation_log;
    INSERT INTO conflicts (id, town_id, kind, record_id, field, overwritten, value, user_id,
      overwritten_client_id, at, grid_id)
      SELECT id, 'default', kind, record_id, field, overwritten, value, user_id, overwritten_client_id, at,
      grid_id FROM v1_conflicts;
    INSERT INTO audit (id, town_id, at, user_id, action, detail)
      SELECT id, 'default', at, user_id, action, detail FROM v1_audit;
    INSERT INTO blobs SELECT * FROM v1_blobs;
    INSERT INTO blob_uploads SELECT sha256, user_id, 'default', grid_id, at FROM v1_blob_uploads;
    INSERT INTO blob_refs SELECT 'default', sha256, kind, record_id FROM v1_blob_refs;
    ${V1_TABLES.map((t) => `DROP TABLE v1_${t};`).join('\n')}
  `,
};

/**
 * Every record written again as it is, in pages: Records.put fills the typed columns and each
 * household's last visit (record-columns.ts) exactly as a new write would.
 */
async function rewriteRecords(tx: SqlExecutor): Promise<void> {
  const records = new Records(tx);
  let after = { town: '', kind: '', id: '' };
  for (;;) {
    const page = await tx.all<{
      town_id: string;
      kind: RecordKind;
      id: string;
      prev_assignee_id: string | null;
      data: string;
      version: number;
      written_by: string | null;
      written_at: number;
    }>(
      `SELECT town_id, kind, id, prev_assignee_id, data, version, written_by, written_at FROM records
       WHERE (town_id, kind, id) > (?, ?, ?) ORDER BY town_id, kind, id LIMIT 2000`,
      [after.town, after.kind, after.id],
    );
    if (page.length === 0) break;
    const byTown = new Map<string, typeof page>();
    for (const row of page) byTown.set(row.town_id, [...(byTown.get(row.town_id) ?? []), row]);
    for (const [townId, rows] of byTown)
      await records.put(
        townId,
        rows.map((row) => ({
          kind: row.kind,
          record: JSON.parse(row.data) as RecordOf<RecordKind>,
          version: Number(row.version),
          writtenBy: row.written_by,
          writtenAt: Number(row.written_at),
          prevAssigneeKey: row.prev_assignee_id,
        })),
        { refreshVisitSummaries: false },
      );
    const last = page.at(-1)!;
    after = { town: last.town_id, kind: last.kind, id: last.id };
  }
  // Once at the end, not once per page a household or a day has visits on.
  await rebuildVisitSummaries(tx);
}

/** The dashboard's typed columns (record-columns.ts): the same step on both engines. */
const V3_TYPED_COLUMNS: Migration = {
  version: 3,
  name: 'dashboard: typed columns of visits, people, needs, runs and problems; visit summaries',
  sql: TYPED_COLUMNS_STEP_SQL,
  backfill: rewriteRecords,
};

/** The resident's public page: card tokens and tracking codes, by hash (resident-store.ts). */
const V4_RESIDENT: Migration = {
  version: 4,
  name: 'resident page: card tokens and tracking codes',
  sql: RESIDENT_STEP_SQL,
  backfill: backfillResidentTokens,
};

/** The dashboard's register and problem reads from indexes alone (record-columns.ts). */
const V5_DASHBOARD_INDEXES: Migration = {
  version: 5,
  name: 'dashboard: covering indexes (problems, people, households), household_visits versions',
  sql: DASHBOARD_INDEXES_STEP_SQL,
};

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  SQLITE_V1,
  SQLITE_V2,
  V3_TYPED_COLUMNS,
  V4_RESIDENT,
  V5_DASHBOARD_INDEXES,
];

/** PostgreSQL started with towns: its first step is the schema SQLite reached at step 2. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { version: 2, name: SQLITE_V2.name, sql: townSchema('postgres') },
  V3_TYPED_COLUMNS,
  V4_RESIDENT,
  V5_DASHBOARD_INDEXES,
];

export function migrationsFor(db: Pick<SqlDatabase, 'dialect'>): readonly Migration[] {
  return db.dialect === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS;
}

/** Applies the steps the database has not had yet; the versions applied. */
export async function migrate(db: SqlDatabase, now = Date.now()): Promise<number[]> {
  // Under the same lock as the steps: two PostgreSQL sessions creating one table "if not exists"
  // at the same moment can still collide.
  await db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(5041210)');
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
  });
  // A rebuild renames tables that others reference: SQLite checks keys again only when it is over.
  if (db.dialect === 'sqlite') await db.exec('PRAGMA foreign_keys = OFF');
  const applied: number[] = [];
  try {
    for (const migration of migrationsFor(db)) {
      const done = await db.transaction(async (tx) => {
        // Several server processes may start together: one migrates, the others wait and skip.
        if (tx.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(5041210)');
        const row = await tx.get<{ version: number | null }>(
          'SELECT MAX(version) AS version FROM schema_migrations',
        );
        if ((row?.version ?? 0) >= migration.version) return false;
        await tx.exec(migration.sql);
        await migration.backfill?.(tx);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          now,
        ]);
        return true;
      });
      if (done) applied.push(migration.version);
    }
  } finally {
    if (db.dialect === 'sqlite') await db.exec('PRAGMA foreign_keys = ON');
  }
  return applied;
}
