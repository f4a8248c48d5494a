import { newId } from '../../shared/domain/ids.ts';
import type { AppDB } from './app-db.ts';

/** Keys of the meta table; each is read through the helpers below. */
export const META_KEYS = {
  clientId: 'clientId',
  lastMutationId: 'lastMutationId',
  /** Written with the first data; its absence next to a remembered "had data" flag reveals a wiped DB. */
  sentinel: 'sentinel',
  dataset: 'dataset',
  /** The server's change counter up to which this device has pulled. */
  syncCursor: 'syncCursor',
  lastSyncAt: 'lastSyncAt',
  /** The scopeKey of the last pulled page: the server compares it to tell a change of scope. */
  scopeKey: 'scopeKey',
  /** A pass over the whole scope is under way (its end removes what it did not bring). */
  fullPass: 'fullPass',
  /** RECORD_SCHEMAS_EDITION of the code that last pulled: another edition pulls the scope once more. */
  schemasEdition: 'schemasEdition',
  /** The last dashboard fetched (db/dashboard-cache.ts): opens the screen offline. */
  dashboard: 'dashboard',
  /** The workers and helpers of the user's grids (db/grid-staff-cache.ts): dispatching offline. */
  gridStaff: 'gridStaff',
} as const;

export interface DatasetInfo {
  source: 'demo' | 'import' | 'server';
  loadedAt: number;
  households: number;
  people: number;
  seed?: number;
}

export async function readMeta<T>(db: AppDB, key: string): Promise<T | undefined> {
  const row = await db.meta.get(key);
  return row?.value as T | undefined;
}

/** The device's sync identity, made once per database. */
export async function ensureClientId(db: AppDB): Promise<string> {
  return db.transaction('rw', db.meta, async () => {
    const existing = await readMeta<string>(db, META_KEYS.clientId);
    if (existing) return existing;
    const clientId = newId();
    await db.meta.put({ key: META_KEYS.clientId, value: clientId });
    return clientId;
  });
}

/** Must run inside a transaction that includes `meta`, so the id and the outbox row commit together. */
export async function takeNextMutationId(db: AppDB): Promise<number> {
  const last = (await readMeta<number>(db, META_KEYS.lastMutationId)) ?? 0;
  const next = last + 1;
  await db.meta.put({ key: META_KEYS.lastMutationId, value: next });
  return next;
}

/** What the witness outside IndexedDB keeps of this database (state/witness.ts). */
export interface DeviceFacts {
  /** The sentinel is here: the database holds data that was stored on purpose. */
  hasData: boolean;
  clientId: string | null;
  lastMutationId: number;
  /** Writes not yet acknowledged by the server. */
  pending: number;
}

/** One meta read and one outbox count: cheap enough to run after every write and every sync. */
export async function readDeviceFacts(db: AppDB): Promise<DeviceFacts> {
  const [[sentinel, clientId, lastMutationId], pending] = await Promise.all([
    db.meta.bulkGet([META_KEYS.sentinel, META_KEYS.clientId, META_KEYS.lastMutationId]),
    db.outbox.count(),
  ]);
  return {
    hasData: sentinel !== undefined,
    clientId: typeof clientId?.value === 'string' ? clientId.value : null,
    lastMutationId: typeof lastMutationId?.value === 'number' ? lastMutationId.value : 0,
    pending,
  };
}
