import { z } from 'zod';
import { MUTATION_NAMES, type MutationName } from './mutations.ts';
import { RECORD_KINDS, type RecordKind } from './records.ts';
import { epochMsSchema } from './schemas/common.ts';
import type { GridKind } from './schemas/grid.ts';
import { roleSchema } from './schemas/problem.ts';

/** Sent with every sync request; the server refuses a mismatch with reason `protocol-version`. */
export const PROTOCOL_VERSION = 1;
/** Header carrying PROTOCOL_VERSION on GET requests (POST bodies carry it as a field). */
export const PROTOCOL_HEADER = 'x-lianxin-protocol';

/**
 * One queued write (ARCHITECTURE.md sync step 1). `mutationId` is per-client and strictly increasing,
 * so the server can skip what it has already applied.
 */
export const mutationSchema = z.object({
  clientId: z.string().min(8).max(64),
  mutationId: z.number().int().positive(),
  name: z.enum(MUTATION_NAMES as [MutationName, ...MutationName[]]),
  args: z.unknown(),
  createdAt: epochMsSchema,
});
export type Mutation = z.infer<typeof mutationSchema>;

/** Most mutations a push may carry; the client sends the oldest first, in pages of this size. */
export const MAX_PUSH_MUTATIONS = 200;
/** Largest JSON body the server reads (a page of mutations with their args). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Photos: JPEG/PNG/WebP up to this size (compressed on the device to ~300 KB). */
export const MAX_BLOB_BYTES = 8 * 1024 * 1024;
export const BLOB_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
/** Optional header on a photo upload: the grid the photo belongs to (scope for who may read it). */
export const BLOB_GRID_HEADER = 'x-lianxin-grid';

