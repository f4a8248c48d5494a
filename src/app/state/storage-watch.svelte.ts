import { isNearlyFull, readStorageStatus, usedShare, type StorageStatus } from './storage.ts';

export type StorageLevel = 'ok' | 'nearly-full' | 'full';

/**
 * How full the phone is, for the warning on Today. Two sources: the browser's estimate (over 80 % of
 * the quota: warn before anything fails) and the writes themselves (one refused for space: the phone
 * is full now, whatever the estimate said, until a later write fits again).
 */
class StorageWatch {
  #status = $state.raw<StorageStatus | undefined>();
  #wasWriteRefused = $state(false);

  get level(): StorageLevel {
    if (this.#wasWriteRefused) return 'full';
    return this.#status && isNearlyFull(this.#status) ? 'nearly-full' : 'ok';
  }

  /** Whole percent of the quota in use, when the browser says. */
  get usedPercent(): number | undefined {
    const share = this.#status ? usedShare(this.#status) : undefined;
    return share === undefined ? undefined : Math.min(100, Math.round(share * 100));
  }

  async refresh(): Promise<void> {
    try {
      this.#status = await readStorageStatus();
    } catch {
      // No estimate (an old WebView): the writes themselves still raise the warning.
    }
  }

  noteWriteRefusedForSpace() {
    this.#wasWriteRefused = true;
  }

  noteWriteStored() {
    this.#wasWriteRefused = false;
  }

  reset() {
    this.#status = undefined;
    this.#wasWriteRefused = false;
  }
}

export const storageWatch = new StorageWatch();
