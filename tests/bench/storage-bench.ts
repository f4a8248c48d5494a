import { serveStatic } from '@hono/node-server/serve-static';
import type { Page } from '@playwright/test';
import { Hono } from 'hono';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { isSearchableQuery, normalizeQuery } from '../../src/shared/domain/search-keys.ts';
import type {
  BenchPageApi,
  BenchQuery,
  DexieVariant,
  PreparedTown,
  RawVariant,
  SearchTiming,
} from './bench-api.ts';
import {
  callPageApi,
  CPU_THROTTLING_RATE,
  firstPage,
  launchProfile,
  listenOnLoopback,
  makeProfileDir,
  removeDir,
  throttleCpu,
  type LocalServer,
} from './browser.ts';
import { cpuSecondsOfProfile, type CpuSeconds } from './process-cpu.ts';
import { progress } from './progress.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { median, percentile, round } from './stats.ts';

const pageDir = fileURLToPath(new URL('./page/', import.meta.url));
const eventsShim = fileURLToPath(new URL('./page/events-shim.ts', import.meta.url));

/** The demo town as the app loads it (~85,000 people). */
export const FULL_TOWN_HOUSEHOLDS = 23_000;
/**
 * ~3,900 people. PouchDB builds its view at ~11 ms a person under 4x throttling here, so 20,000
 * people would take almost four minutes on its own; --pouch-households picks another size.
 */
export const POUCH_TOWN_HOUSEHOLDS = 1_000;

export interface StorageBenchOptions {
  /** Loads per engine at full size; the median is reported. */
  rounds: number;
  pouchHouseholds: number;
  /** Also time the Dexie prototypes that explain a Dexie/raw ratio above target. */
  investigate: boolean;
}

type Method = keyof BenchPageApi & string;

/** Calls the bench page's API (page/main.ts). */
export function callPage<M extends Method>(
  page: Page,
  method: M,
  ...args: Parameters<BenchPageApi[M]>
): Promise<Awaited<ReturnType<BenchPageApi[M]>>> {
  return callPageApi<BenchPageApi, M>(page, 'lianxinBench', method, args);
}

export interface BenchPage {
  page: Page;
  profileDir: string;
  /** Closes the browser and deletes its profile, with every database in it. */
  close(): Promise<void>;
}

/**
 * The bench page, built once and served on loopback. Every measured load gets a browser of its own
 * on a fresh on-disk profile: Chromium keeps all of an origin's databases in one LevelDB, so a load
 * that follows another (even one whose database was deleted) pays for the compaction the first left
 * behind. In one shared profile the same raw load of 20,000 people took 8.2 s, and 12.9 s two loads later.
 */
export class BenchPageHost {
  private constructor(
    private readonly server: LocalServer,
    private readonly buildDir: string,
  ) {}

