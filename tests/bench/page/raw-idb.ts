import { AppDB } from '../../../src/app/db/app-db.ts';
import { LOAD_CHUNK_SIZE, type RegisterRows } from '../../../src/app/db/load-register.ts';
import { META_KEYS } from '../../../src/app/db/meta.ts';
import type { RawVariant } from '../bench-api.ts';

/**
 * Dexie stores `version(n)` as IndexedDB version n * 10. Using the same number lets an AppDB open a
 * raw-loaded database as its own, so the app's search() can run on it too.
 */
const IDB_VERSION = 10;

interface StoreSpec {
  name: string;
  keyPath: string;
  autoIncrement: boolean;
  indexes: Array<{ name: string; keyPath: string | string[]; multiEntry: boolean; unique: boolean }>;
}

/**
 * The object stores and indexes exactly as Dexie creates them for AppDB (read from AppDB's parsed
 * schema rather than copied, so the raw baseline cannot drift from the app when its schema changes).
 */
function appStoreSpecs(): StoreSpec[] {
  const schemaOnly = new AppDB('bench-schema-only'); // never opened: only the parsed schema is read
  return schemaOnly.tables.map(({ schema }) => {
    const { primKey } = schema;
    if (typeof primKey.keyPath !== 'string') throw new Error(`${schema.name}: expected an inbound key`);
    return {
      name: schema.name,
      keyPath: primKey.keyPath,
      autoIncrement: !!primKey.auto,
      indexes: schema.indexes.map((index) => {
        if (index.keyPath === undefined) throw new Error(`${schema.name}.${index.name}: no key path`);
        return {
          name: index.name,
          keyPath: index.keyPath,
          multiEntry: !!index.multi,
          unique: !!index.unique,
        };
      }),
    };
  });
}

function openWithAppSchema(dbName: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, IDB_VERSION);
    request.onupgradeneeded = () => {
      for (const spec of appStoreSpecs()) {
        const store = request.result.createObjectStore(spec.name, {
          keyPath: spec.keyPath,
          autoIncrement: spec.autoIncrement,
        });
        for (const index of spec.indexes)
          store.createIndex(index.name, index.keyPath, {
            multiEntry: index.multiEntry,
            unique: index.unique,
          });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open ${dbName}`));
    request.onblocked = () => reject(new Error(`opening ${dbName} is blocked by another connection`));
  });
}

function putAll(db: IDBDatabase, storeName: string, rows: readonly unknown[], variant: RawVariant) {
  return new Promise<void>((resolve, reject) => {
    const transaction = db.transaction(storeName, 'readwrite');
    const store = transaction.objectStore(storeName);
    for (const row of rows) store.put(row);
    // Dexie lets the transaction end once its last request succeeded; commit() tells the backend at
    // once that no more requests follow. Both are measured (--investigate) to see what that is worth.
    if (variant === 'explicit-commit') transaction.commit();
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error(`${storeName}: transaction aborted`));
  });
}

/** storeRegister's work with plain IndexedDB: same stores, order, chunks and dataset marker. */
export async function loadWithRawIdb(dbName: string, rows: RegisterRows, variant: RawVariant): Promise<void> {
  const db = await openWithAppSchema(dbName);
  try {
    const tablesInLoadOrder: Array<[string, readonly unknown[]]> = [
      ['grids', rows.grids],
      ['buildings', rows.buildings],
      ['enterprises', rows.enterprises],
      ['households', rows.households],
      ['people', rows.people],
    ];
    for (const [storeName, list] of tablesInLoadOrder) {
      for (let start = 0; start < list.length; start += LOAD_CHUNK_SIZE)
        await putAll(db, storeName, list.slice(start, start + LOAD_CHUNK_SIZE), variant);
    }
    const dataset = {
      source: 'demo',
      loadedAt: Date.now(),
      households: rows.households.length,
      people: rows.people.length,
    };
    await putAll(
      db,
      'meta',
      [
        { key: META_KEYS.dataset, value: dataset },
        { key: META_KEYS.sentinel, value: { writtenAt: Date.now() } },
      ],
      variant,
    );
  } finally {
    db.close();
  }
}
