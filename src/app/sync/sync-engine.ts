import type { PlanActor } from '../../shared/domain/apply-mutation.ts';
import type { PinyinOf } from '../../shared/domain/search-keys.ts';
import { refKey } from '../../shared/domain/mutation-reads.ts';
import {
  MAX_PUSH_MUTATIONS,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../shared/protocol.ts';
import { writeTables, type AppDB, type OutboxRow } from '../db/app-db.ts';
import { ensureClientId, META_KEYS, readMeta } from '../db/meta.ts';
import { ApiError, NetworkError, type ApiClient } from './api-client.ts';
import { removeUnseen, storeAndRebase } from './apply-changes.ts';
import { RECORD_SCHEMAS_EDITION } from '../../shared/records.ts';

export type SyncState = 'idle' | 'syncing' | 'offline' | 'error';

export interface SyncStatus {
  state: SyncState;
  lastSyncAt: number | undefined;
  lastError: string | undefined;
  /** During a pull: changes received so far and still to come (the first pull's progress bar). */
  pulled: number;
  remaining: number;
}

export interface SyncEngineOptions {
  db: AppDB;
  api: ApiClient;
  /** The signed-in user as a workflow actor; null when signed out (nothing syncs). */
  actor: () => PlanActor | null;
  pinyin: () => Promise<PinyinOf>;
  onStatus?: (status: SyncStatus) => void;
  now?: () => number;
  random?: () => number;
  /** Changes per pull page. */
  pullLimit?: number;
  /** Runs `run` after `ms` and returns a cancel function (tests pass a clock of their own). */
  schedule?: (run: () => void, ms: number) => () => void;
}

const scheduleWithTimer = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

/** Backoff after a failed round: 2 s doubling to 5 min, with full jitter so phones do not stampede. */
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_MAX_MS = 5 * 60_000;

export function backoffDelay(failures: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Every photo id a mutation's args refer to, wherever it sits (visit, run result, problem event...). */
export function photoIdsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) photoIdsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'photoIds' && Array.isArray(item)) for (const id of item) found.add(String(id));
      else photoIdsIn(item, found);
    }
  }
  return found;
}

function gridIdIn(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  if ('gridId' in value && typeof value.gridId === 'string') return value.gridId;
  for (const item of Object.values(value)) {
    const found = gridIdIn(item);
    if (found) return found;
  }
  return undefined;
}

/**
 * The device's half of the sync protocol (ARCHITECTURE.md): push the outbox in order, then pull what
 * changed, one round at a time. Never Workbox's BackgroundSync queue: it drops requests the server
 * answered with a 500; here a failed round leaves the outbox untouched and is retried with backoff.
 */
