import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { newId } from '../../shared/domain/ids.ts';
import { canSeeSensitive } from '../../shared/domain/privacy.ts';
import {
  accountGridsSchema,
  GRID_KINDS_BY_ROLE,
  GRID_ROLES,
  newAccountSchema,
  passwordResetSchema,
  type Account,
} from '../../shared/protocol.ts';
import { GRID_KIND_LABELS } from '../../shared/schemas/grid.ts';
import { CARE_TAGS, type CareTag } from '../../shared/schemas/care-tags.ts';
import { ROLES } from '../../shared/schemas/problem.ts';
import { CONFLICT_LOG_ROLES, gridFilter } from '../scope.ts';
import { hashPassword } from '../auth.ts';
import type { ConflictRow, Store, StoredUser, UserRole } from '../store/store.ts';
import { isUniqueViolation } from '../store/sql.ts';
import { ApiFailure, parseOr400, readJson, type AppEnv, type ServerDeps } from './context.ts';
import { requireAuth } from './auth-routes.ts';

function requireRole(roles: ReadonlySet<UserRole>, message: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.has(c.get('user').role)) throw new ApiFailure(403, 'forbidden', message);
    await next();
  };
}

const ADMIN_ONLY: ReadonlySet<UserRole> = new Set<UserRole>(['admin']);

const conflictQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(200),
  before: z.coerce.number().int().positive().optional(),
});

const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  action: z.string().max(40).optional(),
});

/** What a device reports when it exports (exports run on the device, often offline). */
const auditReportSchema = z.object({
  action: z.literal('export'),
  detail: z
    .object({
      what: z.string().trim().min(1).max(60),
      format: z.enum(['xlsx', 'csv', 'print']).optional(),
      rows: z.number().int().nonnegative().optional(),
      gridIds: z.array(z.string().max(64)).max(200).optional(),
      at: z.number().int().nonnegative().optional(),
    })
    .strict(),
});

const isSensitiveTag = (tag: unknown) =>
  typeof tag === 'string' && CARE_TAGS[tag as CareTag]?.isSensitive === true;

/** A center that may not read ID numbers or health tags must not read them in the conflict log either. */
function redactConflict(conflict: ConflictRow): ConflictRow | undefined {
  if (conflict.kind !== 'people') return conflict;
  if (conflict.field === 'idNumber') return undefined;
  if (conflict.field !== 'tags') return conflict;
  const strip = (value: unknown) =>
    Array.isArray(value) ? value.filter((tag) => !isSensitiveTag(tag)) : value;
  return { ...conflict, overwritten: strip(conflict.overwritten), value: strip(conflict.value) };
}

type GridRole = (typeof GRID_ROLES)[number];
const isGridRole = (role: UserRole): role is GridRole => (GRID_ROLES as readonly string[]).includes(role);

/**
 * The grids an account of `role` may be given, checked against the town's grid tree: opening an
 * account and changing its grids both go through here. Grid roles need at least one grid, other roles
 * none; every grid must exist and be of a kind the role may be given. Returns them without repeats.
 */
async function assignableGrids(
  store: Store,
  townId: string,
  role: UserRole,
  gridIds: readonly string[],
): Promise<string[]> {
  if (!isGridRole(role)) {
    if (gridIds.length > 0)
      throw new ApiFailure(400, 'invalid-request', '只有网格员、兼职网格员和网格长按网格分配');
    return [];
  }
  if (gridIds.length === 0)
    throw new ApiFailure(400, 'invalid-request', '网格员、兼职网格员和网格长至少负责一个网格');
  const allowedKinds: readonly string[] = GRID_KINDS_BY_ROLE[role];
  for (const gridId of gridIds) {
    const grid = await store.records.get(townId, 'grids', gridId);
    if (!grid || grid.isDeleted) throw new ApiFailure(400, 'invalid-request', `没有这个网格：${gridId}`);
    // Scope reaches down the tree: the kind given decides how much of the town the account covers.
    if (!allowedKinds.includes(grid.data.kind))
      throw new ApiFailure(
        400,
        'invalid-request',
        `${grid.data.name}是${GRID_KIND_LABELS[grid.data.kind].zh}，不能分配给这个角色：请选择具体网格`,
      );
  }
  return [...new Set(gridIds)];
}

