/**
 * The public endpoints' rate limits, counted in the database table sign-in throttling uses
 * (login_failures: a key, a count and when its window ends), so every server process sees the same
 * counts. Keys start with "public:" and never meet a sign-in key.
 */
import { ApiFailure } from '../http/context.ts';
import type { Store } from '../store/store.ts';

export interface PublicLimit {
  key: string;
  max: number;
  windowMs: number;
  message: string;
}

const MINUTE = 60_000;

export const PUBLIC_LIMITS = {
  /** Reports from one address. */
  reportsPerAddress: { max: 5, windowMs: 10 * MINUTE, message: '提交太频繁了，请 10 分钟后再试' },
  /** Reports on one grid's card, from anywhere. */
  reportsPerToken: {
    max: 30,
    windowMs: 60 * MINUTE,
    message: '这个网格的反映太多了，请稍后再试或拨打服务电话',
  },
  /** Unknown card tokens and tracking codes asked by one address: guessing stops here. */
  missesPerAddress: { max: 20, windowMs: 10 * MINUTE, message: '查询太频繁了，请 10 分钟后再试' },
  /** Ratings and replies from one address. */
  ratingsPerAddress: { max: 10, windowMs: 10 * MINUTE, message: '提交太频繁了，请 10 分钟后再试' },
} as const satisfies Record<string, Omit<PublicLimit, 'key'>>;

export type PublicLimitName = keyof typeof PUBLIC_LIMITS;

const keyOf = (name: PublicLimitName, who: string) => `public:${name}:${who}`;

/** Refuses with 429 (and Retry-After) when the key's window is full. */
export async function checkLimit(store: Store, name: PublicLimitName, who: string, now: number) {
  const limit = PUBLIC_LIMITS[name];
  const entry = await store.accounts.failures(keyOf(name, who));
  if (!entry || now >= entry.resetAt || entry.count < limit.max) return;
  const seconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
  throw new ApiFailure(429, 'too-many-requests', limit.message, { 'Retry-After': String(seconds) });
}

/** Counts one more against the key (a window that has ended starts again at one). */
export async function countLimit(store: Store, name: PublicLimitName, who: string, now: number) {
  await store.accounts.addFailure(keyOf(name, who), now, PUBLIC_LIMITS[name].windowMs);
}

/** Check, then count: for what counts whether or not it succeeds (a report, a rating). */
export async function takeLimit(store: Store, name: PublicLimitName, who: string, now: number) {
  await checkLimit(store, name, who, now);
  await countLimit(store, name, who, now);
}
