import PouchDB, { type PouchDocument } from 'pouchdb-browser';
import type { HouseholdRow, PersonRow } from '../../../src/app/db/app-db.ts';
import { LOAD_CHUNK_SIZE, type RegisterRows } from '../../../src/app/db/load-register.ts';
import { SEARCH_LIMIT } from '../../../src/app/db/queries.ts';
import { isSearchableQuery, normalizeQuery } from '../../../src/shared/domain/search-keys.ts';
import type { PouchLoadTiming } from '../bench-api.ts';

/**
 * How a PouchDB app would hold the register: one database, a `type` field per document, and a
 * persisted map/reduce view over searchKeys. (pouchdb-find's createIndex cannot index the elements
 * of an array, so a design-doc view is the only index PouchDB has for this search.) The view key
 * [type, searchKey] gives people and households their own key ranges in one index.
 */
const SEARCH_VIEW = 'search/by_key';
const SEARCH_DESIGN_DOC: PouchDocument = {
  _id: '_design/search',
  views: {
    by_key: {
      map: `function (doc) {
        if (doc.searchKeys) for (var i = 0; i < doc.searchKeys.length; i++) emit([doc.type, doc.searchKeys[i]]);
      }`,
    },
  },
};

type DocType = 'grid' | 'building' | 'enterprise' | 'household' | 'person';

/** Documents are built before the clock starts, like the Dexie and raw rows. */
export function toPouchDocs(rows: RegisterRows): PouchDocument[] {
  const docs: PouchDocument[] = [];
  const add = (type: DocType, list: ReadonlyArray<{ id: string }>) => {
    for (const row of list) docs.push({ ...row, _id: row.id, type });
  };
  add('grid', rows.grids);
  add('building', rows.buildings);
  add('enterprise', rows.enterprises);
  add('household', rows.households);
  add('person', rows.people);
  return docs;
}

export async function loadWithPouch(dbName: string, docs: PouchDocument[]): Promise<PouchLoadTiming> {
  const db = new PouchDB(dbName);
  if (db.adapter !== 'idb') throw new Error(`expected PouchDB's default idb adapter, got ${db.adapter}`);
  try {
    const bulkStart = performance.now();
    await db.put(SEARCH_DESIGN_DOC);
    for (let start = 0; start < docs.length; start += LOAD_CHUNK_SIZE) {
      const results = await db.bulkDocs(docs.slice(start, start + LOAD_CHUNK_SIZE));
      const failed = results.find((result) => result.error);
      if (failed) throw new Error(`bulkDocs failed for ${failed.id}: ${failed.reason}`);
    }
    const viewStart = performance.now();
    await db.query(SEARCH_VIEW, { limit: 0 });
    return { bulkDocsMs: viewStart - bulkStart, viewBuildMs: performance.now() - viewStart };
  } finally {
    await db.close();
  }
}

type Stored<T> = T & PouchDocument;

/**
 * The app's search() done the PouchDB way: a key range over the view, paged until SEARCH_LIMIT
 * distinct live documents are found (a record matches once per matching key, and Dexie's
 * .distinct().limit() counts records, not keys), then the people's households for their addresses.
 */
async function findByPrefix<T extends { isDeleted: boolean }>(
  db: PouchDB,
  type: DocType,
  query: string,
): Promise<Array<Stored<T>>> {
  const found = new Map<string, Stored<T>>();
  const endkey = [type, `${query}\uffff`];
  let page: { startkey: unknown; startkey_docid?: string; skip?: number } = { startkey: [type, query] };
  for (;;) {
    const { rows } = await db.query<T>(SEARCH_VIEW, {
      ...page,
      endkey,
      limit: SEARCH_LIMIT,
      include_docs: true,
    });
    for (const row of rows) {
      if (row.doc && !row.doc.isDeleted && found.size < SEARCH_LIMIT) found.set(row.id, row.doc);
    }
    const last = rows.at(-1);
    if (!last || rows.length < SEARCH_LIMIT || found.size >= SEARCH_LIMIT) break;
    // CouchDB paging: restart at the last key and document, skipping the row already seen.
    page = { startkey: last.key, startkey_docid: last.id, skip: 1 };
  }
  return [...found.values()];
}

export async function searchWithPouch(db: PouchDB, rawQuery: string) {
  const query = normalizeQuery(rawQuery);
  if (!isSearchableQuery(query)) return { people: [], households: [] };
  const [people, households] = await Promise.all([
    findByPrefix<PersonRow>(db, 'person', query),
    findByPrefix<HouseholdRow>(db, 'household', query),
  ]);
  const homeIds = [...new Set(people.map((p) => p.householdId))];
  const homes =
    homeIds.length > 0 ? await db.allDocs<HouseholdRow>({ keys: homeIds, include_docs: true }) : { rows: [] };
  const addressById = new Map(homes.rows.flatMap((row) => (row.doc ? [[row.key, row.doc.address]] : [])));
  return {
    people: people.map((person) => ({ person, address: addressById.get(person.householdId) ?? '' })),
    households,
  };
}
