import type { CommandContext, Clock } from '../../src/app/commands/run-command.ts';
import type { AppDB } from '../../src/app/db/app-db.ts';
import type { PlanActor } from '../../src/shared/domain/apply-mutation.ts';

/** 10:00 in Shanghai on a weekday: the day tests run on, never the wall clock. */
export const TEST_NOW = Date.UTC(2026, 2, 10, 2, 0, 0);
export const TEST_WORKER: PlanActor = { role: 'worker', name: '王网格', userId: 'u-worker' };

/** A clock a test can move: `clock.now` is read on every call. */
export function testClock(start = TEST_NOW): Clock & { set(at: number): void; advance(ms: number): void } {
  let now = start;
  const clock = () => now;
  clock.set = (at: number) => void (now = at);
  clock.advance = (ms: number) => void (now += ms);
  return clock;
}

export function contextFor(
  db: AppDB,
  actor: PlanActor = TEST_WORKER,
  now: Clock = () => TEST_NOW,
): CommandContext {
  return { db, actor, now };
}
