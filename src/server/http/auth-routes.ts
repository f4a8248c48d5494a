import type { Hono, MiddlewareHandler } from 'hono';
import {
  loginRequestSchema,
  mutationSchema,
  passwordChangeSchema,
  type DeviceStatus,
  type LoginResponse,
  type User,
} from '../../shared/protocol.ts';
import { bearerToken, hashPassword, hashToken, newToken, SESSION_TTL_MS, verifyPassword } from '../auth.ts';
import { scopeFor, type Scope } from '../scope.ts';
import type { Store, StoredUser } from '../store/store.ts';
import { ApiFailure, clientAddress, parseOr400, readJson, type AppEnv, type ServerDeps } from './context.ts';

/** Failed logins one address may make across all usernames before it waits (spraying many names). */
const MAX_FAILURES_PER_ADDRESS = 50;

/** The user as the device sees it: gridIds are every grid they cover (all of them for center and admin). */
export async function publicUser(user: StoredUser, scope: Scope, store: Store): Promise<User> {
  const gridIds =
    scope.gridIds === null
      ? (await store.records.gridTree(user.townId)).map((g) => g.id)
      : [...scope.gridIds];
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    role: user.role,
    gridIds,
    ...(user.departmentId ? { departmentId: user.departmentId } : {}),
  };
}

/** Requires `Authorization: Bearer <token>` of a live session of a live account; sets user and scope. */
export function requireAuth(deps: ServerDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) throw new ApiFailure(401, 'unauthorized', '请先登录');
    const tokenHash = hashToken(token);
    const found = await deps.store.accounts.sessionWithUser(tokenHash);
    const session = found?.session;
    if (!session || session.revokedAt !== null || session.expiresAt <= deps.now())
      throw new ApiFailure(401, 'unauthorized', '登录已失效，请重新登录');
    const user = found.user;
    if (user.revokedAt !== null) throw new ApiFailure(401, 'unauthorized', '账号已停用，请联系管理员');
    c.set('user', user);
    c.set('tokenHash', tokenHash);
    c.set('scope', scopeFor(user, await deps.store.records.gridTree(user.townId)));
    await next();
  };
}

export function registerAuthRoutes(app: Hono<AppEnv>, deps: ServerDeps) {
  const { store, throttle } = deps;
  // Unknown usernames still cost one hash, so response time does not reveal which accounts exist.
  let dummyHash: Promise<string> | undefined;

  app.post('/api/login', async (c) => {
    const body = parseOr400(loginRequestSchema, await readJson(c));
    const address = clientAddress(c, deps.trustProxy);
    const userKey = `user:${body.username.toLowerCase()}|${address}`;
    const addressKey = `address:${address}`;
    const wait = Math.max(
      await throttle.retryAfter(userKey),
      await throttle.retryAfter(addressKey, MAX_FAILURES_PER_ADDRESS),
    );
    if (wait > 0) {
      await store.journal.audit(null, deps.now(), null, 'login-throttled', {
        username: body.username,
        address,
      });
      const minutes = Math.ceil(wait / 60_000);
      throw new ApiFailure(429, 'too-many-requests', `登录失败次数过多，请 ${minutes} 分钟后再试`, {
        'Retry-After': String(Math.ceil(wait / 1000)),
      });
    }
    const user = await store.accounts.byUsername(body.username);
    dummyHash ??= hashPassword('not a password', deps.kdf);
    const isValid = await verifyPassword(body.password, user?.passwordHash ?? (await dummyHash));
    if (!user || !isValid) {
      await throttle.fail(userKey);
      await throttle.fail(addressKey);
      await store.journal.audit(user?.townId ?? null, deps.now(), user?.id ?? null, 'login-failed', {
        username: body.username,
        address,
      });
      throw new ApiFailure(401, 'unauthorized', '用户名或密码错误');
    }
    if (user.revokedAt !== null) {
      await store.journal.audit(user.townId, deps.now(), user.id, 'login-refused', {
        reason: 'revoked',
        address,
      });
      throw new ApiFailure(401, 'unauthorized', '账号已停用，请联系管理员');
    }
    await throttle.succeed(userKey);
    const token = newToken();
    const now = deps.now();
    await store.accounts.insertSession(hashToken(token), user.id, now, now + SESSION_TTL_MS);
    await store.journal.audit(user.townId, now, user.id, 'login', { address });
    const response: LoginResponse = {
      token,
      user: await publicUser(user, scopeFor(user, await store.records.gridTree(user.townId)), store),
    };
    return c.json(response);
  });

  app.post('/api/logout', requireAuth(deps), async (c) => {
    await store.accounts.revokeSession(c.get('tokenHash'), deps.now());
    await store.journal.audit(c.get('user').townId, deps.now(), c.get('user').id, 'logout');
    return c.json({ ok: true });
  });

  // The user's own password (after the administrator's initial one). Wrong guesses count toward the
  // same lockout as sign-in, so a phone left signed in cannot be used to find the password out.
  app.post('/api/me/password', requireAuth(deps), async (c) => {
    const body = parseOr400(passwordChangeSchema, await readJson(c));
    const user = c.get('user');
    const userKey = `user:${user.username}|${clientAddress(c, deps.trustProxy)}`;
    const wait = await throttle.retryAfter(userKey);
    if (wait > 0)
      throw new ApiFailure(
        429,
        'too-many-requests',
        `尝试次数过多，请 ${Math.ceil(wait / 60_000)} 分钟后再试`,
        {
          'Retry-After': String(Math.ceil(wait / 1000)),
        },
      );
    if (!(await verifyPassword(body.current, user.passwordHash))) {
      await throttle.fail(userKey);
      throw new ApiFailure(403, 'forbidden', '当前密码不对');
    }
    if (body.current === body.next) throw new ApiFailure(400, 'invalid-request', '新密码不能与当前密码相同');
    const hash = await hashPassword(body.next, deps.kdf);
    await store.transaction((tx) => tx.accounts.setPassword(user.id, hash, deps.now(), c.get('tokenHash')));
    await store.journal.audit(user.townId, deps.now(), user.id, 'change-password');
    return c.json({ ok: true });
  });

  // A phone whose storage was wiped asks what the server received from its old database (the id it
  // remembers outside IndexedDB), to tell the worker exactly how many writes never arrived. Only the
  // caller's own devices: another account's id is answered as unknown, so ids reveal nothing.
  app.get('/api/me/devices/:clientId', requireAuth(deps), async (c) => {
    const clientId = parseOr400(mutationSchema.shape.clientId, c.req.param('clientId'));
    const activity = await store.clients.activity(clientId);
    if (!activity || activity.userId !== c.get('user').id)
      throw new ApiFailure(404, 'not-found', '服务器没有收到过这台设备的数据');
    const response: DeviceStatus = {
      clientId,
      lastMutationId: activity.lastMutationId,
      lastMutationAt: activity.lastMutationAt,
      firstSeenAt: activity.firstSeenAt,
    };
    return c.json(response);
  });

  app.get('/api/me', requireAuth(deps), async (c) =>
    c.json({ user: await publicUser(c.get('user'), c.get('scope'), store) }),
  );
}
