/** The register's writes: households and the people living in them. */
import type { MutationArgs } from '../../mutations.ts';
import { CARE_TAGS } from '../../schemas/care-tags.ts';
import { householdSchema, type Household } from '../../schemas/household.ts';
import { personSchema, type Person } from '../../schemas/person.ts';
import { canSeeSensitive } from '../privacy.ts';
import {
  applied,
  check,
  conflictsOf,
  existing,
  isRejection,
  merge,
  notAfter,
  refuseDeleted,
  refuseExisting,
  reject,
  sensitiveWrite,
  type Context,
  type Plan,
} from './common.ts';

export function planHouseholdCreate(args: MutationArgs<'household.create'>, ctx: Context): Plan {
  const { household, people } = args;
  const refused =
    refuseDeleted([household, ...people]) ??
    refuseExisting(ctx, 'households', [household]) ??
    refuseExisting(ctx, 'people', people);
  if (refused) return refused;
  const stray = people.find((p) => p.householdId !== household.id || p.gridId !== household.gridId);
  if (stray) return reject('invalid', `成员“${stray.name}”不属于这个住户或网格`);
  for (const person of people) {
    const forbidden = sensitiveWrite(ctx.actor, person);
    if (forbidden) return forbidden;
  }
  return applied([
    { kind: 'households', record: household },
    ...people.map((record) => ({ kind: 'people' as const, record })),
  ]);
}

export function planHouseholdUpdate(args: MutationArgs<'household.update'>, ctx: Context): Plan {
  const current = existing(ctx, 'households', args.id);
  if (isRejection(current)) return current;
  const merged = check(householdSchema, merge(current, args.changes, ctx.at));
  if (!merged.ok) return merged;
  const conflicts = conflictsOf(ctx, 'households', current, merged.value, Object.keys(args.changes));
  return applied([{ kind: 'households', record: merged.value satisfies Household }], conflicts);
}

export function planPersonCreate(args: MutationArgs<'person.create'>, ctx: Context): Plan {
  const { person } = args;
  const refused = refuseDeleted([person]) ?? refuseExisting(ctx, 'people', [person]);
  if (refused) return refused;
  const household = existing(ctx, 'households', person.householdId);
  if (isRejection(household)) return household;
  if (household.gridId !== person.gridId) return reject('invalid', '人员的网格与住户的网格不一致');
  return sensitiveWrite(ctx.actor, person) ?? applied([{ kind: 'people', record: person }]);
}

export function planPersonUpdate(args: MutationArgs<'person.update'>, ctx: Context): Plan {
  const current = existing(ctx, 'people', args.id);
  if (isRejection(current)) return current;
  const forbidden = sensitiveWrite(ctx.actor, args.changes);
  if (forbidden) return forbidden;
  const changes = { ...args.changes };
  // A role that never saw the sensitive tags sends only the others: keep the ones it could not see.
  if (changes.tags !== undefined && !canSeeSensitive(ctx.actor.role))
    changes.tags = [...changes.tags, ...current.tags.filter((tag) => CARE_TAGS[tag].isSensitive)];
  const merged = check(personSchema, merge(current, changes, ctx.at));
  if (!merged.ok) return merged;
  const conflicts = conflictsOf(ctx, 'people', current, merged.value, Object.keys(changes));
  return applied([{ kind: 'people', record: merged.value satisfies Person }], conflicts);
}

export function planPersonMoveOut(args: MutationArgs<'person.moveOut'>, ctx: Context): Plan {
  const current = existing(ctx, 'people', args.id);
  if (isRejection(current)) return current;
  if (current.status !== 'resident') return reject('illegal-transition', '此人已不在住', 'status');
  const record: Person = {
    ...current,
    status: args.status,
    movedOutAt: notAfter(args.at, ctx),
    updatedAt: ctx.at,
  };
  return applied([{ kind: 'people', record }]);
}
