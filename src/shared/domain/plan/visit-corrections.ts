/**
 * Taking a visit back or correcting it. A visit is what the worker saw on a day, and the day's list,
 * 我的一天 and the export are built from it; so a visit may be changed only on the day it counts for,
 * while the day is still the worker's to put right. After that it is history.
 */
import type { MutationArgs } from '../../mutations.ts';
import { visitSchema, type Visit } from '../../schemas/visit.ts';
import { shanghaiDay } from '../../time.ts';
import {
  applied,
  check,
  conflictsOf,
  existing,
  isRejection,
  merge,
  notAfter,
  reject,
  sameValue,
  type Context,
  type Plan,
  type Rejection,
} from './common.ts';

const CORRECTED_FIELDS = ['outcome', 'personIds', 'fiveSees', 'notes'] as const;
const isEmpty = (value: unknown) =>
  value === undefined ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && Object.keys(value).length === 0);

/** What a withdrawn visit no longer says, for the conflict log: each corrected field, gone. */
const EMPTIED = Object.fromEntries(CORRECTED_FIELDS.map((field) => [field, null]));

/** The visit, if it may still be changed at `at` (its own day in Asia/Shanghai). */
function changeableVisit(ctx: Context, id: string, at: number): Visit | Rejection {
  const visit = existing(ctx, 'visits', id);
  if (isRejection(visit)) return visit;
  if (shanghaiDay(at) !== visit.day)
    return reject('illegal-transition', `只能更正或撤回当天的走访（这条是 ${visit.day} 的）`);
  return visit;
}

export function planVisitCorrect(args: MutationArgs<'visit.correct'>, ctx: Context): Plan {
  const at = notAfter(args.at, ctx);
  const current = changeableVisit(ctx, args.id, at);
  if (isRejection(current)) return current;
  const next = check(visitSchema, merge(current, args.changes, at));
  if (!next.ok) return next;
  // A new version that says the same would sync to every device for nothing.
  if (CORRECTED_FIELDS.every((field) => sameValue(current[field], next.value[field])))
    return reject('illegal-transition', '走访内容没有变化');
  const conflicts = conflictsOf(ctx, 'visits', current, next.value, CORRECTED_FIELDS);
  return applied([{ kind: 'visits', record: next.value }], conflicts);
}

/**
 * The visit stays on record as withdrawn (a tombstone with its content): the due list, the
 * summaries and the export skip deleted visits, and a device that pulled it learns it went away.
 * Needs found on it stay in the household's needs file: they were found, whatever the visit says.
 */
export function planVisitWithdraw(args: MutationArgs<'visit.withdraw'>, ctx: Context): Plan {
  const at = notAfter(args.at, ctx);
  const current = changeableVisit(ctx, args.id, at);
  if (isRejection(current)) return current;
  const withdrawn = { ...current, isDeleted: true, updatedAt: at };
  // A correction made elsewhere since this writer last saw the visit goes with it: say so.
  const said = CORRECTED_FIELDS.filter((field) => !isEmpty(current[field]));
  const conflicts = conflictsOf(ctx, 'visits', current, EMPTIED, said);
  return applied([{ kind: 'visits', record: withdrawn }], conflicts);
}
