/**
 * The contract between the Node side of the bench (run.ts, storage-bench.ts) and the bench page that
 * runs inside Chromium (page/main.ts). Types only, so both tsconfigs can include it.
 */

/** What the page generated for one town size; rows stay in the page, only the counts cross CDP. */
export interface PreparedTown {
  households: number;
  people: number;
  /** All keys in the multi-entry search indexes, a measure of the index work a load does. */
  searchKeys: number;
  /** Typed queries taken from this town (see page/queries.ts). */
  queries: BenchQuery[];
}

export type QueryKind = 'name' | 'pinyin' | 'phone' | 'id-tail' | 'address';

export interface BenchQuery {
  kind: QueryKind;
  /** The final query a user ends up with. */
  text: string;
}

/**
 * Ways of loading the same rows with Dexie. 'app' is storeRegister exactly as the app ships it; the
 * others are prototypes for the investigation (--investigate), never used by the app.
 */
export type DexieVariant =
  | 'app'
  | 'cache-disabled'
  | 'no-observability'
  | 'bulk-add'
  | 'chunk-1000'
  | 'chunk-20000'
  | 'one-transaction';

/**
 * Raw IndexedDB loads: 'auto-commit' lets each transaction end by itself, which is in effect what
 * Dexie does (it calls commit() only once its last request has succeeded); 'explicit-commit' calls
 * commit() as soon as the last put is queued.
 */
export type RawVariant = 'auto-commit' | 'explicit-commit';

export interface PouchLoadTiming {
  /** bulkDocs of every document, in LOAD_CHUNK_SIZE batches. */
  bulkDocsMs: number;
  /** The first query of the search view, which is when PouchDB builds a persisted view index. */
  viewBuildMs: number;
}

export interface SearchTiming {
  /** One latency per query, in query order. */
  latenciesMs: number[];
  /** Queries that found at least one person or household: a guard against timing empty searches. */
  queriesWithHits: number;
  /** Sum of people + households returned over all queries, to compare engines for equal results. */
  totalHits: number;
}

export interface BenchPageApi {
  /** Generates the demo town with `households` households and its rows, outside any timing. */
  prepare(households: number): Promise<PreparedTown>;
  loadRaw(households: number, dbName: string, variant: RawVariant): Promise<number>;
  loadDexie(households: number, dbName: string, variant: DexieVariant): Promise<number>;
  loadPouch(households: number, dbName: string): Promise<PouchLoadTiming>;
  /** Runs the app's search() once per query, against an AppDB schema database (Dexie- or raw-loaded). */
  searchDexie(dbName: string, queries: string[]): Promise<SearchTiming>;
  searchPouch(dbName: string, queries: string[]): Promise<SearchTiming>;
  deleteIdb(dbName: string): Promise<void>;
  deletePouch(dbName: string): Promise<void>;
}

declare global {
  interface Window {
    lianxinBench?: BenchPageApi;
  }
}
