/**
 * A down server is not hammered (issue: one phone sent ~140 pushes a second until the server came back).
 * Every automatic trigger (Background Sync fires at once while the phone is online, `online`,
 * visibility, the timer, a new write) is held by the backoff; only a person's "立即同步" goes at once;
 * Retry-After is honoured. Simulated time: the engine is given a clock and a scheduler.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppDB } from '../../src/app/db/app-db.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { ApiClient, retryAfterMs } from '../../src/app/sync/api-client.ts';
import { BACKOFF_MAX_MS, SyncEngine } from '../../src/app/sync/sync-engine.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import { TEST_NOW, TEST_WORKER } from '../support/device-context.ts';

const MINUTE = 60_000;

interface Simulation {
  engine: SyncEngine;
  requests: number[];
  /** Advances simulated time to `at`, firing the engine's retry timers that fall due on the way. */
  advanceTo(at: number): Promise<void>;
  now(): number;
}

let db: AppDB;

beforeEach(() => {
  db = new AppDB(`backoff-${newId()}`);
});

afterEach(async () => {
  db.close();
  await db.delete();
});

function simulate(answer: () => Promise<Response>, seed = 42): Simulation {
  let now = TEST_NOW;
  const timers: { at: number; run: () => void }[] = [];
  const requests: number[] = [];
  const api = new ApiClient({
    getToken: () => 'token',
    fetch: () => {
      requests.push(now);
      return answer();
    },
  });
  const engine = new SyncEngine({
    db,
    api,
    actor: () => TEST_WORKER,
    pinyin: loadPinyin,
    now: () => now,
    random: seededRandom(seed),
    schedule: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => void timers.splice(timers.indexOf(timer) >>> 0, timers.includes(timer) ? 1 : 0);
    },
  });
  return {
    engine,
    requests,
    now: () => now,
    async advanceTo(at) {
      for (;;) {
        const due = timers.filter((t) => t.at <= at).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        now = due.at;
        due.run();
        await engine.sync({ isManual: false }).catch(() => undefined);
      }
      now = at;
    },
  };
}

const down = () => Promise.reject(new TypeError('connection refused'));

/** Triggers every 100 ms of simulated time for `minutes`: what Chromium's Background Sync did. */
async function stormOfTriggers(sim: Simulation, minutes: number) {
  const end = sim.now() + minutes * MINUTE;
  while (sim.now() < end) {
    await sim.advanceTo(sim.now() + 100);
    await sim.engine.sync();
  }
}

const perMinute = (requests: number[]) => {
  const counts = new Map<number, number>();
  for (const at of requests) {
    const minute = Math.floor((at - TEST_NOW) / MINUTE);
    counts.set(minute, (counts.get(minute) ?? 0) + 1);
  }
  return counts;
};

describe('backoff holds against every automatic trigger', () => {
  it('ten minutes of triggers against a down server stay within the schedule', async () => {
    const sim = simulate(down);
    await stormOfTriggers(sim, 10);
    const counts = perMinute(sim.requests);
    // 2 s doubling to 5 min with jitter: at most ~7 tries in the first minute, then a few a minute.
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(7);
    expect(sim.requests.length).toBeLessThanOrEqual(12);
    // And it keeps trying: the last try is no more than the longest backoff ago.
    expect(sim.now() - sim.requests.at(-1)!).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });

  it('a person tapping 立即同步 goes at once, backoff or not', async () => {
    const sim = simulate(down);
    await sim.engine.sync();
    expect(sim.requests).toHaveLength(1);
    await sim.engine.sync();
    expect(sim.requests).toHaveLength(1);
    await sim.engine.sync({ isManual: true });
    expect(sim.requests).toHaveLength(2);
  });

  it('Retry-After from a busy server is honoured', async () => {
    const busy = () =>
      Promise.resolve(
        new Response(JSON.stringify({ error: { reason: 'too-many-requests', message: '稍后再试' } }), {
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '120' },
        }),
      );
    const sim = simulate(busy);
    await stormOfTriggers(sim, 4);
    const gaps = sim.requests.slice(1).map((at, i) => at - sim.requests[i]!);
    expect(gaps.length).toBeGreaterThan(0);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(120_000);
  });

  it('phones that failed together spread out (jitter)', async () => {
    const retries = new Set<number>();
    for (let phone = 1; phone <= 20; phone++) {
      const sim = simulate(down, phone);
      await sim.engine.sync();
      retries.add(sim.engine.retryAt - sim.now());
    }
    // The first retry falls anywhere in 1-2 s, not on one instant for every phone.
    expect(retries.size).toBeGreaterThan(15);
    expect(Math.min(...retries)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...retries)).toBeLessThanOrEqual(2_000);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    expect(retryAfterMs('30', TEST_NOW)).toBe(30_000);
    expect(retryAfterMs(new Date(TEST_NOW + 90_000).toUTCString(), TEST_NOW)).toBe(90_000);
    expect(retryAfterMs('soon', TEST_NOW)).toBeUndefined();
    expect(retryAfterMs(null, TEST_NOW)).toBeUndefined();
  });
});
