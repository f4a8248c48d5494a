import type { Table } from 'dexie';
import { AppDB } from '../../../src/app/db/app-db.ts';
import { LOAD_CHUNK_SIZE, storeRegister, type RegisterRows } from '../../../src/app/db/load-register.ts';
import { META_KEYS } from '../../../src/app/db/meta.ts';
import type { DexieVariant } from '../bench-api.ts';

const DATASET = { source: 'demo', loadedAt: 0 } as const;

type AnyTable = Table<unknown, unknown>;

interface StoreOptions {
  write: 'bulkPut' | 'bulkAdd';
  chunkSize: number;
  inOneTransaction: boolean;
}

/**
 * A copy of storeRegister's loop with the knobs the investigation turns. Only for prototypes: the
 * 'app' variant runs the real storeRegister, so the headline figure is the app's own code.
 */
async function storeWith(db: AppDB, rows: RegisterRows, options: StoreOptions): Promise<void> {
  const tables: Array<[AnyTable, readonly unknown[]]> = [
    [db.grids as AnyTable, rows.grids],
    [db.buildings as AnyTable, rows.buildings],
    [db.enterprises as AnyTable, rows.enterprises],
    [db.households as AnyTable, rows.households],
    [db.people as AnyTable, rows.people],
  ];
  const writeAll = async () => {
    for (const [table, list] of tables) {
      for (let start = 0; start < list.length; start += options.chunkSize) {
        const chunk = list.slice(start, start + options.chunkSize);
        await (options.write === 'bulkAdd' ? table.bulkAdd(chunk) : table.bulkPut(chunk));
      }
    }
  };
  if (options.inOneTransaction) await db.transaction('rw', [...tables.map(([table]) => table)], writeAll);
  else await writeAll();
  await db.meta.bulkPut([
    { key: META_KEYS.dataset, value: { ...DATASET, households: rows.households.length } },
    { key: META_KEYS.sentinel, value: { writtenAt: Date.now() } },
  ]);
}

const DEFAULTS: StoreOptions = { write: 'bulkPut', chunkSize: LOAD_CHUNK_SIZE, inOneTransaction: false };

export async function loadWithDexie(
  dbName: string,
  rows: RegisterRows,
  variant: DexieVariant,
): Promise<void> {
  const db = new AppDB(dbName);
  try {
    switch (variant) {
      case 'app':
        return await storeRegister(db, rows, DATASET);
      case 'cache-disabled':
        // What `super(name, { cache: 'disabled' })` in AppDB would do; the option is read per write.
        db._options.cache = 'disabled';
        return await storeRegister(db, rows, DATASET);
      case 'no-observability':
        // Live queries would stop seeing these writes: a probe of the middleware's cost, not a fix.
        db.unuse({ stack: 'dbcore', name: 'Observability' });
        return await storeRegister(db, rows, DATASET);
      case 'bulk-add':
        return await storeWith(db, rows, { ...DEFAULTS, write: 'bulkAdd' });
      case 'chunk-1000':
        return await storeWith(db, rows, { ...DEFAULTS, chunkSize: 1000 });
      case 'chunk-20000':
        return await storeWith(db, rows, { ...DEFAULTS, chunkSize: 20_000 });
      case 'one-transaction':
        return await storeWith(db, rows, { ...DEFAULTS, inOneTransaction: true });
    }
  } finally {
    db.close();
  }
}
