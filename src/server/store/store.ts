import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { User } from '../../shared/protocol.ts';
import { gridIdOf, type RecordKind, type RecordOf } from '../../shared/records.ts';
import { migrate } from './migrations.ts';

export type UserRole = User['role'];

export interface StoredUser extends User {
  passwordHash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface StoredRecord<K extends RecordKind = RecordKind> {
  kind: K;
  id: string;
  gridId: string | null;
  assigneeKey: string | null;
  prevAssigneeKey: string | null;
  data: RecordOf<K>;
  version: number;
  isDeleted: boolean;
  writtenBy: string | null;
  writtenAt: number;
}

export interface ChangeRow {
  kind: RecordKind;
  id: string;
  version: number;
  isDeleted: boolean;
  data: string;
}

/** A SQL condition on the records table with its parameters (built by scope.ts). */
export interface SqlFilter {
  sql: string;
  params: unknown[];
}

export interface ConflictRow {
  id: number;
  kind: RecordKind;
  recordId: string;
  field: string;
  overwritten: unknown;
  value: unknown;
  userId: string;
  overwrittenClientId: string | null;
  at: number;
  gridId: string | null;
}

export interface BlobMeta {
  sha256: string;
  size: number;
  type: string;
  uploadedBy: string;
  gridId: string | null;
  at: number;
}

export interface StoreOptions {
  /** A database file, or ':memory:' for tests (photos are then kept in memory too). */
  file: string;
  /** Where photo bytes live; defaults to `blobs/` beside the database file. */
  blobDir?: string;
}

/** Problems only: who holds it now, as one comparable key. */
export function assigneeKeyOf(kind: RecordKind, record: unknown): string | null {
  if (kind !== 'problems') return null;
  const assignee = (record as RecordOf<'problems'>).assignee;
  return assignee ? `${assignee.kind}:${assignee.id}` : null;
}

const PHOTO_ID = /^[0-9a-f]{64}$/;

/** Every photo a record names: its own, its checklist results', and those on its problem events. */
export function photoIdsOf(record: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (depth > 4 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'photoIds' && Array.isArray(inner)) {
        for (const id of inner) if (typeof id === 'string' && PHOTO_ID.test(id)) found.add(id);
      } else walk(inner, depth + 1);
    }
  };
  walk(record, 0);
  return [...found];
}

interface UserRow {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  grid_ids: string;
  department_id: string | null;
  password_hash: string;
  created_at: number;
  revoked_at: number | null;
}

