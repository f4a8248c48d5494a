import type { DeviceStatus } from '../../shared/protocol.ts';

/**
 * A second witness of what this phone holds, kept where a wipe of IndexedDB does not reach it
 * (storage safety, ARCHITECTURE.md). The database's own sentinel and the settings' "had data" flag
 * live in IndexedDB, and so does the session: clearing the site's IndexedDB took all of them and left
 * no trace that unsynced work was lost. localStorage survives that (and Chromium's eviction under
 * storage pressure, which takes IndexedDB and the Cache API); a copy in the Cache API survives a
 * clear of localStorage alone. Neither survives "clear all site data": then nothing can tell.
 */
export interface Witness {
  v: 1;
  /** The database's sync id: what the server knows this phone's writes by (null before the first). */
  clientId: string | null;
  /** The highest write id this database handed out. */
  lastMutationId: number;
  /** Writes the server had not acknowledged yet (outbox rows). */
  pending: number;
  /** Who was signed in; null in the offline demo. */
  userId: string | null;
  username: string | null;
  name: string | null;
  /** When the witness was last brought up to date. */
  at: number;
}

/** A wipe noticed at start: what the witness knew, and once asked, what the server received. */
export interface WipeReport {
  /** Null when only the old in-IndexedDB flag knew there had been data (no count is known). */
  witness: Witness | null;
  detectedAt: number;
  /** The worker chose to go on without signing in: the report stays, the warning screen does not. */
  acknowledgedAt?: number;
  /** Null: the server never received anything from that database. */
  server?: { status: DeviceStatus | null; checkedAt: number };
}

const WITNESS_KEY = 'lianxin:witness';
const REPORT_KEY = 'lianxin:wipe-report';
const CACHE_NAME = 'lianxin-witness';
/** Never fetched: a key in our own cache, on our origin. */
const CACHE_URL = '/__lianxin/witness.json';
/** The Cache API copy is a fallback: written at most this often, unlike localStorage (every change). */
const CACHE_DEBOUNCE_MS = 2_000;

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Storage disabled by policy: the witness is best effort.
    return undefined;
  }
}

function parseWitness(text: string | null | undefined): Witness | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Witness> | null;
    return value &&
      value.v === 1 &&
      typeof value.lastMutationId === 'number' &&
      typeof value.pending === 'number'
      ? (value as Witness)
      : undefined;
  } catch {
    return undefined;
  }
}

let cacheTimer: ReturnType<typeof setTimeout> | undefined;
let cacheCopy: string | null | undefined;

async function writeCacheCopy(): Promise<void> {
  cacheTimer = undefined;
  if (typeof caches === 'undefined' || cacheCopy === undefined) return;
  const text = cacheCopy;
  try {
    const cache = await caches.open(CACHE_NAME);
    if (text === null) await cache.delete(CACHE_URL);
    else await cache.put(CACHE_URL, new Response(text, { headers: { 'content-type': 'application/json' } }));
  } catch {
    // Quota or a private window: localStorage still holds the witness.
  }
}

function scheduleCacheCopy(text: string | null, isUrgent = false) {
  cacheCopy = text;
  clearTimeout(cacheTimer);
  if (isUrgent) void writeCacheCopy();
  else cacheTimer = setTimeout(() => void writeCacheCopy(), CACHE_DEBOUNCE_MS);
}

/** The witness from localStorage, or else from the Cache API copy. */
export async function readWitness(): Promise<Witness | undefined> {
  const local = parseWitness(storage()?.getItem(WITNESS_KEY));
  if (local) return local;
  if (typeof caches === 'undefined') return undefined;
  try {
    const response = await (await caches.open(CACHE_NAME)).match(CACHE_URL);
    return parseWitness(await response?.text());
  } catch {
    return undefined;
  }
}

/** Cheap enough for every write: one small synchronous localStorage item; the cache copy trails. */
export function writeWitness(witness: Witness): void {
  const text = JSON.stringify(witness);
  try {
    if (storage()?.getItem(WITNESS_KEY) === text) return;
    storage()?.setItem(WITNESS_KEY, text);
  } catch {
    // Full or disabled: the cache copy may still take it.
  }
  scheduleCacheCopy(text);
}

/** Data removed on purpose (sign-out, "clear data", replaced by a sign-in): nothing to warn about. */
export function clearWitness(): void {
  storage()?.removeItem(WITNESS_KEY);
  scheduleCacheCopy(null, true);
}

export function readWipeReport(): WipeReport | undefined {
  const text = storage()?.getItem(REPORT_KEY);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as WipeReport;
  } catch {
    return undefined;
  }
}

export function writeWipeReport(report: WipeReport | undefined): void {
  try {
    if (report) storage()?.setItem(REPORT_KEY, JSON.stringify(report));
    else storage()?.removeItem(REPORT_KEY);
  } catch {
    // The report still shows in this session; only its survival of a reload is lost.
  }
}

/**
 * How many of the phone's writes never reached the server: the witness's last id minus the last id
 * the server took from that database. Undefined until the server has been asked (or when the phone
 * knows no id to ask about).
 */
export function writesNeverReceived(report: WipeReport): number | undefined {
  if (!report.witness || !report.server) return undefined;
  return Math.max(0, report.witness.lastMutationId - (report.server.status?.lastMutationId ?? 0));
}
