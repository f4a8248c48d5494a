/**
 * The contract between the Node side of the round, problem and sync benches and the page that runs
 * inside Chromium (main.ts). Types only, so both tsconfigs can include it.
 */

/** The one-grid town and its year of visits, made in the page; only counts cross CDP. */
export interface RoundSetup {
  households: number;
  people: number;
  /** Households the default cadence config schedules, by cadence. */
  scheduled: Record<'daily' | 'weekly' | 'monthly' | 'quarterly', number>;
  visits: number;
  /** Visits whose outcome counts as a visit (met, in hospital...). */
  countedVisits: number;
  firstDay: string;
  today: string;
  /** Unthrottled set-up times, for the log: generate, search keys, store the register, store the visits. */
  setupMs: { generate: number; rows: number; storeRegister: number; storeVisits: number };
}

export interface DueListTiming {
  /** The first call (cold JIT), not among `runsMs`. */
  firstMs: number;
  runsMs: number[];
  counts: Record<'overdue' | 'due' | 'done' | 'upcoming', number>;
  items: number;
  /** Visits handed to computeDueList (today's, as todayView reads them). */
  visitsPassed: number;
  /** Households with a visit summary. */
  summaries: number;
  /** Every household's item equals the one computed from the whole year of visits. */
  sameAsWholeHistory: boolean;
}

export interface TodayViewTiming {
  runsMs: number[];
  /** Visits todayView read from IndexedDB (today's). */
  visitsRead: number;
  /** Visit summaries it read (one per household ever visited). */
  summariesRead: number;
  entries: number;
}

export interface ProblemSetup {
  problems: number;
  /** History events over all problems. */
  events: number;
  /** Rows selectDailyProblems keeps for the day (all of them: every problem has an event that day). */
  selected: number;
}

export interface ExportTiming {
  runsMs: number[];
  /** buildDailyListRows alone, per run (the rest of each run is the XLSX writer). */
  rowsMs: number[];
  rows: number;
  bytes: number;
}

export interface PhotoSetup {
  width: number;
  height: number;
  bytes: number;
}

export interface CompressTiming {
  runsMs: number[];
  bytes: number;
  width: number;
  height: number;
}

export interface PullTiming {
  ms: number;
  /** Time spent waiting for the server's answers (request sent to response headers). */
  waitingMs: number;
  requests: number;
  /** Changes received, and the rows they became in each table. */
  changes: number;
  stored: Record<'grids' | 'buildings' | 'households' | 'people', number>;
}

export interface EnqueueResult {
  queued: number;
  householdUpdates: number;
  visits: number;
  ms: number;
}

export interface PushTiming {
  ms: number;
  waitingMs: number;
  requests: number;
  outboxLeft: number;
  rejected: number;
}

/** Prototypes and breakdowns behind the suggestions for missed targets (--investigate). */
export interface TodayViewParts {
  /** readDueListInputs: households, people, buildings, visit summaries and today's visits. */
  readsMs: number;
  openNeedsMs: number;
}

export interface XlsxParts {
  /** buildDailyListRows: the problems turned into list rows. */
  rowsMs: number;
  /** dailyListToXlsx: the sheet XML and the zip, to a Blob. */
  writerMs: number;
  bytes: number;
}

export interface PullParts {
  /** The same pages fetched again (server, network, ApiClient's response check). */
  fetchMs: number;
  /** recordSchemas[kind].safeParse of every record (applyPulledChanges does this). */
  parseMs: number;
  /** Search keys: toPersonRow (pinyin) and toHouseholdRow. */
  rowsMs: number;
  /** applyPulledChanges page by page in sync's transaction, into a fresh database: parse + keys + IndexedDB. */
  applyMs: number;
  /** The rows already made, bulkPut page by page into a fresh database: Dexie and IndexedDB alone. */
  storeWithKeysMs: number;
  /** The same with empty searchKeys: what the multi-entry search indexes cost. */
  storeWithoutKeysMs: number;
  changes: number;
}

export interface MoreBenchApi {
  /** Round: the grid, its year of visits, stored in `dbName` (register + visits), all unthrottled. */
  prepareRound(households: number, visits: number, today: string, dbName: string): Promise<RoundSetup>;
  timeDueList(runs: number): Promise<DueListTiming>;
  /** recordVisit on `count` households (one untimed save first); one latency per save. */
  timeRecordVisits(count: number): Promise<number[]>;
  timeTodayView(runs: number): Promise<TodayViewTiming>;
  /** Problems: `count` problems with their histories, all touched on `day`. */
  prepareProblems(count: number, day: string): Promise<ProblemSetup>;
  timeXlsxExport(count: number, runs: number): Promise<ExportTiming>;
  preparePhoto(width: number, height: number): Promise<PhotoSetup>;
  timeCompressPhoto(runs: number): Promise<CompressTiming>;
  /** Sync: signs in through the app's ApiClient, against the origin that served the page. */
  signIn(username: string, password: string): Promise<{ role: string; grids: number }>;
  timeFirstPull(dbName: string): Promise<PullTiming>;
  /** Queues `count` writes through the app's commands (half household notes, half visits). */
  enqueueMutations(count: number): Promise<EnqueueResult>;
  timePush(): Promise<PushTiming>;
  investigateTodayView(): Promise<TodayViewParts>;
  investigateXlsx(count: number): Promise<XlsxParts>;
  investigatePull(dbName: string): Promise<PullParts>;
  /** Closes the page's open database (if any) and deletes it. */
  dropDatabase(dbName: string): Promise<void>;
}

declare global {
  interface Window {
    lianxinMoreBench?: MoreBenchApi;
  }
}
