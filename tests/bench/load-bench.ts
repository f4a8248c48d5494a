/**
 * A bounded load test (`npm run bench -- --only load`, never in the default run): 1,000 simulated
 * devices against TWO server processes over one PostgreSQL, on loopback. Each device signs in once,
 * then keeps the app's rhythm compressed in time: every cycle (the app's 60 s, here CYCLE_MS) it
 * pushes a few writes and pulls from its cursor. Its requests alternate between the two processes,
 * as behind a load balancer. It stops by itself after CYCLES cycles, then checks in the database that
 * every device's writes landed exactly once, and that a fresh pull of each account shows them at
 * their last values.
 *
 * The devices and their town are in load-devices.ts, the checks after the run in load-check.ts; HTTP,
 * bench accounts and the workers' mutations come from push-load.ts, process CPU from process-cpu.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openStore, type Store } from '../../src/server/store/store.ts';
import { createDatabase, startPostgres, type PgCluster } from '../support/postgres.ts';
import { startServer, type ServerProcess } from '../support/server-processes.ts';
import { checkDatabase, checkPulls } from './load-check.ts';
import {
  ACCOUNTS,
  CYCLE_MS,
  CYCLES,
  DEVICES,
  DEVICES_PER_ACCOUNT,
  Load,
  LOAD_HOUSEHOLDS,
  PROCESSES,
  PULL_LIMIT,
  push,
  REAL_CYCLE_S,
  runDevice,
  seed,
  WRITES_PER_CYCLE,
  type Kind,
} from './load-devices.ts';
import { pidListeningOn, postgresCpuSeconds, processCpuSeconds } from './process-cpu.ts';
import { progress } from './progress.ts';
import { httpAgent, KDF_NOTE, loadNote, seconds, serverEnv, staleSockets } from './push-load.ts';
import { figure, type MeasuredFigure } from './report.ts';
import { percentile, round } from './stats.ts';

const POOL_SIZE = 16;
const P99_TARGET_MS = 200;

/**
 * What PostgreSQL's sessions are waiting for, sampled while the load runs: for each wait (type, event
 * and the statement's start), the most sessions seen in it at once.
 */
class WaitSampler {
  readonly most = new Map<string, number>();
  samples = 0;
  #busy = false;
  readonly #timer: NodeJS.Timeout;
  constructor(readonly store: Store) {
    this.#timer = setInterval(() => void this.#sample(), 500);
  }

  async #sample() {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const rows = await this.store.sql.all<{ wait: string | null; query: string; n: number | string }>(
        `SELECT COALESCE(wait_event_type || ':' || wait_event, 'on CPU') AS wait,
           regexp_replace(left(query, 48), '\\s+', ' ', 'g') AS query, COUNT(*) AS n
         FROM pg_stat_activity
         WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()
         GROUP BY 1, 2`,
      );
      this.samples++;
      for (const row of rows) {
        const key = `${row.wait} (${row.query.trim()})`;
        this.most.set(key, Math.max(this.most.get(key) ?? 0, Number(row.n)));
      }
    } catch {
      // A sample lost is no matter.
    } finally {
      this.#busy = false;
    }
  }

  stop() {
    clearInterval(this.#timer);
  }

  top(count: number): string {
    return [...this.most]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, n]) => `${n} x ${key}`)
      .join('; ');
  }
}

