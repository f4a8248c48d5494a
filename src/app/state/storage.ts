import { settings } from './settings.svelte.ts';

export interface StorageStatus {
  usage: number | undefined;
  quota: number | undefined;
  isPersisted: boolean | undefined;
}

/**
 * Warn when more than this share of the quota is used: a day's photos fill the rest fast, and a write
 * that no longer fits is refused whole (ARCHITECTURE.md, storage safety: warn before storage fills).
 */
export const NEARLY_FULL_SHARE = 0.8;

/** The share of the quota in use, or undefined where the browser does not say. */
export function usedShare(status: StorageStatus): number | undefined {
  if (status.usage === undefined || !status.quota) return undefined;
  return status.usage / status.quota;
}

export function isNearlyFull(status: StorageStatus): boolean {
  return (usedShare(status) ?? 0) > NEARLY_FULL_SHARE;
}

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

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
