import { liveQuery } from 'dexie';
import type { AppDB } from '../db/app-db.ts';
import { META_KEYS, readDeviceFacts, readMeta } from '../db/meta.ts';
import { session } from './session.svelte.ts';
import { settings } from './settings.svelte.ts';
import {
  clearWitness,
  readWipeReport,
  readWitness,
  writeWipeReport,
  writeWitness,
  type WipeReport,
} from './witness.ts';

/**
 * A wiped database, noticed and explained (storage safety). At start the witness outside IndexedDB
 * (witness.ts) is compared with the database: it says there was data, the database has none, so the
 * browser wiped it. What the witness knew becomes a report the worker reads: how many writes were
 * still on the phone only, and after signing in again, how many of them the server never received.
 */
class WipeState {
  #isChecked = $state(false);
  #isWiped = $state(false);
  #report = $state.raw<WipeReport | null>(null);
  #isAsking = false;

  /** The start-up check has run (until then the first screen waits, so the welcome never flashes). */
  get isChecked() {
    return this.#isChecked;
  }
  /** The database is empty after a wipe and the warning stands in for the welcome screen. */
  get isWiped() {
    return this.#isWiped;
  }
  get report() {
    return this.#report;
  }

  /** ARCHITECTURE.md "Storage safety": the witness (or the older settings flag) against the sentinel. */
  async detect(db: AppDB, now = Date.now()): Promise<void> {
    try {
      const stored = readWipeReport() ?? null;
      const witness = await readWitness();
      if (!stored && !witness && !settings.hadData) return;
      const hasData = (await readMeta(db, META_KEYS.sentinel)) !== undefined;
      if (hasData) {
        this.#report = stored;
        return;
      }
      let report = stored;
      if (witness || settings.hadData) {
        // A newer wipe replaces an unread report: the witness is about the database just lost.
        report = { witness: witness ?? null, detectedAt: now };
        writeWipeReport(report);
        // Noticed once: the report carries it from here, and the next data writes a new witness.
        clearWitness();
        if (settings.hadData) await settings.setHadData(false);
      }
      this.#report = report;
      this.#isWiped = report !== null && report.acknowledgedAt === undefined;
    } catch {
      // A database that cannot even be read shows its own error on the first screen.
    } finally {
      this.#isChecked = true;
    }
  }

  /**
   * Keeps the witness current: after every write and every sync (Dexie re-runs the query when the
   * outbox or meta change) while the database holds data. An empty database never overwrites it.
   */
  keep(db: AppDB): () => void {
    const subscription = liveQuery(() => readDeviceFacts(db)).subscribe({
      next: (facts) => {
        if (!facts.hasData) return;
        // Data again (signed in, or a demo loaded): the warning screen gives way to the report.
        this.#isWiped = false;
        const user = session.user;
        writeWitness({
          v: 1,
          clientId: facts.clientId,
          lastMutationId: facts.lastMutationId,
          pending: facts.pending,
          userId: user?.id ?? null,
          username: user?.username ?? null,
          name: user?.name ?? null,
          at: Date.now(),
        });
      },
      error: () => {
        // A failed read (the database closed under us by a wipe) leaves the last witness as it was.
      },
    });
    return () => subscription.unsubscribe();
  }

  /** The report can be checked with the server: signed in as the same account, not asked yet. */
  get canAskServer(): boolean {
    const witness = this.#report?.witness;
    return (
      !!witness?.clientId && !this.#report?.server && !!session.user && session.user.id === witness.userId
    );
  }

  /** Asks what the server received from the lost database; offline it is asked again later. */
  async askServer(): Promise<void> {
    const report = this.#report;
    const clientId = report?.witness?.clientId;
    if (!report || !clientId || !this.canAskServer || this.#isAsking) return;
    this.#isAsking = true;
    try {
      const { api } = await import('./sync.svelte.ts');
      const status = await api.deviceStatus(clientId);
      if (this.#report !== report) return;
      this.#save({ ...report, server: { status: status ?? null, checkedAt: Date.now() } });
    } catch {
      // No network or a refusal: the report stays as it is and says it will check later.
    } finally {
      this.#isAsking = false;
    }
  }

  /** "Not now" on the warning screen: the welcome screen, with the report kept above it. */
  acknowledge(now = Date.now()) {
    if (this.#report) this.#save({ ...this.#report, acknowledgedAt: now });
    this.#isWiped = false;
  }

  /** Read and put away: it does not come back. */
  dismiss() {
    this.#report = null;
    this.#isWiped = false;
    writeWipeReport(undefined);
  }

  /** The device's data goes on purpose (sign-out, "clear data", another sign-in): no witness of it. */
  forget() {
    clearWitness();
  }

  #save(report: WipeReport) {
    this.#report = report;
    writeWipeReport(report);
  }

  reset() {
    this.#isChecked = false;
    this.#isWiped = false;
    this.#report = null;
  }
}

export const wipe = new WipeState();
