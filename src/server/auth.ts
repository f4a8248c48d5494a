/**
 * Passwords, session tokens and login throttling. Passwords are hashed with scrypt (memory-hard,
 * in node:crypto, no native add-on); tokens are random, handed out once, and stored only as their
 * sha-256, so a copy of the database does not let anyone log in.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Accounts } from './store/accounts.ts';

export interface KdfParams {
  /** CPU/memory cost (a power of two): memory used is 128 * N * r bytes. */
  N: number;
  r: number;
  p: number;
}

/** 2^15 * 8 * 128 = 32 MiB per hash, ~50-100 ms on a small server: costly to guess at, cheap to log in. */
export const DEFAULT_KDF: KdfParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function scryptAsync(password: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The thread pool runs it, so a login does not stall other requests.
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** `scrypt$N$r$p$salt$hash` (base64url): the params travel with the hash, so they can be raised later. */
export async function hashPassword(password: string, params: KdfParams = DEFAULT_KDF): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scryptAsync(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Object.values(params).every((v) => Number.isSafeInteger(v) && v > 0)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** 32 random bytes: unguessable, opaque to the device, sent only in the Authorization header. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The token from `Authorization: Bearer <token>`, or undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const token = match?.[1];
  return token !== undefined && TOKEN_PATTERN.test(token) ? token : undefined;
}

export interface ThrottleOptions {
  /** Failures allowed per key within the window. */
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
}

/**
 * Counts failed logins per key (username + address, and address alone) in a fixed window. The counts
 * are in the database (login_failures), so every server process behind a load balancer sees the same
 * ones and a restart forgets nothing.
 */
export class LoginThrottle {
  readonly #accounts: Accounts;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #failuresSincePrune = 0;

  constructor(accounts: Accounts, options: ThrottleOptions = {}) {
    this.#accounts = accounts;
    this.#maxFailures = options.maxFailures ?? 5;
    this.#windowMs = options.windowMs ?? 15 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds until the key may try again, or 0 when it may try now. */
  async retryAfter(key: string, maxFailures = this.#maxFailures): Promise<number> {
    const entry = await this.#accounts.failures(key);
    const now = this.#now();
    if (!entry || now >= entry.resetAt) return 0;
    return entry.count >= maxFailures ? entry.resetAt - now : 0;
  }

  async fail(key: string) {
    const now = this.#now();
    await this.#accounts.addFailure(key, now, this.#windowMs);
    // Ended windows are swept now and then, so the table holds only live counts.
    if (++this.#failuresSincePrune >= 1_000) {
      this.#failuresSincePrune = 0;
      await this.#accounts.pruneFailures(now);
    }
  }

  succeed(key: string): Promise<void> {
    return this.#accounts.clearFailures(key);
  }

  /** Forgets the failures of every key that starts with `prefix` (an account's, from any address). */
  forgetPrefix(prefix: string): Promise<void> {
    return this.#accounts.clearFailuresWithPrefix(prefix);
  }
}
