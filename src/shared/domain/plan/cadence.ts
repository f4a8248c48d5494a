/**
 * Setting a grid's visit cadence (走访频次). It is the grid's, not a phone's: the leader or the
 * center sets it, and every worker of the grid visits by the same rule.
 */
import type { MutationArgs } from '../../mutations.ts';
import { gridCadenceSchema } from '../../schemas/cadence.ts';
import { canSetCadence } from '../cadence-config.ts';
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

const CADENCE_FIELDS = ['byTag', 'everyoneElse'] as const;

export function planCadenceSet(args: MutationArgs<'cadence.set'>, ctx: Context): Plan {
  if (!canSetCadence(ctx.actor.role)) return reject('forbidden', '走访频次由网格长或指挥中心设置');
  const grid = existing(ctx, 'grids', args.gridId);
  if (isRejection(grid)) return grid;
  const next = check(gridCadenceSchema, {
    id: grid.id,
    gridId: grid.id,
    byTag: args.config.byTag,
    everyoneElse: args.config.everyoneElse,
    updatedAt: notAfter(args.at, ctx),
    isDeleted: false,
  });
  if (!next.ok) return next;
  const current = ctx.reads.get('cadences', grid.id);
  const conflicts = current ? conflictsOf(ctx, 'cadences', current, next.value, CADENCE_FIELDS) : [];
  return applied([{ kind: 'cadences', record: next.value }], conflicts);
}