  static async start(): Promise<BenchPageHost> {
    const buildDir = await makeProfileDir('page-build');
    progress('building the bench page (vite build tests/bench/page)');
    // A production build, like the app's: dev-mode modules would load and run differently.
    await build({
      configFile: false,
      root: pageDir,
      publicDir: false,
      logLevel: 'warn',
      resolve: { alias: { events: eventsShim } },
      build: { outDir: buildDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
    });
    const app = new Hono();
    app.use('/*', serveStatic({ root: buildDir }));
    return new BenchPageHost(await listenOnLoopback(app.fetch, '127.0.0.1'), buildDir);
  }

  async open(): Promise<BenchPage> {
    const profileDir = await makeProfileDir('storage');
    const context = await launchProfile(profileDir);
    const close = async () => {
      await context.close();
      await removeDir(profileDir);
    };
    try {
      const page = await firstPage(context);
      page.on('pageerror', (error) => progress(`bench page error: ${error.message}`));
      await page.goto(`${this.server.origin}/index.html`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      return { page, profileDir, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.server.close();
    await removeDir(this.buildDir);
  }
}

let dbCounter = 0;
/** Fresh names per run, so no load ever finds a database left by an earlier one. */
const freshDbName = (label: string) => `bench-${label}-${process.pid}-${++dbCounter}`;

type Load =
  { engine: 'raw'; variant: RawVariant } | { engine: 'dexie'; variant: DexieVariant } | { engine: 'pouch' };

interface LoadResult {
  ms: number;
  /**
   * User CPU during the load (see process-cpu.ts): of the page's renderer, which runs the engine's
   * own code, and of the other processes, where IndexedDB writes to disk.
   */
  cpu: CpuSeconds;
  /** Only for PouchDB: bulkDocs and view build, which add up to `ms`. */
  pouch?: { bulkDocsMs: number; viewBuildMs: number };
  town: PreparedTown;
  dbName: string;
  /** The browser holding the loaded database, throttled, for searches; close it when done. */
  site: BenchPage;
}

/**
 * One measured load in a browser of its own: rows are generated unthrottled (not part of any
 * figure), then the CPU is throttled and the load timed inside the page.
 */
async function measureLoad(host: BenchPageHost, households: number, load: Load): Promise<LoadResult> {
  const site = await host.open();
  try {
    const town = await callPage(site.page, 'prepare', households);
    const dbName = freshDbName(load.engine);
    // Kept attached for the searches that may follow; it ends with the browser.
    await throttleCpu(site.page, CPU_THROTTLING_RATE);
    const cpuBefore = await cpuSecondsOfProfile(site.profileDir);
    const cpuSince = async (): Promise<CpuSeconds> => {
      const after = await cpuSecondsOfProfile(site.profileDir);
      return {
        rendererUser: after.rendererUser - cpuBefore.rendererUser,
        otherUser: after.otherUser - cpuBefore.otherUser,
      };
    };
    if (load.engine === 'pouch') {
      const pouch = await callPage(site.page, 'loadPouch', households, dbName);
      return { ms: pouch.bulkDocsMs + pouch.viewBuildMs, cpu: await cpuSince(), pouch, town, dbName, site };
    }
    const ms =
      load.engine === 'raw'
        ? await callPage(site.page, 'loadRaw', households, dbName, load.variant)
        : await callPage(site.page, 'loadDexie', households, dbName, load.variant);
    return { ms, cpu: await cpuSince(), town, dbName, site };
  } catch (error) {
    await site.close();
    throw error;
  }
}

type Sample = Pick<LoadResult, 'ms' | 'cpu'>;

/** A load whose database is not needed afterwards: the browser and its profile go at once. */
async function measureLoadOnly(host: BenchPageHost, households: number, load: Load): Promise<Sample> {
  const { ms, cpu, site } = await measureLoad(host, households, load);
  await site.close();
  return { ms, cpu };
}

/** Every searchable prefix of a query, as the app searches on each keystroke (Search.svelte). */
function keystrokesOf(query: string): string[] {
  const characters = [...query];
  return characters
    .map((_, i) => characters.slice(0, i + 1).join(''))
    .filter((prefix) => isSearchableQuery(normalizeQuery(prefix)));
}

function hitsNote(timing: SearchTiming, queries: number): string {
  return `${queries} searches, ${timing.queriesWithHits} found something (${timing.totalHits} results in all)`;
}

function describeQueries(queries: readonly BenchQuery[]): string {
  const examples = (['name', 'pinyin', 'phone', 'id-tail', 'address'] as const)
    .map((kind) => queries.find((q) => q.kind === kind)?.text)
    .filter(Boolean)
    .join(', ');
  return `name starts, pinyin initials, 4 phone digits, ID tails, address starts, 40 each, fixed seed (e.g. ${examples})`;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

export async function runStorageBench(options: StorageBenchOptions): Promise<MeasuredFigure[]> {
  const host = await BenchPageHost.start();
  try {
    return [
      ...(await attempt('Load and search the demo town (raw, Dexie)', () => fullTownFigures(host, options))),
      ...(await attempt('PouchDB, smaller town', () => pouchFigures(host, options))),
      ...(options.investigate
        ? await attempt('Investigate Dexie', () => investigateDexie(host, options))
        : []),
    ];
  } finally {
    await host.stop();
  }
}

const wallMs = (samples: readonly Sample[]) => samples.map((sample) => sample.ms);
const rendererCpuMs = (samples: readonly Sample[]) => samples.map((sample) => sample.cpu.rendererUser * 1000);
const otherCpuMs = (samples: readonly Sample[]) => samples.map((sample) => sample.cpu.otherUser * 1000);
const cpuNote = (sample: Sample) =>
  `CPU: page ${sample.cpu.rendererUser.toFixed(1)} s, browser ${sample.cpu.otherUser.toFixed(1)} s`;

async function fullTownFigures(
  host: BenchPageHost,
  { rounds }: StorageBenchOptions,
): Promise<MeasuredFigure[]> {
  const samples: Record<'raw' | 'dexie', Sample[]> = { raw: [], dexie: [] };
  let searchSite: LoadResult | undefined;
  try {
    for (let round = 1; round <= rounds; round++) {
      // Alternating which goes first keeps any drift on the machine from favouring one engine.
      const order = round % 2 === 1 ? (['raw', 'dexie'] as const) : (['dexie', 'raw'] as const);
      for (const engine of order) {
        let sample: Sample;
        if (engine === 'raw') {
          sample = await measureLoadOnly(host, FULL_TOWN_HOUSEHOLDS, { engine, variant: 'auto-commit' });
        } else {
          // The last Dexie load stays open: the search figures run on it.
          await searchSite?.site.close();
          sample = searchSite = await measureLoad(host, FULL_TOWN_HOUSEHOLDS, { engine, variant: 'app' });
        }
        samples[engine].push(sample);
        progress(
          `load demo town, ${engine}, round ${round}/${rounds}: ${seconds(sample.ms)} s (${cpuNote(sample)})`,
        );
      }
    }
    if (!searchSite) throw new Error('no Dexie load to search');
    const { town } = searchSite;
    const raw = median(wallMs(samples.raw));
    const dexie = median(wallMs(samples.dexie));
    const rawCpu = median(rendererCpuMs(samples.raw));
    const dexieCpu = median(rendererCpuMs(samples.dexie));
    const setup =
      `${town.people} people + ${town.households} households (${town.searchKeys} search keys), ` +
      `${CPU_THROTTLING_RATE}x CPU throttling, each load in a fresh browser profile, median of ${rounds}`;
    return [
      figure(
        'Load demo town: raw IndexedDB',
        round(raw / 1000, 2),
        's',
        `${setup} (runs: ${wallMs(samples.raw).map(seconds).join(', ')} s); ` +
          `the app's stores and indexes, put() in 5,000-row transactions`,
      ),
      figure(
        "Load demo town: Dexie (app's storeRegister)",
        round(dexie / 1000, 2),
        's',
        `runs: ${wallMs(samples.dexie).map(seconds).join(', ')} s; rows from toRegisterRows made before the clock`,
      ),
      figure(
        'Load ratio Dexie / raw IndexedDB',
        round(dexie / raw, 2),
        'x',
        'wall-clock medians above; most of a load is IndexedDB work in the browser process, and equal ' +
          'runs on this shared 2-core machine differed by more than 50%, so one round decides little',
        1.2,
      ),
      figure(
        'Load page-CPU ratio Dexie / raw IndexedDB',
        round(dexieCpu / rawCpu, 2),
        'x',
        `user CPU of the page's renderer during the load, the only part Dexie's own code adds to: ` +
          `Dexie ${seconds(dexieCpu)} s, raw ${seconds(rawCpu)} s (browser-process CPU, the IndexedDB backend: ` +
          `Dexie ${seconds(median(otherCpuMs(samples.dexie)))} s, raw ${seconds(median(otherCpuMs(samples.raw)))} s); ` +
          `CPU time grows far less than wall time when other work slows the machine`,
      ),
      ...(await searchFigures(searchSite)),
    ];
  } finally {
    await searchSite?.site.close();
  }
}

async function searchFigures({ site, dbName, town }: LoadResult): Promise<MeasuredFigure[]> {
  const finalQueries = town.queries.map((q) => q.text);
  const keystrokes = finalQueries.flatMap(keystrokesOf);
  progress(
    `search ${town.people} people: ${finalQueries.length} final queries, then ${keystrokes.length} keystrokes`,
  );
  const final = await callPage(site.page, 'searchDexie', dbName, finalQueries);
  const typed = await callPage(site.page, 'searchDexie', dbName, keystrokes);
  await callPage(site.page, 'deleteIdb', dbName);
  const where = `app's search() on the Dexie-loaded demo town, ${CPU_THROTTLING_RATE}x throttling, one untimed search first`;
  return [
    figure(
      'Search p50, final queries (Dexie)',
      round(percentile(final.latenciesMs, 50), 1),
      'ms',
      `${where}; ${describeQueries(town.queries)}`,
    ),
    figure(
      'Search p95, final queries (Dexie)',
      round(percentile(final.latenciesMs, 95), 1),
      'ms',
      `each query searched once as finally typed; ${hitsNote(final, finalQueries.length)}`,
      50,
    ),
    figure(
      'Search p95, every keystroke (Dexie)',
      round(percentile(typed.latenciesMs, 95), 1),
      'ms',
      `each searchable prefix of the same queries, as the app searches on every input (digits from the 4th); ` +
        `p50 ${round(percentile(typed.latenciesMs, 50), 1)} ms; ${hitsNote(typed, keystrokes.length)}`,
      50,
    ),
  ];
}

async function pouchFigures(host: BenchPageHost, { rounds, pouchHouseholds }: StorageBenchOptions) {
  const rawMs: number[] = [];
  let rawLoad: LoadResult | undefined;
  let pouchLoad: LoadResult | undefined;
  try {
    for (let round = 1; round <= rounds; round++) {
      await rawLoad?.site.close();
      rawLoad = await measureLoad(host, pouchHouseholds, { engine: 'raw', variant: 'auto-commit' });
      rawMs.push(rawLoad.ms);
    }
    if (!rawLoad) throw new Error('no raw load at the PouchDB size');
    const { town } = rawLoad;
    const raw = median(rawMs);
    progress(`load ${town.people} people, raw: ${seconds(raw)} s; now PouchDB (bulkDocs, then the view)`);
    pouchLoad = await measureLoad(host, pouchHouseholds, { engine: 'pouch' });
    const { bulkDocsMs, viewBuildMs } = pouchLoad.pouch!;
    progress(`PouchDB: bulkDocs ${seconds(bulkDocsMs)} s, view ${seconds(viewBuildMs)} s; searching both`);
    const queries = town.queries.map((q) => q.text);
    const dexieSearch = await callPage(rawLoad.site.page, 'searchDexie', rawLoad.dbName, queries);
    const pouchSearch = await callPage(pouchLoad.site.page, 'searchPouch', pouchLoad.dbName, queries);
    await callPage(rawLoad.site.page, 'deleteIdb', rawLoad.dbName);
    await callPage(pouchLoad.site.page, 'deletePouch', pouchLoad.dbName);
    const size = `${town.people} people + ${town.households} households`;
    const sameResults =
      dexieSearch.totalHits === pouchSearch.totalHits
        ? 'same result count as Dexie'
        : `result counts differ: Dexie ${dexieSearch.totalHits}, PouchDB ${pouchSearch.totalHits}`;
    return [
      figure(
        'Load smaller town: raw IndexedDB',
        round(raw / 1000, 2),
        's',
        `${size}, median of ${rounds}; the baseline for PouchDB (the full town would take PouchDB minutes)`,
      ),
      figure(
        'Load smaller town: PouchDB',
        round(pouchLoad.ms / 1000, 2),
        's',
        `one run; pouchdb-browser (idb adapter), one database, type field per doc; bulkDocs in 5,000-doc batches ` +
          `${seconds(bulkDocsMs)} s + building the persisted design-doc view emit([type, searchKey]) on its first query ` +
          `${seconds(viewBuildMs)} s (pouchdb-find's createIndex cannot index array elements)`,
      ),
      figure(
        'Load ratio PouchDB / raw IndexedDB',
        round(pouchLoad.ms / raw, 1),
        'x',
        `at ${town.people} people`,
      ),
      figure(
        'Search p95, smaller town (Dexie)',
        round(percentile(dexieSearch.latenciesMs, 95), 1),
        'ms',
        `app's search() on the raw-loaded copy (same schema); p50 ${round(percentile(dexieSearch.latenciesMs, 50), 1)} ms; ` +
          `the same final queries, taken from this town; ${hitsNote(dexieSearch, queries.length)}`,
        50,
      ),
      figure(
        'Search p95, smaller town (PouchDB)',
        round(percentile(pouchSearch.latenciesMs, 95), 1),
        'ms',
        `view key range per type, paged to 30 distinct live docs, households by allDocs; ` +
          `p50 ${round(percentile(pouchSearch.latenciesMs, 50), 1)} ms; ${sameResults}`,
        50,
      ),
    ];
  } finally {
    await rawLoad?.site.close();
    await pouchLoad?.site.close();
  }
}

/** Prototypes for a Dexie/raw ratio above target, each timed like the headline loads. */
async function investigateDexie(
  host: BenchPageHost,
  { rounds }: StorageBenchOptions,
): Promise<MeasuredFigure[]> {
  const loads: Array<[string, Load]> = [
    ['raw auto-commit', { engine: 'raw', variant: 'auto-commit' }],
    ['raw explicit-commit', { engine: 'raw', variant: 'explicit-commit' }],
    ...(
      [
        'app',
        'cache-disabled',
        'no-observability',
        'bulk-add',
        'chunk-1000',
        'chunk-20000',
        'one-transaction',
      ] as const
    ).map((variant): [string, Load] => [`dexie ${variant}`, { engine: 'dexie', variant }]),
  ];
  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const [label, load] of round % 2 === 1 ? loads : [...loads].reverse()) {
      const sample = await measureLoadOnly(host, FULL_TOWN_HOUSEHOLDS, load);
      samples.set(label, [...(samples.get(label) ?? []), sample]);
      progress(`investigate round ${round}/${rounds}: ${label} ${seconds(sample.ms)} s (${cpuNote(sample)})`);
    }
  }
  const baseline = samples.get('raw auto-commit') ?? [];
  const raw = median(wallMs(baseline));
  const rawCpu = median(rendererCpuMs(baseline));
  // The baseline itself is in every note, not a row of its own.
  return [...samples]
    .filter(([label]) => label !== 'raw auto-commit')
    .map(([label, list]) =>
      figure(
        `Investigate: ${label} / raw auto-commit`,
        round(median(wallMs(list)) / raw, 2),
        'x',
        `wall ${seconds(median(wallMs(list)))} s vs ${seconds(raw)} s (runs: ${wallMs(list).map(seconds).join(', ')} s); ` +
          `page CPU ${seconds(median(rendererCpuMs(list)))} s vs ${seconds(rawCpu)} s ` +
          `(${(median(rendererCpuMs(list)) / rawCpu).toFixed(2)}x), browser CPU ${seconds(median(otherCpuMs(list)))} s; ` +
          `demo town, ${CPU_THROTTLING_RATE}x throttling`,
      ),
    );
}