/** What the administrator sees of an account: everything but its password hash and town key. */
function accountOf({ passwordHash: _hash, townId: _town, ...account }: StoredUser): Account {
  return account;
}

/** An account of the administrator's own town; another town's reads as no account at all. */
async function accountInTown(store: Store, id: string, townId: string): Promise<StoredUser> {
  const target = await store.accounts.get(id);
  if (!target || target.townId !== townId) throw new ApiFailure(404, 'not-found', '没有这个账号');
  return target;
}

export function registerAdminRoutes(app: Hono<AppEnv>, deps: ServerDeps) {
  const { store } = deps;

  // The leader's view of concurrent edits: the value each "last write wins" overwrote.
  app.get(
    '/api/conflicts',
    requireAuth(deps),
    requireRole(CONFLICT_LOG_ROLES, '只有网格长、指挥中心和管理员可以查看冲突记录'),
    async (c) => {
      const query = parseOr400(conflictQuerySchema, c.req.query());
      const user = c.get('user');
      const names = new Map((await store.accounts.list(user.townId)).map((u) => [u.id, u.name]));
      const rows = await store.journal.conflicts(
        user.townId,
        gridFilter(c.get('scope')),
        query.limit,
        query.before,
      );
      const seesSensitive = canSeeSensitive(user.role);
      const visible = seesSensitive ? rows : rows.flatMap((r) => redactConflict(r) ?? []);
      const sensitive = seesSensitive ? rows.filter((r) => redactConflict(r) !== r).length : 0;
      if (sensitive > 0)
        await store.journal.audit(user.townId, deps.now(), user.id, 'read-sensitive', {
          kind: 'conflicts',
          count: sensitive,
        });
      return c.json({
        conflicts: visible.map((r) => ({ ...r, userName: names.get(r.userId) ?? null })),
        nextBefore: rows.length === query.limit ? rows.at(-1)?.id : undefined,
      });
    },
  );

  app.post('/api/audit', requireAuth(deps), async (c) => {
    const report = parseOr400(auditReportSchema, await readJson(c));
    await store.journal.audit(
      c.get('user').townId,
      deps.now(),
      c.get('user').id,
      report.action,
      report.detail,
    );
    return c.json({ ok: true }, 201);
  });

  app.get(
    '/api/admin/users',
    requireAuth(deps),
    requireRole(ADMIN_ONLY, '只有管理员可以管理账号'),
    async (c) => c.json({ users: (await store.accounts.list(c.get('user').townId)).map(accountOf) }),
  );

  // Opening an account: the role decides what it covers (grids, or a department), checked here.
  app.post(
    '/api/admin/users',
    requireAuth(deps),
    requireRole(ADMIN_ONLY, '只有管理员可以开设账号'),
    async (c) => {
      const input = parseOr400(newAccountSchema, await readJson(c));
      const admin = c.get('user');
      if (await store.accounts.byUsername(input.username))
        throw new ApiFailure(409, 'conflict', `用户名 ${input.username} 已被使用`);
      const gridIds = await assignableGrids(store, admin.townId, input.role, input.gridIds);
      if (input.departmentId) {
        // A department of this town, as its records say (another town's departments are not ours).
        const department = await store.records.get(admin.townId, 'departments', input.departmentId);
        if (!department || department.isDeleted)
          throw new ApiFailure(400, 'invalid-request', `没有这个部门：${input.departmentId}`);
      }
      const passwordHash = await hashPassword(input.password, deps.kdf);
      let user: StoredUser;
      try {
        user = await store.accounts.create({
          id: newId(),
          townId: admin.townId,
          username: input.username,
          name: input.name,
          role: input.role,
          gridIds,
          ...(input.departmentId ? { departmentId: input.departmentId } : {}),
          passwordHash,
          createdAt: deps.now(),
        });
      } catch (error) {
        // Two administrators opening the same username at once: the second hears why, not a 500.
        if (isUniqueViolation(error))
          throw new ApiFailure(409, 'conflict', `用户名 ${input.username} 已被使用`);
        throw error;
      }
      await store.journal.audit(admin.townId, deps.now(), admin.id, 'create-user', {
        userId: user.id,
        username: user.username,
        role: user.role,
        gridIds: user.gridIds,
        ...(user.departmentId ? { departmentId: user.departmentId } : {}),
      });
      return c.json({ user: accountOf(user) }, 201);
    },
  );

  // Changing the grids an account covers (a worker takes over a neighbour's grid). Sessions stay:
  // requireAuth works the scope out from the users row on every request, so it applies at once.
  app.patch(
    '/api/admin/users/:id',
    requireAuth(deps),
    requireRole(ADMIN_ONLY, '只有管理员可以修改账号的网格'),
    async (c) => {
      const input = parseOr400(accountGridsSchema, await readJson(c));
      const id = c.req.param('id');
      const townId = c.get('user').townId;
      const target = await accountInTown(store, id, townId);
      if (target.revokedAt !== null)
        throw new ApiFailure(409, 'conflict', `${target.name}的账号已停用，不能修改网格`);
      if (!isGridRole(target.role))
        throw new ApiFailure(
          400,
          'invalid-request',
          `${target.name}的账号是${ROLES[target.role].zh}，不按网格分配：只有网格员、兼职网格员和网格长的账号可以修改网格`,
        );
      const gridIds = await assignableGrids(store, townId, target.role, input.gridIds);
      const isSame =
        gridIds.length === target.gridIds.length && gridIds.every((g) => target.gridIds.includes(g));
      if (isSame) return c.json({ user: accountOf(target) });
      // Codes (XF-01) beside the ids, so whoever reads the audit log sees which grids changed hands.
      const grids = await store.records.getMany(
        townId,
        [...target.gridIds, ...gridIds].map((gridId) => ({ kind: 'grids' as const, id: gridId })),
      );
      const codesOf = (ids: readonly string[]) =>
        ids.map((gridId) => {
          const grid = grids.get(`grids/${gridId}`)?.data;
          return grid && 'code' in grid ? grid.code : gridId;
        });
      const user = await store.transaction(async (tx) => {
        const updated = await tx.accounts.setGrids(id, gridIds);
        if (!updated) throw new ApiFailure(404, 'not-found', '没有这个账号');
        await tx.journal.audit(townId, deps.now(), c.get('user').id, 'set-user-grids', {
          userId: id,
          username: target.username,
          role: target.role,
          from: target.gridIds,
          to: gridIds,
          fromCodes: codesOf(target.gridIds),
          toCodes: codesOf(gridIds),
        });
        return updated;
      });
      return c.json({ user: accountOf(user) });
    },
  );

  app.post(
    '/api/admin/users/:id/password',
    requireAuth(deps),
    requireRole(ADMIN_ONLY, '只有管理员可以重置密码'),
    async (c) => {
      const { password } = parseOr400(passwordResetSchema, await readJson(c));
      const id = c.req.param('id');
      const admin = c.get('user');
      const target = await accountInTown(store, id, admin.townId);
      const hash = await hashPassword(password, deps.kdf);
      await store.transaction((tx) => tx.accounts.setPassword(id, hash, deps.now()));
      // Reset most likely because they were locked out: the new password may be tried at once.
      await deps.throttle.forgetPrefix(`user:${target.username}|`);
      await store.journal.audit(admin.townId, deps.now(), admin.id, 'reset-password', {
        userId: id,
        username: target.username,
      });
      return c.json({ ok: true });
    },
  );

  app.post(
    '/api/admin/users/:id/revoke',
    requireAuth(deps),
    requireRole(ADMIN_ONLY, '只有管理员可以停用账号'),
    async (c) => {
      const id = c.req.param('id');
      const admin = c.get('user');
      if (id === admin.id) throw new ApiFailure(400, 'invalid-request', '不能停用自己的账号');
      const target = await accountInTown(store, id, admin.townId);
      await store.transaction((tx) => tx.accounts.revoke(id, deps.now()));
      await store.journal.audit(admin.townId, deps.now(), admin.id, 'revoke-user', {
        userId: id,
        username: target.username,
      });
      return c.json({ ok: true });
    },
  );

  app.get(
    '/api/admin/audit',
    requireAuth(deps),
    requireRole(ADMIN_ONLY, '只有管理员可以查看审计日志'),
    async (c) => {
      const query = parseOr400(auditQuerySchema, c.req.query());
      return c.json({
        entries: await store.journal.auditLog(c.get('user').townId, query.limit, query.action),
      });
    },
  );
}
