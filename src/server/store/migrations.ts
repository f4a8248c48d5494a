import type Database from 'better-sqlite3';

/**
 * Numbered schema steps, applied in order, each in its own transaction, and recorded in
 * schema_migrations. Never edit a step that has shipped: add the next one.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
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
  },
];

export function migrate(db: Database.Database): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  const current = row.version ?? 0;
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    })();
    applied.push(migration.version);
  }
  return applied;
}
