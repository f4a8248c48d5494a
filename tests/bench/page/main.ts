import Dexie from 'dexie';
import PouchDB, { type PouchDocument } from 'pouchdb-browser';
import { AppDB } from '../../../src/app/db/app-db.ts';
import { toRegisterRows, type RegisterRows } from '../../../src/app/db/load-register.ts';
import { loadPinyin } from '../../../src/app/db/pinyin.ts';
import { search } from '../../../src/app/db/queries.ts';
import { generateDemoTown } from '../../../src/shared/domain/demo-town.ts';
import type { BenchPageApi, SearchTiming } from '../bench-api.ts';
import { loadWithDexie } from './dexie-variants.ts';
import { loadWithPouch, searchWithPouch, toPouchDocs } from './pouch.ts';
import { benchQueries } from './queries.ts';
import { loadWithRawIdb } from './raw-idb.ts';

// Dexie turns on debug mode (async stack tasks on every operation) when the page is served from
// localhost or 127.0.0.1. Phones never run the app from there, so measure Dexie as they run it.
Dexie.debug = false;

interface Town {
  rows: RegisterRows;
  pouchDocs: PouchDocument[];
}
/** Rows live here between calls, so 85,000 people never cross the DevTools protocol. */
const towns = new Map<number, Town>();

function townOf(households: number): Town {
  const town = towns.get(households);
  if (!town) throw new Error(`call prepare(${households}) first`);
  return town;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function timeSearches(
  queries: string[],
  searchOnce: (query: string) => Promise<{ people: unknown[]; households: unknown[] }>,
): Promise<SearchTiming> {
  // One search first, untimed: opening the database belongs to app start, not to a keystroke.
  await searchOnce(queries[0] ?? '');
  const latenciesMs: number[] = [];
  let queriesWithHits = 0;
  let totalHits = 0;
  for (const query of queries) {
    const start = performance.now();
    const result = await searchOnce(query);
    latenciesMs.push(performance.now() - start);
    const hits = result.people.length + result.households.length;
    totalHits += hits;
    if (hits > 0) queriesWithHits++;
  }
  return { latenciesMs, queriesWithHits, totalHits };
}

function deleteIdb(dbName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(dbName);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`cannot delete ${dbName}`));
    request.onblocked = () => reject(new Error(`deleting ${dbName} is blocked by an open connection`));
  });
}

const api: BenchPageApi = {
  async prepare(households) {
    const pinyinOf = await loadPinyin();
    const rows = toRegisterRows(generateDemoTown({ households }), pinyinOf);
    towns.set(households, { rows, pouchDocs: toPouchDocs(rows) });
    const searchKeys = [...rows.people, ...rows.households].reduce(
      (sum, row) => sum + row.searchKeys.length,
      0,
    );
    return {
      households: rows.households.length,
      people: rows.people.length,
      searchKeys,
      queries: benchQueries(rows, pinyinOf),
    };
  },
  loadRaw: (households, dbName, variant) =>
    timed(() => loadWithRawIdb(dbName, townOf(households).rows, variant)),
  loadDexie: (households, dbName, variant) =>
    timed(() => loadWithDexie(dbName, townOf(households).rows, variant)),
  // PouchDB adds _rev to the documents it is given, so each load gets fresh copies (made untimed).
  loadPouch: (households, dbName) =>
    loadWithPouch(
      dbName,
      townOf(households).pouchDocs.map((doc) => ({ ...doc })),
    ),
  async searchDexie(dbName, queries) {
    const db = new AppDB(dbName);
    try {
      await db.open();
      return await timeSearches(queries, (query) => search(db, query));
    } finally {
      db.close();
    }
  },
  async searchPouch(dbName, queries) {
    const db = new PouchDB(dbName);
    try {
      return await timeSearches(queries, (query) => searchWithPouch(db, query));
    } finally {
      await db.close();
    }
  },
  deleteIdb,
  async deletePouch(dbName) {
    await new PouchDB(dbName).destroy();
  },
};

window.lianxinBench = api;
document.body.dataset.ready = 'true';