function toUser(row: UserRow): StoredUser {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    role: row.role,
    gridIds: JSON.parse(row.grid_ids) as string[],
    ...(row.department_id ? { departmentId: row.department_id } : {}),
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

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

/**
 * The server's embedded database (better-sqlite3: synchronous, so a push request's transaction is
 * one plain function call and nothing interleaves inside it; a nested transaction() is a savepoint).
 * WAL lets pulls read while a push writes.
 */
export class Store {
  readonly db: Database.Database;
  readonly #blobDir: string | null;
  readonly #memoryBlobs = new Map<string, Buffer>();
  readonly #statements = new Map<string, Database.Statement>();

  constructor(options: StoreOptions) {
    const isMemory = options.file === ':memory:';
    if (!isMemory) mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a power cut may lose the last commits but never corrupts the file.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.#blobDir = isMemory ? null : (options.blobDir ?? join(dirname(options.file), 'blobs'));
    if (this.#blobDir) mkdirSync(this.#blobDir, { recursive: true });
  }

  close() {
    this.db.close();
  }

  /** Prepared once per SQL text: better-sqlite3 statements are reusable and much faster than re-parsing. */
  #sql(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // Users and sessions

  createUser(user: Omit<StoredUser, 'revokedAt'>): StoredUser {
    this.#sql(
      `INSERT INTO users (id, username, name, role, grid_ids, department_id, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      user.id,
      user.username,
      user.name,
      user.role,
      JSON.stringify(user.gridIds),
      user.departmentId ?? null,
      user.passwordHash,
      user.createdAt,
    );
    return { ...user, revokedAt: null };
  }

  getUser(id: string): StoredUser | undefined {
    const row = this.#sql('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toUser(row) : undefined;
  }

  getUserByUsername(username: string): StoredUser | undefined {
    const row = this.#sql('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? toUser(row) : undefined;
  }

  listUsers(): StoredUser[] {
    return (this.#sql('SELECT * FROM users ORDER BY created_at, username').all() as UserRow[]).map(toUser);
  }

  countUsers(): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  /**
   * The grids the account covers from now on; the account as it is afterwards (undefined if there is
   * no such account). Sessions stay: scope is worked out from this row on every request, so the next
   * request already sees the new grids. Checking the grids is the caller's (admin-routes).
   */
  setUserGrids(id: string, gridIds: readonly string[]): StoredUser | undefined {
    const changed = this.#sql('UPDATE users SET grid_ids = ? WHERE id = ?').run(JSON.stringify(gridIds), id);
    return changed.changes > 0 ? this.getUser(id) : undefined;
  }

  /** The account is refused from now on, and every session it holds with it. */
  revokeUser(id: string, at: number): boolean {
    return this.transaction(() => {
      const changed = this.#sql('UPDATE users SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(
        at,
        id,
      );
      this.#sql('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(at, id);
      return changed.changes > 0;
    });
  }

  /**
   * A new password; every session of the account ends (but `keepTokenHash`, the one changing it), so
   * whoever knew the old one is signed out.
   */
  setPassword(id: string, passwordHash: string, at: number, keepTokenHash = ''): boolean {
    return this.transaction(() => {
      const changed = this.#sql('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
      this.#sql(
        'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND token_hash != ?',
      ).run(at, id, keepTokenHash);
      return changed.changes > 0;
    });
  }

  insertSession(tokenHash: string, userId: string, createdAt: number, expiresAt: number) {
    this.#sql('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
      tokenHash,
      userId,
      createdAt,
      expiresAt,
    );
  }

  getSession(tokenHash: string):
    | {
        userId: string;
        createdAt: number;
        expiresAt: number;
        revokedAt: number | null;
      }
    | undefined {
    const row = this.#sql('SELECT * FROM sessions WHERE token_hash = ?').get(tokenHash) as
      | {
          user_id: string;
          created_at: number;
          expires_at: number;
          revoked_at: number | null;
        }
      | undefined;
    return row
      ? {
          userId: row.user_id,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
        }
      : undefined;
  }

  revokeSession(tokenHash: string, at: number) {
    this.#sql('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL').run(
      at,
      tokenHash,
    );
  }

  // Clients (devices)

  getClient(clientId: string): { userId: string; lastMutationId: number; pulledVersion: number } | undefined {
    const row = this.#sql(
      'SELECT user_id, last_mutation_id, pulled_version FROM clients WHERE client_id = ?',
    ).get(clientId) as { user_id: string; last_mutation_id: number; pulled_version: number } | undefined;
    return row
      ? {
          userId: row.user_id,
          lastMutationId: row.last_mutation_id,
          pulledVersion: row.pulled_version,
        }
      : undefined;
  }

  bindClient(clientId: string, userId: string, at: number) {
    this.#sql('INSERT OR IGNORE INTO clients (client_id, user_id, created_at) VALUES (?, ?, ?)').run(
      clientId,
      userId,
      at,
    );
  }

  /**
   * What the server has received from one device: its last mutation id and when that one arrived
   * (null when it never sent any). A wiped phone compares it with what it remembers having written.
   */
  getClientActivity(
    clientId: string,
  ):
    | { userId: string; lastMutationId: number; lastMutationAt: number | null; firstSeenAt: number }
    | undefined {
    const row = this.#sql(
      `SELECT c.user_id, c.last_mutation_id, c.created_at, m.at AS last_at FROM clients c
       LEFT JOIN mutation_log m ON m.client_id = c.client_id AND m.mutation_id = c.last_mutation_id
       WHERE c.client_id = ?`,
    ).get(clientId) as
      { user_id: string; last_mutation_id: number; created_at: number; last_at: number | null } | undefined;
    return row
      ? {
          userId: row.user_id,
          lastMutationId: row.last_mutation_id,
          lastMutationAt: row.last_at,
          firstSeenAt: row.created_at,
        }
      : undefined;
  }

  setLastMutationId(clientId: string, mutationId: number) {
    this.#sql('UPDATE clients SET last_mutation_id = ? WHERE client_id = ?').run(mutationId, clientId);
  }

  /** Only forward: a client may re-pull from an older cursor without "forgetting" what it has. */
  setPulledVersion(clientId: string, version: number) {
    this.#sql('UPDATE clients SET pulled_version = MAX(pulled_version, ?) WHERE client_id = ?').run(
      version,
      clientId,
    );
  }

  logMutation(entry: {
    clientId: string;
    mutationId: number;
    userId: string;
    name: string;
    status: 'applied' | 'rejected';
    reason?: string | undefined;
    message?: string | undefined;
    at: number;
  }) {
    this.#sql(
      `INSERT INTO mutation_log (client_id, mutation_id, user_id, name, status, reason, message, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      entry.clientId,
      entry.mutationId,
      entry.userId,
      entry.name,
      entry.status,
      entry.reason ?? null,
      entry.message ?? null,
      entry.at,
    );
  }

  /** How one mutation of a client ended (a retry asks: the device may not have heard the first answer). */
  mutationOutcome(
    clientId: string,
    mutationId: number,
  ): { status: 'applied' | 'rejected'; reason: string | null; message: string | null } | undefined {
    return this.#sql(
      'SELECT status, reason, message FROM mutation_log WHERE client_id = ? AND mutation_id = ?',
    ).get(clientId, mutationId) as
      { status: 'applied' | 'rejected'; reason: string | null; message: string | null } | undefined;
  }

  getMutationLog(clientId: string): {
    mutationId: number;
    name: string;
    status: string;
    reason: string | null;
  }[] {
    return (
      this.#sql(
        'SELECT mutation_id, name, status, reason FROM mutation_log WHERE client_id = ? ORDER BY mutation_id',
      ).all(clientId) as {
        mutation_id: number;
        name: string;
        status: string;
        reason: string | null;
      }[]
    ).map((r) => ({
      mutationId: r.mutation_id,
      name: r.name,
      status: r.status,
      reason: r.reason,
    }));
  }

  // Records

  getRecord<K extends RecordKind>(kind: K, id: string): StoredRecord<K> | undefined {
    const row = this.#sql('SELECT * FROM records WHERE kind = ? AND id = ?').get(kind, id) as
      RecordRow | undefined;
    if (!row) return undefined;
    return {
      kind,
      id: row.id,
      gridId: row.grid_id,
      assigneeKey: row.assignee_id,
      prevAssigneeKey: row.prev_assignee_id,
      data: JSON.parse(row.data) as RecordOf<K>,
      version: row.version,
      isDeleted: row.is_deleted === 1,
      writtenBy: row.written_by,
      writtenAt: row.written_at,
    };
  }

  currentVersion(): number {
    return (
      this.#sql('SELECT value FROM change_counter WHERE id = 1').get() as {
        value: number;
      }
    ).value;
  }

  countRecords(): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
  }

  /** Reserves `count` versions and returns the first; call inside the transaction that uses them. */
  #takeVersions(count: number): number {
    const row = this.#sql('UPDATE change_counter SET value = value + ? WHERE id = 1 RETURNING value').get(
      count,
    ) as {
      value: number;
    };
    return row.value - count + 1;
  }

  /**
   * Writes one record at the next version. Must run inside a transaction (the caller's), so the
   * version, the record and whatever else the mutation writes commit together.
   */
  writeRecord<K extends RecordKind>(
    kind: K,
    record: RecordOf<K>,
    writtenBy: string | null,
    at: number,
  ): number {
    const version = this.#takeVersions(1);
    const assigneeKey = assigneeKeyOf(kind, record);
    // Only problems have an assignee; other kinds skip the lookup (it is a fifth of a push's cost).
    const previous =
      kind === 'problems'
        ? (this.#sql('SELECT assignee_id, prev_assignee_id FROM records WHERE kind = ? AND id = ?').get(
            kind,
            record.id,
          ) as { assignee_id: string | null; prev_assignee_id: string | null } | undefined)
        : undefined;
    const prevAssigneeKey =
      previous && previous.assignee_id !== assigneeKey && previous.assignee_id !== null
        ? previous.assignee_id
        : (previous?.prev_assignee_id ?? null);
    this.#sql(
      `INSERT INTO records (kind, id, grid_id, assignee_id, prev_assignee_id, data, version, is_deleted, written_by, written_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET grid_id = excluded.grid_id, assignee_id = excluded.assignee_id,
         prev_assignee_id = excluded.prev_assignee_id, data = excluded.data, version = excluded.version,
         is_deleted = excluded.is_deleted, written_by = excluded.written_by, written_at = excluded.written_at`,
    ).run(
      kind,
      record.id,
      gridIdOf(kind, record),
      assigneeKey,
      prevAssigneeKey,
      JSON.stringify(record),
      version,
      record.isDeleted ? 1 : 0,
      writtenBy,
      at,
    );
    const addRef = this.#sql('INSERT OR IGNORE INTO blob_refs (sha256, kind, record_id) VALUES (?, ?, ?)');
    for (const sha256 of photoIdsOf(record)) addRef.run(sha256, kind, record.id);
    return version;
  }

  /** The demo seed: many records in one transaction, versions in the order given. */
  bulkInsert(items: Iterable<{ kind: RecordKind; record: RecordOf<RecordKind> }>, count: number, at: number) {
    this.transaction(() => {
      let version = this.#takeVersions(count);
      const insert = this.#sql(
        `INSERT INTO records (kind, id, grid_id, assignee_id, data, version, is_deleted, written_by, written_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
      );
      for (const { kind, record } of items) {
        insert.run(
          kind,
          record.id,
          gridIdOf(kind, record),
          assigneeKeyOf(kind, record),
          JSON.stringify(record),
          version++,
          record.isDeleted ? 1 : 0,
          at,
        );
      }
    });
  }

  /** Every live record of a kind (small kinds only: the grid tree, buildings for the town loader). */
  liveRecords<K extends RecordKind>(kind: K): RecordOf<K>[] {
    return (
      this.#sql('SELECT data FROM records WHERE kind = ? AND is_deleted = 0').all(kind) as { data: string }[]
    ).map((row) => JSON.parse(row.data) as RecordOf<K>);
  }

  /** Grid records' tree (for scope: a user covering a community covers its grids). */
  gridTree(): { id: string; parentId: string | null }[] {
    return this.#sql(
      "SELECT id, json_extract(data, '$.parentId') AS parentId FROM records WHERE kind = 'grids' AND is_deleted = 0",
    ).all() as { id: string; parentId: string | null }[];
  }

  /** One page of changes after `cursor` that pass `filter`, oldest first, plus how many remain after it. */
  changesSince(cursor: number, limit: number, filter: SqlFilter): { rows: ChangeRow[]; remaining: number } {
    const rows = this.#sql(
      `SELECT kind, id, version, is_deleted, data FROM records
       WHERE version > ? AND (${filter.sql}) ORDER BY version LIMIT ?`,
    ).all(cursor, ...filter.params, limit + 1) as {
      kind: RecordKind;
      id: string;
      version: number;
      is_deleted: number;
      data: string;
    }[];
    const page = rows.slice(0, limit);
    const last = page.at(-1)?.version ?? cursor;
    const remaining =
      rows.length > limit
        ? (
            this.#sql(`SELECT COUNT(*) AS n FROM records WHERE version > ? AND (${filter.sql})`).get(
              last,
              ...filter.params,
            ) as { n: number }
          ).n
        : 0;
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

  // Conflicts and audit

  insertConflict(conflict: Omit<ConflictRow, 'id'>) {
    this.#sql(
      `INSERT INTO conflicts (kind, record_id, field, overwritten, value, user_id, overwritten_client_id, at, grid_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      conflict.kind,
      conflict.recordId,
      conflict.field,
      JSON.stringify(conflict.overwritten ?? null),
      JSON.stringify(conflict.value ?? null),
      conflict.userId,
      conflict.overwrittenClientId,
      conflict.at,
      conflict.gridId,
    );
  }

  /** Newest first; `filter` is a condition on conflicts.grid_id (see scope.ts). */
  listConflicts(filter: SqlFilter, limit: number, beforeId?: number): ConflictRow[] {
    const rows = this.#sql(
      `SELECT * FROM conflicts WHERE (${filter.sql}) AND id < ? ORDER BY id DESC LIMIT ?`,
    ).all(...filter.params, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as {
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
    }[];
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

  audit(at: number, userId: string | null, action: string, detail: Record<string, unknown> = {}) {
    this.#sql('INSERT INTO audit (at, user_id, action, detail) VALUES (?, ?, ?, ?)').run(
      at,
      userId,
      action,
      JSON.stringify(detail),
    );
  }

  listAudit(
    limit: number,
    action?: string,
  ): {
    id: number;
    at: number;
    userId: string | null;
    action: string;
    detail: unknown;
  }[] {
    const rows = (
      action === undefined
        ? this.#sql('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
        : this.#sql('SELECT * FROM audit WHERE action = ? ORDER BY id DESC LIMIT ?').all(action, limit)
    ) as {
      id: number;
      at: number;
      user_id: string | null;
      action: string;
      detail: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      userId: r.user_id,
      action: r.action,
      detail: JSON.parse(r.detail) as unknown,
    }));
  }

  // Photos

  getBlob(sha256: string): BlobMeta | undefined {
    const row = this.#sql('SELECT * FROM blobs WHERE sha256 = ?').get(sha256) as
      | {
          sha256: string;
          size: number;
          type: string;
          uploaded_by: string;
          grid_id: string | null;
          at: number;
        }
      | undefined;
    return row
      ? {
          sha256: row.sha256,
          size: row.size,
          type: row.type,
          uploadedBy: row.uploaded_by,
          gridId: row.grid_id,
          at: row.at,
        }
      : undefined;
  }

  /** Stores the bytes (once) and notes the uploader; true when the bytes are new. */
  putBlob(meta: BlobMeta, bytes: Uint8Array): boolean {
    const isNew = this.getBlob(meta.sha256) === undefined;
    if (isNew) {
      // Bytes first, then the row: a crash between leaves an orphan file, never a row without bytes.
      if (this.#blobDir) {
        const path = join(this.#blobDir, meta.sha256);
        if (!existsSync(path)) {
          const temp = `${path}.${process.pid}.tmp`;
          writeFileSync(temp, bytes);
          renameSync(temp, path);
        }
      } else this.#memoryBlobs.set(meta.sha256, Buffer.from(bytes));
    }
    this.transaction(() => {
      this.#sql(
        'INSERT OR IGNORE INTO blobs (sha256, size, type, uploaded_by, grid_id, at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(meta.sha256, meta.size, meta.type, meta.uploadedBy, meta.gridId, meta.at);
      this.#sql('INSERT OR IGNORE INTO blob_uploads (sha256, user_id, grid_id, at) VALUES (?, ?, ?, ?)').run(
        meta.sha256,
        meta.uploadedBy,
        meta.gridId,
        meta.at,
      );
    });
    return isNew;
  }

  readBlob(sha256: string): Buffer | undefined {
    if (!this.#blobDir) return this.#memoryBlobs.get(sha256);
    const path = join(this.#blobDir, sha256);
    return existsSync(path) ? readFileSync(path) : undefined;
  }

  /**
   * Whether a user may fetch a photo: they uploaded it, it was uploaded for a grid they cover, or a
   * record they may read names it. `recordFilter` is the user's scope on the records table (alias r).
   */
  mayReadBlob(sha256: string, userId: string, gridFilter: SqlFilter, recordFilter: SqlFilter): boolean {
    const uploaded = this.#sql(
      `SELECT 1 FROM blob_uploads WHERE sha256 = ? AND (user_id = ? OR (grid_id IS NOT NULL AND (${gridFilter.sql})))`,
    ).get(sha256, userId, ...gridFilter.params);
    if (uploaded) return true;
    const referenced = this.#sql(
      `SELECT 1 FROM blob_refs b JOIN records r ON r.kind = b.kind AND r.id = b.record_id
       WHERE b.sha256 = ? AND r.is_deleted = 0 AND (${recordFilter.sql}) LIMIT 1`,
    ).get(sha256, ...recordFilter.params);
    return referenced !== undefined;
  }
}

export function openStore(options: StoreOptions): Store {
  return new Store(options);
}