export class SyncEngine {
  readonly #options: Required<Omit<SyncEngineOptions, 'onStatus'>> & Pick<SyncEngineOptions, 'onStatus'>;
  #status: SyncStatus = {
    state: 'idle',
    lastSyncAt: undefined,
    lastError: undefined,
    pulled: 0,
    remaining: 0,
  };
  #running: Promise<void> | null = null;
  /** The push-and-pull under way (syncOnce), joined by whoever asks for one meanwhile. */
  #inFlight: Promise<void> | null = null;
  #again = false;
  #againIsManual = false;
  #failures = 0;
  /** Until then automatic triggers wait (a failed round's backoff); 0 when not backing off. */
  #retryAt = 0;
  #cancelRetry: (() => void) | undefined;

  constructor(options: SyncEngineOptions) {
    this.#options = {
      now: () => Date.now(),
      schedule: scheduleWithTimer,
      random: Math.random,
      pullLimit: 2000,
      ...options,
    };
  }

  get status(): SyncStatus {
    return this.#status;
  }

  #setStatus(patch: Partial<SyncStatus>) {
    this.#status = { ...this.#status, ...patch };
    this.#options.onStatus?.(this.#status);
  }

  /**
   * A trigger asks for a round (ARCHITECTURE.md sync step 6): app start, `online`, becoming visible,
   * the timer, a Background Sync wake-up. While the engine is backing off after a failure these are
   * ignored: the backoff timer runs the next round. Otherwise a server that is down would be asked
   * again at every trigger (Chromium fires Background Sync at once while the device is online), and
   * a thousand phones would keep a restarting town server down. Only a person's "立即同步" (`isManual`)
   * runs at once. Resolves when the round ends; failures are reported in the status, never thrown.
   */
  sync(options: { isManual?: boolean } = {}): Promise<void> {
    const isManual = options.isManual === true;
    if (!isManual && this.#options.now() < this.#retryAt) return this.#running ?? Promise.resolve();
    if (this.#running) {
      this.#again = true;
      this.#againIsManual ||= isManual;
      return this.#running;
    }
    this.#cancelRetry?.();
    this.#running = (async () => {
      try {
        let isOk: boolean;
        do {
          this.#again = false;
          this.#againIsManual = false;
          isOk = await this.#round();
          // After a failure only a tap made meanwhile goes again now; the rest waits for the timer.
        } while (this.#again && (isOk || this.#againIsManual));
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  /** When the backoff lets an automatic trigger run again (0: not backing off). */
  get retryAt(): number {
    return this.#retryAt;
  }

  stop() {
    this.#cancelRetry?.();
  }

  async #round(): Promise<boolean> {
    const actor = this.#options.actor();
    if (!actor) return true;
    this.#setStatus({ state: 'syncing', lastError: undefined });
    try {
      await this.syncOnce(actor);
      this.#failures = 0;
      this.#retryAt = 0;
      const lastSyncAt = this.#options.now();
      await this.#options.db.meta.put({ key: META_KEYS.lastSyncAt, value: lastSyncAt });
      this.#setStatus({ state: 'idle', lastSyncAt, pulled: 0, remaining: 0 });
      return true;
    } catch (error) {
      this.#failures++;
      const isOffline = error instanceof NetworkError;
      // A request the server refused for good (401 after revocation) is not retried on a timer.
      const isRetried = isOffline || (error instanceof ApiError && error.isTransient);
      if (isRetried) {
        const asked = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
        const delay = Math.max(
          backoffDelay(this.#failures, this.#options.random),
          Math.min(asked, BACKOFF_MAX_MS),
        );
        this.#retryAt = this.#options.now() + delay;
        this.#cancelRetry = this.#options.schedule(() => void this.sync(), delay);
      }
      this.#setStatus({
        state: isOffline ? 'offline' : 'error',
        lastError: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }

  /**
   * One full round, throwing on the first failure (tests and the first login call this directly).
   * A round already under way is joined, not run again beside it: the sign-in download and the sync
   * the signed-in app starts would otherwise pull the whole register twice at once.
   */
  syncOnce(actor: PlanActor): Promise<void> {
    this.#inFlight ??= (async () => {
      try {
        await this.push(actor);
        await this.pull(actor);
      } finally {
        this.#inFlight = null;
      }
    })();
    return this.#inFlight;
  }

  /**
   * ARCHITECTURE.md sync steps 2-3, until the outbox is empty. Pages of the outbox, oldest first. A page goes up only after the one before it was acknowledged
   * (the server must apply them in order), but the next page is read from the device while the
   * current one is on the wire: on a village link the round trip is most of the time.
   */
  async push(actor: PlanActor | null = this.#options.actor()): Promise<void> {
    const { db, api } = this.#options;
    if (!actor) return;
    const clientId = await ensureClientId(db);
    const held = await readMeta<number>(db, META_KEYS.syncCursor);
    const pageAfter = (seq: number) => db.outbox.where('seq').above(seq).limit(MAX_PUSH_MUTATIONS).toArray();
    let rows = await pageAfter(-Infinity);
    while (rows.length > 0) {
      // Step 5: photos go up before the mutations that reference them.
      await this.#uploadPhotos(rows);
      const mutations: Mutation[] = rows.map((row) => ({
        clientId: row.clientId,
        mutationId: row.mutationId,
        name: row.name,
        args: row.args,
        createdAt: row.createdAt,
      }));
      const answer = api.push(clientId, mutations, held);
      const nextRows = pageAfter(rows.at(-1)!.seq!);
      // Awaited below; if the push fails first, this read must not surface as an unhandled rejection.
      nextRows.catch(() => undefined);
      const response = await answer;
      await this.#settle(rows, response, actor);
      if (response.lastMutationId < rows.at(-1)!.mutationId) {
        throw new ApiError(500, 'server-error', '服务器没有确认全部修改，稍后重试');
      }
      rows = await nextRows;
      // A write queued while the last page was on the wire goes up in this round, not the next one.
      if (rows.length === 0) rows = await pageAfter(-Infinity);
    }
    await this.#forgetBaseWhenIdle();
  }

  /**
   * The server has answered for everything queued: no record is under a pending write, so the whole
   * base goes at once (one clear, instead of deleting each answered page's entries on the way).
   */
  async #forgetBaseWhenIdle(): Promise<void> {
    const { db } = this.#options;
    await db.transaction('rw', [db.outbox, db.pendingBase], async () => {
      if ((await db.outbox.count()) === 0) await db.pendingBase.clear();
    });
  }

  /**
   * Step 3 and 9: what the server answered for a page. Acknowledged rows leave the outbox; a refused
   * write is written down for the person (under 我的) and undone: the server's truth for what it
   * touched is stored and the rest of the queue is planned again on top, so the phone holds what the
   * server holds.
   */
  async #settle(rows: OutboxRow[], response: PushResponse, actor: PlanActor): Promise<void> {
    const { db } = this.#options;
    const now = this.#options.now();
    const rejected = response.results.filter((r) => r.status === 'rejected');
    const accepted = response.results.filter((r) => r.status !== 'rejected').map((r) => r.mutationId);
    const heal = rejected.length > 0 || (response.records?.length ?? 0) > 0;
    const pinyinOf = heal ? await this.#options.pinyin() : undefined;
    await db.transaction('rw', writeTables(db), async () => {
      if ((await db.rejections.count()) > 0) {
        // A provisional refusal (noted on the device during a replay) gives way to the server's answer.
        const answered = [...accepted, ...rejected.map((r) => r.mutationId)];
        await db.rejections.where('mutationId').anyOf(answered).delete();
      }
      for (const result of rejected) {
        const row = rows.find((r) => r.mutationId === result.mutationId);
        if (!row) continue;
        await db.rejections.add({
          mutationId: row.mutationId,
          name: row.name,
          args: row.args,
          reason: result.reason ?? 'invalid',
          message: result.message ?? '',
          at: now,
        });
      }
      // Only what the server acknowledged; rows queued during the round trip stay. The page
      // starts at the oldest row and ids grow with seq, so the acknowledged rows are a run of seq:
      // one range delete instead of a lookup and a delete per row.
      const acked = rows.filter((row) => row.mutationId <= response.lastMutationId);
      if (acked.length > 0)
        await db.outbox.where(':id').between(acked[0]!.seq!, acked.at(-1)!.seq!, true, true).delete();
      if (heal && pinyinOf) {
        const replay = { actor, pinyinOf, answeredUpTo: response.lastMutationId, now };
        await storeAndRebase(db, response.records ?? [], replay, true);
      }
    });
  }

  async #uploadPhotos(rows: OutboxRow[]): Promise<void> {
    const { db, api } = this.#options;
    const ids = new Set<string>();
    const gridOf = new Map<string, string | undefined>();
    for (const row of rows) {
      for (const id of photoIdsIn(row.args)) {
        ids.add(id);
        if (!gridOf.has(id)) gridOf.set(id, gridIdIn(row.args));
      }
    }
    for (const id of ids) {
      const photo = await db.photos.get(id);
      // A photo missing on this device (taken on another) was uploaded from there.
      if (!photo || photo.uploadedAt || (await db.photoUploads.get(id))) continue;
      await api.putBlob(id, photo.blob, gridOf.get(id));
      await db.photoUploads.put({ id, at: this.#options.now() });
    }
  }

  /**
   * ARCHITECTURE.md sync step 4: pages of changes since the cursor, applied with pending changes on
   * top. Step 9: when the server says the user's scope has changed (or it was reset), the pass starts
   * from the beginning and, once complete, removes every record it did not bring. A pass cut short
   * is started again from the beginning next time (the flag is stored with the first page).
   */
  async pull(actor: PlanActor): Promise<void> {
    const { db, api } = this.#options;
    const clientId = await ensureClientId(db);
    const pinyinOf = await this.#options.pinyin();
    const storedCursor = (await readMeta<number>(db, META_KEYS.syncCursor)) ?? 0;
    // Pulled by an older edition of the schemas: records it could not parse were skipped for good.
    const isOtherEdition =
      storedCursor > 0 && (await readMeta<number>(db, META_KEYS.schemasEdition)) !== RECORD_SCHEMAS_EDITION;
    let isFullPass = isOtherEdition || (await readMeta<boolean>(db, META_KEYS.fullPass)) === true;
    let cursor = isFullPass ? 0 : storedCursor;
    let scope = await readMeta<string>(db, META_KEYS.scopeKey);
    const seen = new Set<string>();
    let pulled = 0;
    // `held`: the cursor stored on this device, which a page fetched ahead is not yet.
    const fetchPage = (from: number, held: number) =>
      api.pull(from, clientId, this.#options.pullLimit, held, scope);
    let prefetched: Promise<PullResponse> | undefined;
    for (;;) {
      let page: PullResponse;
      try {
        page = await (prefetched ?? fetchPage(cursor, cursor));
      } catch (error) {
        prefetched = undefined;
        // 409: our cursor is ahead of the server (it was restored or reset): pull everything again.
        if (!(error instanceof ApiError && error.status === 409) || cursor === 0) throw error;
        cursor = 0;
        isFullPass = true;
        seen.clear();
        continue;
      }
      if (page.rescoped) {
        isFullPass = true;
        seen.clear();
      }
      scope = page.scopeKey;
      // The next page travels while this one is stored. Awaited on the next turn; if storing this
      // one fails first, its failure must not surface as an unhandled rejection.
      prefetched = page.hasMore ? fetchPage(page.cursor, cursor) : undefined;
      prefetched?.catch(() => undefined);
      if (isFullPass) for (const change of page.changes) seen.add(refKey(change.kind, change.id));
      const isPassDone = isFullPass && !page.hasMore;
      await db.transaction('rw', writeTables(db), async () => {
        // Rows the server has already answered for (a lost push answer) are not planned again here:
        // their effect arrives from the server, and the next push learns how each one ended.
        const replay = { actor, pinyinOf, answeredUpTo: page.lastMutationId, now: this.#options.now() };
        await storeAndRebase(db, page.changes, replay);
        if (isPassDone) await removeUnseen(db, seen);
        await db.meta.bulkPut([
          { key: META_KEYS.syncCursor, value: page.cursor },
          { key: META_KEYS.scopeKey, value: page.scopeKey },
          { key: META_KEYS.fullPass, value: isFullPass && !isPassDone },
          { key: META_KEYS.schemasEdition, value: RECORD_SCHEMAS_EDITION },
        ]);
      });
      cursor = page.cursor;
      pulled += page.changes.length;
      this.#setStatus({ pulled, remaining: page.remaining });
      if (!page.hasMore) return;
    }
  }
}
