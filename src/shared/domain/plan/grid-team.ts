/**
 * Setting a grid's team (1+1+N) and replacing its card's QR code (网格连心卡). The record is the
 * grid's, under the grid's id; the token comes in the args, drawn on the device, so this stays pure.
 */
import type { MutationArgs } from '../../mutations.ts';
import { gridTeamSchema, type GridTeam } from '../../schemas/grid-team.ts';
import { canEditGridTeam, RETIRED_TOKENS_KEPT } from '../grid-team.ts';
import {
  applied,
  check,
  conflictsOf,
  existing,
  isRejection,
  notAfter,
  reject,
  type Context,
  type Plan,
} from './common.ts';

const TEAM_FIELDS = ['members', 'servicePromise', 'serviceHours', 'hotline'] as const;
const TOKEN_FIELDS = ['residentToken', 'retiredTokens'] as const;

function current(ctx: Context, gridId: string): GridTeam | undefined {
  const stored = ctx.reads.get('gridTeams', gridId);
  return stored && !stored.isDeleted ? stored : undefined;
}

function write(ctx: Context, before: GridTeam | undefined, next: unknown, fields: readonly string[]): Plan {
  const checked = check(gridTeamSchema, next);
  if (!checked.ok) return checked;
  const conflicts = before ? conflictsOf(ctx, 'gridTeams', before, checked.value, fields) : [];
  return applied([{ kind: 'gridTeams', record: checked.value }], conflicts);
}

export function planGridTeamSet(args: MutationArgs<'gridTeam.set'>, ctx: Context): Plan {
  if (!canEditGridTeam(ctx.actor.role)) return reject('forbidden', '网格团队由网格长或指挥中心设置');
  const grid = existing(ctx, 'grids', args.gridId);
  if (isRejection(grid)) return grid;
  const before = current(ctx, grid.id);
  const { members, servicePromise, serviceHours, hotline } = args.team;
  return write(
    ctx,
    before,
    {
      id: grid.id,
      gridId: grid.id,
      members,
      ...(servicePromise ? { servicePromise } : {}),
      ...(serviceHours ? { serviceHours } : {}),
      ...(hotline ? { hotline } : {}),
      // The printed cards keep working: a grid's token changes only by rotation.
      residentToken: before?.residentToken ?? args.token,
      retiredTokens: before?.retiredTokens ?? [],
      updatedAt: notAfter(args.at, ctx),
      isDeleted: false,
    },
    TEAM_FIELDS,
  );
}

export function planGridTeamRotateToken(args: MutationArgs<'gridTeam.rotateToken'>, ctx: Context): Plan {
  if (!canEditGridTeam(ctx.actor.role)) return reject('forbidden', '二维码只能由网格长或指挥中心更换');
  const grid = existing(ctx, 'grids', args.gridId);
  if (isRejection(grid)) return grid;
  const before = current(ctx, grid.id);
  // The same rotation again (a replay, a device re-planning its own pending write) changes nothing.
  if (before?.residentToken === args.token) return applied([{ kind: 'gridTeams', record: before }]);
  if (before?.retiredTokens.includes(args.token)) return reject('invalid', '这个二维码已作废，不能再用');
  const retired = before ? [...before.retiredTokens, before.residentToken] : [];
  return write(
    ctx,
    before,
    {
      ...(before ?? { id: grid.id, gridId: grid.id, members: [] }),
      residentToken: args.token,
      retiredTokens: retired.slice(-RETIRED_TOKENS_KEPT),
      updatedAt: notAfter(args.at, ctx),
      isDeleted: false,
    },
    TOKEN_FIELDS,
  );
}