export async function runLoadBench(): Promise<MeasuredFigure[]> {
  const started = performance.now();
  let cluster: PgCluster | undefined;
  let servers: ServerProcess[] = [];
  let store: Store | undefined;
  try {
    progress('load: starting a fresh PostgreSQL cluster');
    cluster = await startPostgres();
    const url = await createDatabase(cluster, `bench_load_${process.pid}`);
    store = await openStore({ url, poolSize: 4 });
    progress(`load: seeding the demo town (${LOAD_HOUSEHOLDS} households), ${ACCOUNTS} accounts`);
    const seeded = await seed(store);
    // What a running PostgreSQL's autovacuum would have done by now: planner statistics.
    await store.sql.run('ANALYZE');
    progress(`load: ${seeded.records} records; starting ${PROCESSES} server processes over one PostgreSQL`);
    const env = serverEnv({ DEMO: 'off', DATABASE_POOL: String(POOL_SIZE) });
    servers = await Promise.all(
      Array.from({ length: PROCESSES }, () => startServer({ databaseUrl: url, env })),
    );
    const pids = servers.map((s) => pidListeningOn(s.port));
    const load = new Load(servers.map((s) => s.url));
    const lag = monitorEventLoopDelay({ resolution: 10 });
    progress(
      `load: ${DEVICES} devices (${ACCOUNTS} accounts x ${DEVICES_PER_ACCOUNT}), ${CYCLES} cycles of ${CYCLE_MS / 1000} s ` +
        `(the app's ${REAL_CYCLE_S} s, ${REAL_CYCLE_S / (CYCLE_MS / 1000)}x compressed), ${WRITES_PER_CYCLE} writes per cycle`,
    );
    const cpuBefore = {
      servers: pids.map((pid) => (pid === undefined ? NaN : processCpuSeconds(pid))),
      database: postgresCpuSeconds(cluster),
      own: process.cpuUsage(),
    };
    const waits = new WaitSampler(store);
    const staleBefore = staleSockets.retried;
    lag.enable();
    const t0 = performance.now() + 200;
    const ticker = setInterval(() => {
      const recent = load.samples.filter((s) => s.at > performance.now() - 1000);
      progress(`load: ${load.samples.length} requests, ${recent.length}/s now, ${load.errors.length} errors`);
    }, 10_000);
    try {
      await Promise.all(seeded.devices.map((device) => runDevice(load, device, t0)));
    } finally {
      clearInterval(ticker);
      waits.stop();
    }
    const t1 = performance.now();
    lag.disable();
    const cpu = {
      servers: pids.map((pid, i) =>
        pid === undefined ? NaN : processCpuSeconds(pid) - cpuBefore.servers[i]!,
      ),
      database: postgresCpuSeconds(cluster) - cpuBefore.database,
      own: (() => {
        const own = process.cpuUsage(cpuBefore.own);
        return (own.user + own.system) / 1e6;
      })(),
    };
    // What a failed push left queued goes out now, as the app's next sync would (not timed or counted).
    const queued = seeded.devices.reduce((sum, d) => sum + d.outbox.length, 0);
    const flush = new Load(load.origins);
    await Promise.all(seeded.devices.filter((d) => d.outbox.length > 0).map((d) => push(flush, d)));
    const left = seeded.devices.reduce((sum, d) => sum + d.outbox.length, 0);
    const runMs = t1 - t0;
    const all = load.samples.map((s) => s.ms);
    const of = (kind: Kind) => load.samples.filter((s) => s.kind === kind).map((s) => s.ms);
    // Held: the rate while every device cycles (after the first cycle's sign-ins, before the last ends).
    const steadyFrom = t0 + CYCLE_MS;
    const steadyTo = t0 + (CYCLES - 1) * CYCLE_MS;
    const steady = load.samples.filter((s) => s.at >= steadyFrom && s.at < steadyTo);
    const buckets = new Map<number, number>();
    for (const s of steady)
      buckets.set(
        Math.floor((s.at - steadyFrom) / 1000),
        (buckets.get(Math.floor((s.at - steadyFrom) / 1000)) ?? 0) + 1,
      );
    const perSecond = [...buckets.values()];
    const held = steady.length / ((steadyTo - steadyFrom) / 1000);
    const writes = seeded.devices.reduce((sum, d) => sum + d.written, 0);
    const p50 = percentile(all, 50);
    const p99 = percentile(all, 99);
    const slip = percentile(load.slips, 99);
    progress(
      `load: ${load.samples.length} requests in ${seconds(runMs)}, held ${held.toFixed(0)}/s; p50 ${p50.toFixed(1)} ms, ` +
        `p99 ${p99.toFixed(1)} ms; ${load.errors.length} errors${load.errors[0] ? ` (first: ${load.errors[0]})` : ''}; ` +
        `servers CPU ${cpu.servers.map((s) => s.toFixed(1)).join(' + ')} s, PostgreSQL ${cpu.database.toFixed(1)} s, ` +
        `load generator ${cpu.own.toFixed(1)} s`,
    );

    progress('load: checking every write in the database and in a fresh pull of each account');
    const inDatabase = await checkDatabase(store, seeded);
    const inPulls = await checkPulls(load.origins, seeded);
    const lost = inDatabase.lost + inPulls.lost + left;
    const doubled = inDatabase.doubled + inPulls.doubled;
    progress(`load: lost ${lost}, doubled ${doubled} ${[...inDatabase.notes, ...inPulls.notes].join('; ')}`);

    const setup =
      `${DEVICES} simulated devices (${ACCOUNTS} worker accounts spread over the demo town's ${seeded.grids} grids, ` +
      `${DEVICES_PER_ACCOUNT} devices = clientIds each; demo town of ${LOAD_HOUSEHOLDS} households, ${seeded.records} records), ` +
      `each signing in once at its phase in the first cycle, then every ${CYCLE_MS / 1000} s (the app's ${REAL_CYCLE_S} s ` +
      `sync rhythm ${REAL_CYCLE_S / (CYCLE_MS / 1000)}x compressed) queueing ${WRITES_PER_CYCLE} writes (household.update ` +
      `and visit.record in turn, on households no other device writes) and pushing them, then pulling from its cursor ` +
      `(limit ${PULL_LIMIT}; devices start synced to the seeded version ${seeded.startVersion}, so pulls carry the ` +
      `others' writes); ${CYCLES} cycles, ${seconds(runMs)} in all; requests alternate between ${PROCESSES} server ` +
      `processes (startServer, DEMO=off, DATABASE_POOL=${POOL_SIZE}) over one fresh PostgreSQL cluster (fsync off), on ` +
      `loopback with keep-alive (node:http Agent); ${KDF_NOTE}`;
    const cpuNote =
      `CPU in the run: server processes ${cpu.servers.map((s) => `${s.toFixed(1)} s`).join(' and ')}, PostgreSQL ` +
      `${cpu.database.toFixed(1)} s, load generator ${cpu.own.toFixed(1)} s (one machine, ${loadNote()}; its event ` +
      `loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, which every latency here includes); PostgreSQL ` +
      `sessions at once, most seen in ${waits.samples} samples of pg_stat_activity: ${waits.top(5)}`;
    const kinds = (['login', 'push', 'pull'] as const)
      .map((kind) => {
        const samples = of(kind);
        return `${kind} ${samples.length} (p50 ${percentile(samples, 50).toFixed(1)}, p99 ${percentile(samples, 99).toFixed(1)} ms)`;
      })
      .join(', ');
    const elapsed = seconds(performance.now() - started);
    return [
      figure(
        'load: requests per second held (1,000 devices, 2 processes, PostgreSQL)',
        round(held, 0),
        '/s',
        `context, no target: offered ${Math.round((DEVICES * 2) / (CYCLE_MS / 1000))}/s (a push and a pull per device ` +
          `per cycle); ${steady.length} requests answered between the end of the first cycle and the start of ` +
          `the last (1-s buckets ${Math.min(...perSecond)}-${Math.max(...perSecond)}/s), ${load.samples.length} in all ` +
          `(${load.perProcess.join(' + ')} per process); ${writes} writes; ${load.cycles} of ${DEVICES * CYCLES} device ` +
          `cycles run (${load.skipped} dropped by devices more than a cycle behind); cycles started late by p99 ${slip.toFixed(0)} ms ` +
          `(max ${Math.max(...load.slips).toFixed(0)} ms) against their schedule; ${setup}; whole group ${elapsed}`,
      ),
      figure(
        'load: p50 latency',
        round(p50, 1),
        'ms',
        `context, no target: every request (${kinds}), sent to answer received, in the load generator; ${cpuNote}`,
      ),
      figure(
        'load: p99 latency',
        round(p99, 1),
        'ms',
        `every request, as p50; max ${Math.max(...all).toFixed(0)} ms`,
        P99_TARGET_MS,
      ),
      figure(
        'load: errors',
        load.errors.length,
        'errors',
        (load.errors.length === 0
          ? 'no request failed or answered other than 2xx, and every pushed mutation was applied'
          : `requests that failed or answered other than 2xx, and pushed mutations not applied; first: ` +
            load.errors.filter(Boolean).slice(0, 3).join(' | ')) +
          `; not counted: ${staleSockets.retried - staleBefore} requests sent again because the kept-alive socket ` +
          `they got had just been closed by the server (ECONNRESET on a reused socket, keep-alive's race)`,
        0,
      ),
      figure(
        'load: lost or doubled writes',
        lost + doubled,
        'writes',
        `lost ${lost}, doubled ${doubled}: after the run, each device's mutation_log holds exactly ids 1..n it sent, once ` +
          `each, all applied, and clients.last_mutation_id = n; records written by each clientId are exactly its ` +
          `households, visits and needs (none missing or extra); a fresh pull of each account (over both processes) ` +
          `has every household of its devices at the last notes written and every visit and need; ${queued} writes ` +
          `were still queued after a failed push when the run ended and were pushed once more, ${left} of them never landed` +
          (inDatabase.notes.length + inPulls.notes.length > 0
            ? ` (${[...inDatabase.notes, ...inPulls.notes].join('; ')})`
            : ''),
        0,
      ),
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await store?.close();
    httpAgent.destroy();
    await cluster?.stop();
  }
}