export const pushRequestSchema = z.object({
  protocolVersion: z.literal(PROTOCOL_VERSION, {
    error: `协议版本不符：请更新应用（服务器为 ${PROTOCOL_VERSION}）`,
  }),
  clientId: z.string().min(8).max(64),
  mutations: z.array(mutationSchema).min(1).max(MAX_PUSH_MUTATIONS),
  /**
   * The pull cursor this device has stored. A pull tells the server only the cursor it asks from, so
   * without this the last page of every pull would count as unseen until the next pull, and an edit
   * made on top of it would be logged as overwriting what the device had in fact seen.
   */
  held: z.number().int().nonnegative().optional(),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

/** Why a mutation can never succeed; it is still acknowledged so the queue moves on. */
export const REJECTION_REASONS = {
  invalid: { zh: '数据不符合要求', en: 'Invalid data' },
  forbidden: { zh: '无权操作', en: 'Not allowed' },
  'illegal-transition': { zh: '当前状态不允许此操作', en: 'Not allowed in this status' },
  'not-found': { zh: '记录不存在', en: 'Record not found' },
  'missing-field': { zh: '缺少必填内容', en: 'Missing field' },
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;
export const rejectionReasonSchema = z.enum(
  Object.keys(REJECTION_REASONS) as [RejectionReason, ...RejectionReason[]],
);

export const mutationResultSchema = z.object({
  mutationId: z.number().int().positive(),
  status: z.enum(['applied', 'rejected', 'duplicate']),
  reason: rejectionReasonSchema.optional(),
  message: z.string().optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const recordChangeSchema = z.object({
  kind: z.enum(RECORD_KINDS as [RecordKind, ...RecordKind[]]),
  id: z.string(),
  /** The server's change counter when this version was written. */
  version: z.number().int().positive(),
  isDeleted: z.boolean(),
  /** The record as this user may see it (redacted); absent for a tombstone. */
  data: z.unknown().optional(),
});
export type RecordChange = z.infer<typeof recordChangeSchema>;

export const pushResponseSchema = z.object({
  lastMutationId: z.number().int().nonnegative(),
  results: z.array(mutationResultSchema),
  /**
   * Rejections heal: the server's current version (scoped, redacted) of every record a rejected
   * mutation read, or a tombstone where the user may hold none. Absent when nothing was rejected.
   */
  records: z.array(recordChangeSchema).optional(),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/** GET /api/pull?cursor=N&clientId=C&limit=L */
export const pullQuerySchema = z
  .object({
    cursor: z.coerce.number().int().nonnegative().default(0),
    clientId: z.string().min(8).max(64).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(2000),
    /**
     * The cursor the device has stored, when it differs from `cursor`: a device fetches the next page
     * while it stores one, and only what it holds may count as seen (conflict detection).
     */
    held: z.coerce.number().int().nonnegative().optional(),
    /** The scopeKey of the device's last page (see pullResponseSchema). */
    scope: z.string().max(64).optional(),
  })
  .refine((query) => query.held === undefined || query.held <= query.cursor, {
    message: '已保存的同步位置不能超过本次请求的位置',
    path: ['held'],
  });

/** A pull counts at most this many changes past its page (the server never counts a whole town). */
export const PULL_REMAINING_LIMIT = 5_000;

/** What a progress line says is left: the count, or "5000+" when the server stopped counting. */
export function remainingLabel(remaining: number): string {
  return remaining >= PULL_REMAINING_LIMIT ? `${PULL_REMAINING_LIMIT}+` : String(remaining);
}

export const pullResponseSchema = z.object({
  changes: z.array(recordChangeSchema),
  /** Pass back as `cursor` next time. */
  cursor: z.number().int().nonnegative(),
  hasMore: z.boolean(),
  /**
   * How many changes remain after this page, counted no further than 5,000 (a progress bar's worth:
   * the server never counts the rest of a big town for it). Positive exactly when hasMore.
   */
  remaining: z.number().int().nonnegative(),
  /** The client's last applied mutation: outbox rows up to it can be dropped even if a push answer was lost. */
  lastMutationId: z.number().int().nonnegative(),
  /** Fingerprint of the user's scope: sent back as `scope`, so a later change of scope is noticed. */
  scopeKey: z.string(),
  /**
   * The user's scope changed since the device's `scope`: this page starts again from the beginning,
   * and once the last page is stored the device removes every record this pass did not bring.
   */
  rescoped: z.boolean().optional(),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

export const loginRequestSchema = z.object({
  // Usernames are stored in lower case: a phone keyboard's capital first letter still signs in.
  username: z.string().trim().toLowerCase().min(1, { error: '请输入用户名' }).max(64),
  password: z.string().min(1, { error: '请输入密码' }).max(200),
});

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: roleSchema.exclude(['resident']),
  gridIds: z.array(z.string()),
  departmentId: z.string().optional(),
});
export type User = z.infer<typeof userSchema>;

export const loginResponseSchema = z.object({ token: z.string(), user: userSchema });

/** GET /api/me/devices/:clientId: what the server received from one of the caller's own devices. */
export const deviceStatusSchema = z.object({
  clientId: z.string(),
  /** The last write the server took from this device (applied or refused); 0 if none arrived. */
  lastMutationId: z.number().int().nonnegative(),
  /** When that write arrived; null when none did. */
  lastMutationAt: z.number().int().nullable(),
  /** When the server first heard from this device (its first push or pull). */
  firstSeenAt: z.number().int(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

/** Roles that work inside grids: their accounts name the grids they cover. */
export const GRID_ROLES = ['worker', 'helper', 'leader'] as const;

/**
 * What kind of grid each of those roles may be given. Scope reaches down the grid tree, so a worker
 * given a community (or the town) would cover every household in it: workers and helpers get grids,
 * leaders may also lead a whole community or village; nobody is given the town (that is the command
 * center's and the administrator's reach, by role).
 */
export const GRID_KINDS_BY_ROLE = {
  worker: ['grid', 'micro', 'special'],
  helper: ['grid', 'micro', 'special'],
  leader: ['grid', 'micro', 'special', 'community', 'village'],
} as const satisfies Record<(typeof GRID_ROLES)[number], readonly GridKind[]>;

export const accountPasswordSchema = z
  .string({ error: '请填写初始密码' })
  .min(8, { error: '密码至少 8 位' })
  .max(128, { error: '密码最多 128 位' });

/** POST /api/admin/users: an administrator opens an account. */
export const newAccountSchema = z
  .object({
    username: z
      .string({ error: '请填写用户名' })
      .trim()
      .toLowerCase()
      .min(1, { error: '请填写用户名' })
      .regex(/^[a-z0-9][a-z0-9_.-]{2,31}$/, { error: '用户名为 3-32 位小写字母、数字、点、下划线或短横线' }),
    name: z
      .string({ error: '请填写姓名' })
      .trim()
      .min(1, { error: '请填写姓名' })
      .max(40, { error: '姓名最多 40 字' }),
    role: roleSchema.exclude(['resident'], { error: '请选择角色' }),
    gridIds: z.array(z.string().min(1)).max(200).default([]),
    departmentId: z.string().min(1).optional(),
    password: accountPasswordSchema,
  })
  .superRefine((account, context) => {
    const inGrids = (GRID_ROLES as readonly string[]).includes(account.role);
    if (inGrids && account.gridIds.length === 0)
      context.addIssue({
        code: 'custom',
        path: ['gridIds'],
        message: '网格员、兼职网格员和网格长至少负责一个网格',
      });
    if (!inGrids && account.gridIds.length > 0)
      context.addIssue({
        code: 'custom',
        path: ['gridIds'],
        message: '只有网格员、兼职网格员和网格长按网格分配',
      });
    if (account.role === 'department' && !account.departmentId)
      context.addIssue({ code: 'custom', path: ['departmentId'], message: '职能部门账号需要选择部门' });
    if (account.role !== 'department' && account.departmentId)
      context.addIssue({ code: 'custom', path: ['departmentId'], message: '只有职能部门账号属于部门' });
  });
export type NewAccount = z.input<typeof newAccountSchema>;

/**
 * PATCH /api/admin/users/:id: the grids a grid role's account covers from now on (a worker takes over
 * a neighbour's grid). The server checks them as when opening an account: every grid must exist and
 * be of a kind the account's role may be given; other roles are not given grids. Strict: a body
 * naming anything else (a role, a name) is refused rather than half applied.
 */
export const accountGridsSchema = z.strictObject({
  gridIds: z
    .array(z.string().min(1), { error: '请选择负责的网格' })
    .min(1, { error: '网格员、兼职网格员和网格长至少负责一个网格' })
    .max(200, { error: '一个账号最多负责 200 个网格' }),
});
export type AccountGrids = z.input<typeof accountGridsSchema>;

/** POST /api/me/password: the signed-in user changes their own password (the admin's initial one). */
export const passwordChangeSchema = z.object({
  current: z.string({ error: '请输入当前密码' }).min(1, { error: '请输入当前密码' }).max(200),
  next: accountPasswordSchema,
});

/** POST /api/admin/users/:id/password: a new password; the account's sessions end with it. */
export const passwordResetSchema = z.object({ password: accountPasswordSchema });

/** An account as the administrator sees it (never its password hash). */
export const accountSchema = userSchema.extend({
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
});
export type Account = z.infer<typeof accountSchema>;
export const accountsResponseSchema = z.object({ users: z.array(accountSchema) });
export const accountResponseSchema = z.object({ user: accountSchema });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** Every error the API returns: `{ error: { reason, message } }` with a 4xx (or 5xx) status. */
export const API_ERROR_REASONS = [
  'protocol-version',
  'invalid-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'payload-too-large',
  'unsupported-type',
  'too-many-requests',
  'server-error',
] as const;
export type ApiErrorReason = (typeof API_ERROR_REASONS)[number];
export const apiErrorSchema = z.object({
  error: z.object({ reason: z.enum(API_ERROR_REASONS), message: z.string() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** GET /api/conflicts: the conflict log of the caller's grids (leader, center, admin). */
export const conflictSchema = z.object({
  id: z.number(),
  kind: z.enum(RECORD_KINDS as [RecordKind, ...RecordKind[]]),
  recordId: z.string(),
  field: z.string(),
  overwritten: z.unknown(),
  value: z.unknown(),
  userId: z.string(),
  userName: z.string().nullable(),
  at: z.number(),
  gridId: z.string().nullable(),
});
export type Conflict = z.infer<typeof conflictSchema>;
export const conflictsResponseSchema = z.object({ conflicts: z.array(conflictSchema) });
