/**
 * How often each household must be visited: the cadences, the town's cadence settings by care tag, and
 * the rule that a household takes the most frequent cadence any of its residents calls for.
 */
import { z } from 'zod';
import { CARE_TAG_CODES, careTagSchema, type CareTag } from '../schemas/care-tags.ts';
import { describeInput } from '../schemas/common.ts';
import type { Household } from '../schemas/household.ts';
import type { Person } from '../schemas/person.ts';
import type { Role } from '../schemas/problem.ts';
import type { Visit } from '../schemas/visit.ts';
import type { RecurringCadence } from '../time.ts';

/**
 * How often a household must be visited. `order` ranks them most frequent first: a household
 * takes the most frequent cadence any of its residents calls for.
 */
export const CADENCES = {
  daily: { zh: '每日', en: 'Daily', order: 0 },
  weekly: { zh: '每周', en: 'Weekly', order: 1 },
  monthly: { zh: '每月', en: 'Monthly', order: 2 },
  quarterly: { zh: '每季度', en: 'Quarterly', order: 3 },
  none: { zh: '不需要', en: 'Not needed', order: 4 },
} as const satisfies Record<RecurringCadence | 'none', { zh: string; en: string; order: number }>;
export type Cadence = keyof typeof CADENCES;
export type ScheduledCadence = Exclude<Cadence, 'none'>;

/** Most frequent first, for pickers and for comparing cadences. */
export const CADENCE_CODES: readonly Cadence[] = (Object.keys(CADENCES) as Cadence[]).sort(
  (a, b) => CADENCES[a].order - CADENCES[b].order,
);

const CADENCE_CHOICES = CADENCE_CODES.map((code) => CADENCES[code].zh).join('、');

export const cadenceSchema = z.enum(CADENCE_CODES as [Cadence, ...Cadence[]], {
  error: (issue) =>
    issue.input === undefined
      ? `请选择走访频次（${CADENCE_CHOICES}）`
      : `未知的走访频次：${describeInput(issue.input)}（可选：${CADENCE_CHOICES}）`,
});

/**
 * Visit cadence is settings, not code (the provincial policy in DOMAIN.md is one town's choice).
 * A tag left out of `byTag` asks for nothing beyond `everyoneElse`.
 */
export const cadenceConfigSchema = z.object({
  byTag: z.partialRecord(careTagSchema, cadenceSchema, {
    // An object that still fails here has keys that are not tags (zod reports them as
    // "unrecognized_keys", which its record issue types do not list); anything else has the wrong shape.
    error: (issue) =>
      typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)
        ? `未知的关怀标签：${Object.keys(issue.input)
            .filter((key) => !careTagSchema.safeParse(key).success)
            .map(describeInput)
            .join('、')}`
        : '按关怀标签设置的走访频次格式不对',
  }),
  everyoneElse: cadenceSchema,
});
export type CadenceConfig = z.infer<typeof cadenceConfigSchema>;

export const DEFAULT_CADENCE_CONFIG = {
  byTag: {
    // 日必访 (seed 000): people who may be in danger by tomorrow if nobody looks in today.
    'elderly-alone': 'daily', // no one else in the home would notice a fall or an illness
    'key-person': 'daily', // under watch: the daily contact is the point of the tag
    // The policy's "high-risk elderly at least weekly": at risk, but someone else is around or
    // checks in, so a week's gap is the agreed limit.
    'empty-nest': 'weekly',
    disabled: 'weekly',
    pregnant: 'weekly', // things change week to week near term
    // The policy's "key groups monthly": their needs move slowly (benefits, medicine, school, jobs).
    'chronic-illness': 'monthly',
    'left-behind-child': 'monthly',
    'low-income': 'monthly',
    unemployed: 'monthly',
  },
  // The policy's "everyone quarterly": keeps the register (人房信息台账) current.
  everyoneElse: 'quarterly',
} as const satisfies CadenceConfig;

/** The fields the due list reads; callers can pass Dexie rows as they are. */
export type CadenceHousehold = Pick<Household, 'id' | 'isDeleted'>;
/** The due list also reads `updatedAt`: when a household never visited entered the register (first-due-day.ts). */
export type DueHousehold = Pick<Household, 'id' | 'isDeleted' | 'updatedAt'>;
export type CadencePerson = Pick<Person, 'id' | 'householdId' | 'status' | 'tags' | 'isDeleted'>;
export type CadenceVisit = Pick<
  Visit,
  'householdId' | 'day' | 'visitedAt' | 'shift' | 'outcome' | 'isDeleted'
>;

export interface HouseholdCadence {
  cadence: Cadence;
  /** The tags that set the cadence (CARE_TAG_CODES order); empty when it is `everyoneElse`. */
  reasonTags: CareTag[];
  /** Residents carrying a reason tag, in input order. */
  reasonPersonIds: string[];
}

export function isResident(person: CadencePerson): boolean {
  return !person.isDeleted && person.status === 'resident';
}

/** Each tag's cadence order under a config, worked out once per config (the due list asks per household). */
const tagOrdersByConfig = new WeakMap<CadenceConfig, ReadonlyMap<string, number>>();
function tagOrdersOf(config: CadenceConfig): ReadonlyMap<string, number> {
  let orders = tagOrdersByConfig.get(config);
  if (orders === undefined) {
    orders = new Map(
      Object.entries(config.byTag).flatMap(([tag, cadence]) =>
        cadence === undefined ? [] : [[tag, CADENCES[cadence].order] as const],
      ),
    );
    tagOrdersByConfig.set(config, orders);
  }
  return orders;
}

/**
 * A household's cadence: the most frequent among its residents' tags and `everyoneElse`.
 * Only residents count: the tags of someone who moved out or died no longer call for visits.
 * A tag whose cadence is no more frequent than `everyoneElse` did not set anything, so it is not a reason.
 */
export function householdCadence(members: readonly CadencePerson[], config: CadenceConfig): HouseholdCadence {
  const tagOrders = tagOrdersOf(config);
  // One pass: the best order so far, and the tags and people that reach it.
  let bestOrder: number = CADENCES[config.everyoneElse].order;
  let reasonTagSet: Set<CareTag> | undefined;
  let reasonPersonIds: string[] = [];
  for (const person of members) {
    if (!isResident(person)) continue;
    let isReason = false;
    for (const tag of person.tags) {
      const order = tagOrders.get(tag);
      if (order === undefined || order > bestOrder) continue;
      if (order < bestOrder) {
        bestOrder = order;
        reasonTagSet = new Set();
        reasonPersonIds = [];
      }
      // Equal to everyoneElse's order: the tag set nothing.
      if (reasonTagSet === undefined) continue;
      reasonTagSet.add(tag);
      isReason = true;
    }
    if (isReason) reasonPersonIds.push(person.id);
  }
  // CADENCE_CODES is sorted by order and the orders run 0..4, so an order is its code's index.
  const cadence = CADENCE_CODES[bestOrder] ?? config.everyoneElse;
  if (reasonTagSet === undefined) return { cadence, reasonTags: [], reasonPersonIds: [] };
  const tags = reasonTagSet;
  return { cadence, reasonTags: CARE_TAG_CODES.filter((tag) => tags.has(tag)), reasonPersonIds };
}

/**
 * Who sets a grid's cadence: the leader for the grids they lead, the center and the administrator
 * for the town's. The workers and helpers visit by it; a department has no grid.
 */
export const CADENCE_SETTER_ROLES: ReadonlySet<Role> = new Set<Role>(['leader', 'center', 'admin']);
export const canSetCadence = (role: Role) => CADENCE_SETTER_ROLES.has(role);
