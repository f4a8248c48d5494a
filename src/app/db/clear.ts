import type { AppDB } from './app-db.ts';

/**
 * Deletes the register and the outbox on this device. Callers must have shown the unsynced count
 * first (storage safety): this is the one way queued work can be lost, and only on purpose.
 */
export async function clearLocalData(db: AppDB): Promise<void> {
  await db.transaction('rw', db.tables, async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
  });
}
