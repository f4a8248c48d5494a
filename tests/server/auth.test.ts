import { beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, LoginThrottle, SESSION_TTL_MS, verifyPassword } from '../../src/server/auth.ts';
import { loginResponseSchema } from '../../src/shared/protocol.ts';
import { createHarness, errorOf, PASSWORD, T0, TEST_KDF, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ households: 50 });
});

describe('passwords', () => {
  it('hashes with scrypt, a fresh salt each time, and verifies only the right password', async () => {
    const a = await hashPassword('秘密 password', TEST_KDF);
    const b = await hashPassword('秘密 password', TEST_KDF);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('秘密 password', a)).toBe(true);
    expect(await verifyPassword('秘密 passwore', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('stores no password or token in the clear', async () => {
    const token = await h.login('wgy01');
    const dump = JSON.stringify([
      await h.store.sql.all('SELECT * FROM users'),
      await h.store.sql.all('SELECT * FROM sessions'),
    ]);
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(token);
  });
});

describe('login', () => {
  it('answers a token and the user with the grids they cover', async () => {
    const response = await h.call('POST', '/api/login', { body: { username: 'wgy01', password: PASSWORD } });
    expect(response.status).toBe(200);
    const body = loginResponseSchema.parse(await response.json());
    expect(body.user).toMatchObject({ username: 'wgy01', role: 'worker', gridIds: [h.grid('XF-01')] });
    const me = await h.call('GET', '/api/me', { token: body.token });
    expect(await me.json()).toEqual({ user: body.user });
    const audit = await h.store.journal.auditLog(h.townId, 10, 'login');
    expect(audit[0]).toMatchObject({ userId: body.user.id, action: 'login' });
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    for (const body of [
      { username: 'wgy01', password: 'wrong' },
      { username: 'nobody', password: PASSWORD },
    ]) {
      const response = await h.call('POST', '/api/login', { body });
      expect(await errorOf(response)).toEqual({
        status: 401,
        reason: 'unauthorized',
        message: '用户名或密码错误',
      });
    }
    // The wrong password is the town's; a name no town has belongs to no town.
    const failed = [
      ...(await h.store.journal.auditLog(h.townId, 10, 'login-failed')),
      ...(await h.store.journal.auditLog(null, 10, 'login-failed')),
    ];
    expect(failed.map((e) => (e.detail as { username: string }).username).sort()).toEqual([
      'nobody',
      'wgy01',
    ]);
  });

  it('throttles a username after 5 failures, even with the right password, until the window passes', async () => {
    for (let i = 0; i < 5; i++)
      expect(
        (await h.call('POST', '/api/login', { body: { username: 'wgy01', password: 'bad' } })).status,
      ).toBe(401);
    const locked = await h.call('POST', '/api/login', { body: { username: 'wgy01', password: PASSWORD } });
    expect(await errorOf(locked)).toMatchObject({ status: 429, reason: 'too-many-requests' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same place is not locked by these failures.
    expect(
      (await h.call('POST', '/api/login', { body: { username: 'wgy02', password: PASSWORD } })).status,
    ).toBe(200);
    h.clock.now += 15 * 60 * 1000;
    expect(
      (await h.call('POST', '/api/login', { body: { username: 'wgy01', password: PASSWORD } })).status,
    ).toBe(200);
  });

  it('refuses a malformed login body with 400', async () => {
    expect(await errorOf(await h.call('POST', '/api/login', { body: { username: '' } }))).toMatchObject({
      status: 400,
      reason: 'invalid-request',
    });
  });
});

describe('LoginThrottle', () => {
  it('counts failures per key in the database: another server process sees them, the window ends them', async () => {
    let now = T0;
    const options = { maxFailures: 3, windowMs: 60_000, now: () => now };
    const one = new LoginThrottle(h.store.accounts, options);
    const other = new LoginThrottle(h.store.accounts, options);
    const key = 'user:wgy01|10.0.0.1';
    for (let i = 0; i < 2; i++) await one.fail(key);
    expect(await other.retryAfter(key)).toBe(0);
    await other.fail(key);
    // Three failures from either process: both refuse until the window ends.
    expect(await one.retryAfter(key)).toBe(60_000);
    expect(await other.retryAfter(key)).toBe(60_000);
    expect(await one.retryAfter(key, 10)).toBe(0);
    expect(await one.retryAfter('user:wgy01|10.0.0.2')).toBe(0);
    now += 45_000;
    expect(await other.retryAfter(key)).toBe(15_000);
    now += 15_000;
    expect(await other.retryAfter(key)).toBe(0);
    // A failure after the window starts a new one, counting from one.
    await one.fail(key);
    expect(await h.store.accounts.failures(key)).toEqual({ count: 1, resetAt: now + 60_000 });
    await one.succeed(key);
    expect(await h.store.accounts.failures(key)).toBeUndefined();

    // Forgetting an account's failures (a password reset) forgets them from every address, and only them.
    const elsewhere = 'user:wgy01|10.0.0.2';
    for (const k of [key, elsewhere, 'user:wgy010|10.0.0.1', 'address:10.0.0.1'])
      for (let i = 0; i < 3; i++) await one.fail(k);
    await other.forgetPrefix('user:wgy01|');
    expect(await one.retryAfter(key)).toBe(0);
    expect(await one.retryAfter(elsewhere)).toBe(0);
    expect(await one.retryAfter('user:wgy010|10.0.0.1')).toBe(60_000);
    expect(await one.retryAfter('address:10.0.0.1')).toBe(60_000);
  });
});

describe('sessions', () => {
  it('refuses requests without a token, with a malformed one, or with a token in the URL', async () => {
    const token = await h.login('wgy01');
    expect((await h.call('GET', '/api/me')).status).toBe(401);
    expect((await h.call('GET', '/api/me', { headers: { authorization: 'Bearer nonsense' } })).status).toBe(
      401,
    );
    expect((await h.call('GET', `/api/me?token=${token}`)).status).toBe(401);
    expect((await h.call('GET', '/api/me', { headers: { authorization: `Basic ${token}` } })).status).toBe(
      401,
    );
  });

  it('refuses the token after logout, while other sessions of the user go on', async () => {
    const phone = await h.login('wgy01');
    const tablet = await h.login('wgy01');
    expect((await h.call('POST', '/api/logout', { token: phone })).status).toBe(200);
    expect(await errorOf(await h.call('GET', '/api/me', { token: phone }))).toMatchObject({
      status: 401,
      reason: 'unauthorized',
    });
    expect((await h.call('GET', '/api/me', { token: tablet })).status).toBe(200);
  });

  it('expires a session after 30 days', async () => {
    const token = await h.login('wgy01');
    h.clock.now += SESSION_TTL_MS + 1;
    expect((await h.call('GET', '/api/me', { token })).status).toBe(401);
  });

  it('refuses every session of a revoked user, and the user can no longer log in', async () => {
    const worker = await h.login('wgy01');
    const admin = await h.login('admin');
    const me = (await (await h.call('GET', '/api/me', { token: worker })).json()) as { user: { id: string } };
    const revoke = await h.call('POST', `/api/admin/users/${me.user.id}/revoke`, { token: admin });
    expect(revoke.status).toBe(200);
    expect((await h.call('GET', '/api/me', { token: worker })).status).toBe(401);
    expect(
      await errorOf(await h.call('POST', '/api/login', { body: { username: 'wgy01', password: PASSWORD } })),
    ).toEqual({
      status: 401,
      reason: 'unauthorized',
      message: '账号已停用，请联系管理员',
    });
    expect((await h.store.journal.auditLog(h.townId, 5, 'revoke-user'))[0]).toMatchObject({
      detail: { username: 'wgy01' },
    });
  });

  it('lets only an admin revoke, and not their own account', async () => {
    const leader = await h.login('wgz01');
    const admin = await h.login('admin');
    const users = (await (await h.call('GET', '/api/admin/users', { token: admin })).json()) as {
      users: { id: string; username: string; passwordHash?: string }[];
    };
    expect(users.users.every((u) => u.passwordHash === undefined)).toBe(true);
    const worker = users.users.find((u) => u.username === 'wgy01')!;
    const self = users.users.find((u) => u.username === 'admin')!;
    expect((await h.call('POST', `/api/admin/users/${worker.id}/revoke`, { token: leader })).status).toBe(
      403,
    );
    expect((await h.call('POST', `/api/admin/users/${self.id}/revoke`, { token: admin })).status).toBe(400);
    expect((await h.call('POST', '/api/admin/users/nobody/revoke', { token: admin })).status).toBe(404);
  });
});
