import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlExecutor } from './sql.ts';
import type { BlobMeta, SqlFilter } from './types.ts';

/** Where photo bytes live: files beside an SQLite database, or the database (PostgreSQL, shared). */
export interface BlobBytes {
  write(sha256: string, bytes: Uint8Array): Promise<void>;
  read(sha256: string): Promise<Buffer | undefined>;
}

export class FileBlobBytes implements BlobBytes {
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }
  write(sha256: string, bytes: Uint8Array): Promise<void> {
    const path = join(this.#dir, sha256);
    if (!existsSync(path)) {
      // Written aside and renamed: a reader never sees half a photo.
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, bytes);
      renameSync(temp, path);
    }
    return Promise.resolve();
  }
  read(sha256: string): Promise<Buffer | undefined> {
    const path = join(this.#dir, sha256);
    return Promise.resolve(existsSync(path) ? readFileSync(path) : undefined);
  }
}

export class MemoryBlobBytes implements BlobBytes {
  readonly #bytes = new Map<string, Buffer>();
  write(sha256: string, bytes: Uint8Array): Promise<void> {
    this.#bytes.set(sha256, Buffer.from(bytes));
    return Promise.resolve();
  }
  read(sha256: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.#bytes.get(sha256));
  }
}

/** The bytes in the database's blob_bytes table: every server process over it sees every photo. */
export class DatabaseBlobBytes implements BlobBytes {
  readonly #sql: SqlExecutor;
  constructor(sql: SqlExecutor) {
    this.#sql = sql;
  }
  async write(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.#sql.run('INSERT INTO blob_bytes (sha256, bytes) VALUES (?, ?) ON CONFLICT DO NOTHING', [
      sha256,
      Buffer.from(bytes),
    ]);
  }
  async read(sha256: string): Promise<Buffer | undefined> {
    return (await this.#sql.get<{ bytes: Buffer }>('SELECT bytes FROM blob_bytes WHERE sha256 = ?', [sha256]))
      ?.bytes;
  }
}

interface BlobRow {
  sha256: string;
  size: number;
  type: string;
  uploaded_by: string;
  grid_id: string | null;
  at: number;
}

/** Photos: what is known of each (content-addressed), who uploaded it, and who may fetch it. */
export class Blobs {
  readonly #sql: SqlExecutor;
  readonly #bytes: BlobBytes;
  constructor(sql: SqlExecutor, bytes: BlobBytes) {
    this.#sql = sql;
    this.#bytes = bytes;
  }

  async get(sha256: string): Promise<BlobMeta | undefined> {
    const row = await this.#sql.get<BlobRow>('SELECT * FROM blobs WHERE sha256 = ?', [sha256]);
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

  /** Stores the bytes (once) and notes the uploader in their town; true when the bytes are new. */
  async put(townId: string, meta: BlobMeta, bytes: Uint8Array): Promise<boolean> {
    const isNew = (await this.get(meta.sha256)) === undefined;
    // Bytes first, then the row: a crash between leaves orphan bytes, never a row without bytes.
    if (isNew) await this.#bytes.write(meta.sha256, bytes);
    await this.#sql.run(
      'INSERT INTO blobs (sha256, size, type, uploaded_by, grid_id, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [meta.sha256, meta.size, meta.type, meta.uploadedBy, meta.gridId, meta.at],
    );
    await this.#sql.run(
      `INSERT INTO blob_uploads (sha256, user_id, town_id, grid_id, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [meta.sha256, meta.uploadedBy, townId, meta.gridId, meta.at],
    );
    return isNew;
  }

  read(sha256: string): Promise<Buffer | undefined> {
    return this.#bytes.read(sha256);
  }

  /**
   * Whether a user may fetch a photo: they uploaded it, it was uploaded for a grid of their town they
   * cover, or a record of their town they may read names it. `recordFilter` is the user's scope on
   * the records table (alias r).
   */
  async mayRead(
    townId: string,
    sha256: string,
    userId: string,
    gridFilter: SqlFilter,
    recordFilter: SqlFilter,
  ): Promise<boolean> {
    const uploaded = await this.#sql.get(
      `SELECT 1 AS yes FROM blob_uploads WHERE sha256 = ? AND (user_id = ?
         OR (town_id = ? AND grid_id IS NOT NULL AND (${gridFilter.sql})))`,
      [sha256, userId, townId, ...gridFilter.params],
    );
    if (uploaded) return true;
    const referenced = await this.#sql.get(
      `SELECT 1 AS yes FROM blob_refs b JOIN records r ON r.town_id = b.town_id AND r.kind = b.kind AND r.id = b.record_id
       WHERE b.town_id = ? AND b.sha256 = ? AND r.is_deleted = 0 AND (${recordFilter.sql}) LIMIT 1`,
      [townId, sha256, ...recordFilter.params],
    );
    return referenced !== undefined;
  }
}
