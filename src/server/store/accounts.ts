import type { SqlExecutor } from './sql.ts';
import type { StoredUser } from './types.ts';

interface UserRow {
  id: string;
  town_id: string;
  username: string;
  name: string;
  role: StoredUser['role'];
  grid_ids: string;
  department_id: string | null;
  password_hash: string;
  created_at: number;
  revoked_at: number | null;
}

function toUser(row: UserRow): StoredUser {
  return {
    id: row.id,
    townId: row.town_id,
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

export interface SessionRow {
  userId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** Accounts, their sessions, and failed sign-ins: all in the database, so every process agrees. */
export class Accounts {
  readonly #sql: SqlExecutor;
  constructor(sql: SqlExecutor) {
    this.#sql = sql;
  }

  async create(user: Omit<StoredUser, 'revokedAt'>): Promise<StoredUser> {
    await this.#sql.run(
      `INSERT INTO users (id, town_id, username, name, role, grid_ids, department_id, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        user.id,
        user.townId,
        user.username,
        user.name,
        user.role,
        JSON.stringify(user.gridIds),
        user.departmentId ?? null,
        user.passwordHash,
        user.createdAt,
      ],
    );
    return { ...user, revokedAt: null };
  }

  async get(id: string): Promise<StoredUser | undefined> {
    const row = await this.#sql.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return row ? toUser(row) : undefined;
  }

  async byUsername(username: string): Promise<StoredUser | undefined> {
    const row = await this.#sql.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
    return row ? toUser(row) : undefined;
  }

  async list(townId: string): Promise<StoredUser[]> {
    const rows = await this.#sql.all<UserRow>(
      'SELECT * FROM users WHERE town_id = ? ORDER BY created_at, username',
      [townId],
    );
    return rows.map(toUser);
  }

  /** Accounts of one town, or of the whole deployment. */
  async count(townId?: string): Promise<number> {
    const row =
      townId === undefined
        ? await this.#sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM users')
        : await this.#sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE town_id = ?', [townId]);
    return row?.n ?? 0;
  }

  /**
   * The grids the account covers from now on; the account as it is afterwards (undefined if there is
   * no such account). Sessions stay: scope is worked out from this row on every request, so the next
   * request already sees the new grids. Checking the grids is the caller's (admin-routes).
   */
  async setGrids(id: string, gridIds: readonly string[]): Promise<StoredUser | undefined> {
    const changed = await this.#sql.run('UPDATE users SET grid_ids = ? WHERE id = ?', [
      JSON.stringify(gridIds),
      id,
    ]);
    return changed > 0 ? this.get(id) : undefined;
  }

  /** The account is refused from now on, and every session it holds with it (call in a transaction). */
  async revoke(id: string, at: number): Promise<boolean> {
    const changed = await this.#sql.run(
      'UPDATE users SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      [at, id],
    );
    await this.#sql.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
      at,
      id,
    ]);
    return changed > 0;
  }

  /**
   * A new password; every session of the account ends (but `keepTokenHash`, the one changing it), so
   * whoever knew the old one is signed out. Call in a transaction.
   */
  async setPassword(id: string, passwordHash: string, at: number, keepTokenHash = ''): Promise<boolean> {
    const changed = await this.#sql.run('UPDATE users SET password_hash = ? WHERE id = ?', [
      passwordHash,
      id,
    ]);
    await this.#sql.run(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND token_hash != ?',
      [at, id, keepTokenHash],
    );
    return changed > 0;
  }

  async insertSession(tokenHash: string, userId: string, createdAt: number, expiresAt: number) {
    await this.#sql.run(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      [tokenHash, userId, createdAt, expiresAt],
    );
  }

  async session(tokenHash: string): Promise<SessionRow | undefined> {
    const row = await this.#sql.get<{
      user_id: string;
      created_at: number;
      expires_at: number;
      revoked_at: number | null;
    }>('SELECT * FROM sessions WHERE token_hash = ?', [tokenHash]);
    return row
      ? {
          userId: row.user_id,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
        }
      : undefined;
  }

  /** A session and its account in one round trip (every authenticated request asks). */
  async sessionWithUser(tokenHash: string): Promise<{ session: SessionRow; user: StoredUser } | undefined> {
    const row = await this.#sql.get<
      UserRow & { s_user_id: string; s_created_at: number; s_expires_at: number; s_revoked_at: number | null }
    >(
      `SELECT u.*, s.user_id AS s_user_id, s.created_at AS s_created_at, s.expires_at AS s_expires_at,
         s.revoked_at AS s_revoked_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
      [tokenHash],
    );
    if (!row) return undefined;
    return {
      session: {
        userId: row.s_user_id,
        createdAt: row.s_created_at,
        expiresAt: row.s_expires_at,
        revokedAt: row.s_revoked_at,
      },
      user: toUser(row),
    };
  }

  async revokeSession(tokenHash: string, at: number) {
    await this.#sql.run('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL', [
      at,
      tokenHash,
    ]);
  }

  // Failed sign-ins (a fixed window per key)

  async failures(key: string): Promise<{ count: number; resetAt: number } | undefined> {
    const row = await this.#sql.get<{ count: number; reset_at: number }>(
      'SELECT count, reset_at FROM login_failures WHERE key = ?',
      [key],
    );
    return row ? { count: row.count, resetAt: row.reset_at } : undefined;
  }

  /** One more failure; a window that has ended starts again at one. */
  async addFailure(key: string, now: number, windowMs: number) {
    await this.#sql.run(
      `INSERT INTO login_failures (key, count, reset_at) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN login_failures.reset_at <= ? THEN 1 ELSE login_failures.count + 1 END,
         reset_at = CASE WHEN login_failures.reset_at <= ? THEN excluded.reset_at ELSE login_failures.reset_at END`,
      [key, now + windowMs, now, now],
    );
  }

  async clearFailures(key: string) {
    await this.#sql.run('DELETE FROM login_failures WHERE key = ?', [key]);
  }

  /** Forgets the failures of every key that starts with `prefix` (an account's, from any address). */
  async clearFailuresWithPrefix(prefix: string) {
    await this.#sql.run('DELETE FROM login_failures WHERE substr(key, 1, ?) = ?', [prefix.length, prefix]);
  }

  async pruneFailures(now: number) {
    await this.#sql.run('DELETE FROM login_failures WHERE reset_at <= ?', [now]);
  }
}
