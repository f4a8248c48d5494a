import { z } from 'zod';
import { baseRecordSchema, nonEmptyText, optionalText, phoneSchema, recordIdSchema } from './common.ts';

/**
 * A grid's team as residents see it (1+1+N: one leader, one full-time worker, N helpers, the
 * grid's police officer and family doctor), printed on the grid card (网格连心卡) and shown on
 * the resident's page that the card's QR code opens.
 */
export const GRID_TEAM_ROLES = ['leader', 'worker', 'helper', 'police', 'doctor', 'other'] as const;
export const gridTeamRoleSchema = z.enum(GRID_TEAM_ROLES, { error: '团队角色无效' });
export type GridTeamRole = z.infer<typeof gridTeamRoleSchema>;

export const GRID_TEAM_ROLE_LABELS = {
  leader: { zh: '网格长', en: 'Grid leader' },
  worker: { zh: '专职网格员', en: 'Full-time grid worker' },
  helper: { zh: '兼职网格员', en: 'Part-time grid worker' },
  police: { zh: '网格警员', en: 'Grid police officer' },
  doctor: { zh: '家庭医生', en: 'Family doctor' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Record<GridTeamRole, { zh: string; en: string }>;

export const gridTeamMemberSchema = z.object({
  name: nonEmptyText('姓名', 30),
  role: gridTeamRoleSchema,
  phone: phoneSchema.optional(),
  /** A photo by content hash (sha-256 hex), like every other photo. */
  photoId: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: '照片编号无效' })
    .optional(),
});
export type GridTeamMember = z.infer<typeof gridTeamMemberSchema>;

/**
 * The resident-facing token in the card's QR code (`/r/<token>`): random, made on the device with
 * crypto.getRandomValues (at least 128 bits, base64url), never derived from the grid's id.
 */
export const residentTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{22,43}$/, { error: '二维码令牌无效' });

/** What a leader edits: the team and the words printed with it. */
export const gridTeamContentSchema = z.object({
  members: z.array(gridTeamMemberSchema).max(20, { error: '团队最多 20 人' }),
  servicePromise: optionalText('服务承诺', 100),
  serviceHours: optionalText('服务时间', 60),
  /** The town's hotline, printed on every card of the town. */
  hotline: phoneSchema.optional(),
});
export type GridTeamContent = z.infer<typeof gridTeamContentSchema>;

/**
 * One record per grid, under the grid's own id (`id` = `gridId`, like cadences), so two leaders
 * editing it offline meet in one record and their conflicts are logged.
 */
export const gridTeamSchema = baseRecordSchema.extend({
  gridId: recordIdSchema,
  ...gridTeamContentSchema.shape,
  residentToken: residentTokenSchema,
  /** Tokens of replaced cards, newest last: a resident scanning one is told the card was replaced. */
  retiredTokens: z.array(residentTokenSchema).max(20),
});
export type GridTeam = z.infer<typeof gridTeamSchema>;
