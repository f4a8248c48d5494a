import type { Dialect } from './sql.ts';

/**
 * The schema of many towns on one deployment, written once for both engines: only the identity
 * column and the bytes type differ. Every table a town owns carries town_id, and every query names
 * it, so no read can cross towns.
 */
export function townSchema(dialect: Dialect): string {
  const identity =
    dialect === 'sqlite'
      ? 'INTEGER PRIMARY KEY AUTOINCREMENT'
      : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  const bytes = dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
  return `
    CREATE TABLE towns (
      id TEXT PRIMARY KEY,
      code TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      -- The town's change counter. A push locks this row first and bumps it last, so within a town
      -- versions are handed out in commit order and a pull never passes a change still uncommitted.
      version BIGINT NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL
    );

    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      town_id TEXT NOT NULL REFERENCES towns(id),
      -- Unique across the deployment: one sign-in page serves every town.
      username TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      grid_ids TEXT NOT NULL DEFAULT '[]',
      department_id TEXT,
      password_hash TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      revoked_at BIGINT
    );
    CREATE INDEX users_by_town ON users (town_id, created_at);

    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      revoked_at BIGINT
    );
    CREATE INDEX sessions_by_user ON sessions (user_id);

    -- Failed sign-ins per key (account + address, address alone), shared by every server process.
    CREATE TABLE login_failures (
      key TEXT PRIMARY KEY,
      count INTEGER NOT NULL,
      reset_at BIGINT NOT NULL
    );

    -- A device's sync identity, bound to the user who first used it.
    CREATE TABLE clients (
      client_id TEXT PRIMARY KEY,
      town_id TEXT NOT NULL REFERENCES towns(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      last_mutation_id BIGINT NOT NULL DEFAULT 0,
      -- The cursor the client last pulled from: versions up to it are on the device.
      pulled_version BIGINT NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL
    );

    CREATE TABLE records (
      town_id TEXT NOT NULL REFERENCES towns(id),
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      grid_id TEXT,
      -- Problems only: "department:<id>" or "worker:<userId>", the current assignee.
      assignee_id TEXT,
      -- The assignee before the last change of assignee, so a department sees what it passed on.
      prev_assignee_id TEXT,
      data TEXT NOT NULL,
      version BIGINT NOT NULL,
      is_deleted INTEGER NOT NULL DEFAULT 0,
      -- The client id whose mutation wrote this version (NULL for the demo seed and imports).
      written_by TEXT,
      written_at BIGINT NOT NULL,
      -- Problems only, copied from data on every write so the dashboard counts without parsing JSON.
      status TEXT,
      severity TEXT,
      level INTEGER,
      category TEXT,
      source TEXT,
      reported_at BIGINT,
      due_at BIGINT,
      resolved_at BIGINT,
      PRIMARY KEY (town_id, kind, id)
    );
    CREATE UNIQUE INDEX records_by_version ON records (town_id, version);
    CREATE INDEX records_by_grid ON records (town_id, grid_id, version);
    CREATE INDEX records_by_assignee ON records (town_id, assignee_id, version);
    CREATE INDEX records_by_prev_assignee ON records (town_id, prev_assignee_id, version);
    CREATE INDEX problems_by_status ON records (town_id, kind, status, due_at);

    CREATE TABLE mutation_log (
      client_id TEXT NOT NULL,
      mutation_id BIGINT NOT NULL,
      user_id TEXT NOT NULL,
      name TEXT NOT NULL,
      status TEXT NOT NULL,
      reason TEXT,
      message TEXT,
      at BIGINT NOT NULL,
      PRIMARY KEY (client_id, mutation_id)
    );

    CREATE TABLE conflicts (
      id ${identity},
      town_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      record_id TEXT NOT NULL,
      field TEXT NOT NULL,
      overwritten TEXT NOT NULL,
      value TEXT NOT NULL,
      user_id TEXT NOT NULL,
      overwritten_client_id TEXT,
      at BIGINT NOT NULL,
      grid_id TEXT
    );
    CREATE INDEX conflicts_by_grid ON conflicts (town_id, grid_id, id);

    CREATE TABLE audit (
      id ${identity},
      -- NULL for what belongs to no town (a sign-in with an unknown name).
      town_id TEXT,
      at BIGINT NOT NULL,
      user_id TEXT,
      action TEXT NOT NULL,
      detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_by_town ON audit (town_id, id);
    CREATE INDEX audit_by_action ON audit (town_id, action, id);

    -- Photos are content-addressed, so the bytes are kept once however many towns send them; who
    -- may read them comes from the town-keyed uploads and references.
    CREATE TABLE blobs (
      sha256 TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      type TEXT NOT NULL,
      uploaded_by TEXT NOT NULL,
      grid_id TEXT,
      at BIGINT NOT NULL
    );
    -- The bytes themselves when the database keeps them (PostgreSQL: every process sees them).
    CREATE TABLE blob_bytes (
      sha256 TEXT PRIMARY KEY,
      bytes ${bytes} NOT NULL
    );
    -- Everyone who uploaded the same bytes (they hold them already, so they may fetch them).
    CREATE TABLE blob_uploads (
      sha256 TEXT NOT NULL,
      user_id TEXT NOT NULL,
      town_id TEXT NOT NULL,
      grid_id TEXT,
      at BIGINT NOT NULL,
      PRIMARY KEY (sha256, user_id)
    );
    -- Which records name a photo: whoever may read one of them may fetch it.
    CREATE TABLE blob_refs (
      town_id TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      kind TEXT NOT NULL,
      record_id TEXT NOT NULL,
      PRIMARY KEY (town_id, sha256, kind, record_id)
    );
  `;
}

/** The tables of the schema, parents first (the order a copy between databases writes them in). */
export const TABLES = [
  'towns',
  'users',
  'sessions',
  'login_failures',
  'clients',
  'records',
  'mutation_log',
  'conflicts',
  'audit',
  'blobs',
  'blob_bytes',
  'blob_uploads',
  'blob_refs',
] as const;
