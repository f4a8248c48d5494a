import type { AppDB } from '../db/app-db.ts';
import { META_KEYS, readMeta } from '../db/meta.ts';
import { settings } from './settings.svelte.ts';

export interface StorageStatus {
  usage: number | undefined;
  quota: number | undefined;
  isPersisted: boolean | undefined;
}

/** Warn when less than this share of the quota is left: photos later fill phones fast. */
export const LOW_STORAGE_SHARE = 0.1;

export async function readStorageStatus(): Promise<StorageStatus> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage) return { usage: undefined, quota: undefined, isPersisted: undefined };
  const [estimate, isPersisted] = await Promise.all([
    storage.estimate?.() ?? Promise.resolve<StorageEstimate>({}),
    storage.persisted?.() ?? Promise.resolve(undefined),
  ]);
  return { usage: estimate.usage, quota: estimate.quota, isPersisted };
}

/**
 * Asks the browser not to evict our data under storage pressure. Asked once, on the first real use
 * (a register loaded), because Chromium grants it more readily to an engaged, installed app.
 */
export async function requestPersistenceOnce(): Promise<boolean | undefined> {
  if (settings.hasAskedPersist || typeof navigator === 'undefined' || !navigator.storage?.persist) {
    return undefined;
  }
  await settings.markPersistAsked();
  return navigator.storage.persist();
}

/** True when this device had a register before but the database is now empty: it was wiped. */
export async function wasDatabaseWiped(db: AppDB): Promise<boolean> {
  if (!settings.hadData) return false;
  return (await readMeta(db, META_KEYS.sentinel)) === undefined;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
