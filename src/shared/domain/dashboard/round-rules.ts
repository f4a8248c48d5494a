/**
 * What the dashboard's round figures mean: the due list of visit-cadence.ts (the same list the
 * worker's Today screen shows), 白加黑's catch-up, which checks a shift asks for, and the needs file.
 * The server runs these over the columns it reads; the brute-force tests over whole records.
 */
import { CARE_TAGS } from '../../schemas/care-tags.ts';
import type { Building } from '../../schemas/building.ts';
import type { ChecklistRun, ChecklistTemplate, CheckResult } from '../../schemas/checklist.ts';
import type { Enterprise } from '../../schemas/enterprise.ts';
import type { Need } from '../../schemas/need.ts';
import type { Shift } from '../../schemas/visit.ts';
import { isHazardResult } from '../checklist-answers.ts';
import { itemsForBuilding } from '../checklist-templates.ts';
import { tonightCatchUp, type CadenceHousehold, type CadenceVisit, type DueItem } from '../visit-cadence.ts';
import { UNTAGGED } from './figures.ts';

/** One household's place in today's figures, from its due item. */
export interface RoundFacts {
  /** On a cadence at all (the due list's items are exactly these). */
  isScheduled: boolean;
  isDaily: boolean;
  /** Due, overdue or done today: counted in the due list's todayTotal. */
  isDueToday: boolean;
  isDone: boolean;
  isOverdue: boolean;
}

export function roundFactsOf(item: Pick<DueItem, 'cadence' | 'status'>): RoundFacts {
  return {
    isScheduled: true,
    isDaily: item.cadence === 'daily',
    isDueToday: item.status !== 'upcoming',
    isDone: item.status === 'done',
    isOverdue: item.status === 'overdue',
  };
}

/**
 * The keys an overdue household counts under in overdueByTag: each tag that sets its cadence, or
 * UNTAGGED when its cadence is everyone's. Sensitive tags (PIPL) only for roles that may see them; a
 * household overdue for those alone then counts under none (it still counts in round.overdue).
 */
export function overdueTagKeys(item: Pick<DueItem, 'reasonTags'>, seesSensitive: boolean): string[] {
  if (item.reasonTags.length === 0) return [UNTAGGED];
  return seesSensitive ? [...item.reasonTags] : item.reasonTags.filter((tag) => !CARE_TAGS[tag].isSensitive);
}

/**
 * 白加黑 tonight: `listed` are the households the day round left on tonight's catch-up list (the
 * list as it stood before anyone went out at night), `done` those of them knocked on since, at night.
 * What is still to do is tonightCatchUp over all of today's visits: listed minus done.
 */
export function catchUpOf(input: {
  households: readonly CadenceHousehold[];
  visits: readonly CadenceVisit[];
  today: string;
}): { listed: string[]; done: string[] } {
  const { households, visits, today } = input;
  const dayVisits = visits.filter((visit) => visit.shift === 'day');
  const listed = tonightCatchUp({ households, visits: dayVisits, today });
  const lastDayKnock = new Map<string, number>();
  for (const visit of dayVisits) {
    if (visit.isDeleted || visit.day !== today) continue;
    lastDayKnock.set(
      visit.householdId,
      Math.max(lastDayKnock.get(visit.householdId) ?? -Infinity, visit.visitedAt),
    );
  }
  const knockedTonight = new Set<string>();
  for (const visit of visits) {
    if (visit.isDeleted || visit.day !== today || visit.shift !== 'night') continue;
    if (visit.visitedAt >= (lastDayKnock.get(visit.householdId) ?? Infinity))
      knockedTonight.add(visit.householdId);
  }
  return { listed, done: listed.filter((id) => knockedTonight.has(id)) };
}

/** A building or enterprise a template asks to check on a shift. */
export interface CheckTarget {
  templateId: string;
  templateName: string;
  targetKind: 'building' | 'enterprise';
  targetId: string;
  targetName: string;
  itemCount: number;
}

export type CheckBuilding = Pick<Building, 'id' | 'gridId' | 'isDeleted' | 'facilities' | 'name'> &
  Partial<Pick<Building, 'estate'>>;
export type CheckEnterprise = Pick<Enterprise, 'id' | 'gridId' | 'isDeleted' | 'name'>;

/**
 * What a grid's shift asks for (the worker's 巡查 list): every template of the shift that is the
 * town's or the grid's own, on each live building it has an item for, and on each live enterprise.
 */
export function checkTargets(input: {
  templates: readonly ChecklistTemplate[];
  buildings: readonly CheckBuilding[];
  enterprises: readonly CheckEnterprise[];
  gridId: string;
  shift: Shift;
}): CheckTarget[] {
  const { templates, gridId, shift } = input;
  const targets: CheckTarget[] = [];
  for (const template of templates) {
    if (template.isDeleted || !template.shifts.includes(shift)) continue;
    if (template.gridId && template.gridId !== gridId) continue;
    const base = { templateId: template.id, templateName: template.name };
    if (template.scope === 'building') {
      for (const building of input.buildings) {
        if (building.isDeleted || building.gridId !== gridId) continue;
        const itemCount = itemsForBuilding(template, building.facilities).length;
        if (itemCount === 0) continue;
        const targetName = `${building.estate ?? ''}${building.name}`;
        targets.push({ ...base, targetKind: 'building', targetId: building.id, targetName, itemCount });
      }
    } else {
      for (const enterprise of input.enterprises) {
        if (enterprise.isDeleted || enterprise.gridId !== gridId) continue;
        targets.push({
          ...base,
          targetKind: 'enterprise',
          targetId: enterprise.id,
          targetName: enterprise.name,
          itemCount: template.items.length,
        });
      }
    }
  }
  return targets;
}

export type CheckRun = Pick<
  ChecklistRun,
  'id' | 'templateId' | 'buildingId' | 'enterpriseId' | 'day' | 'shift' | 'isDeleted'
>;

/** The run that checked a target on a day's shift, if any (the latest saved wins). */
export function runOfTarget<R extends CheckRun>(
  target: Pick<CheckTarget, 'templateId' | 'targetId'>,
  runs: readonly R[],
  day: string,
  shift: Shift,
): R | undefined {
  let found: R | undefined;
  for (const run of runs) {
    if (run.isDeleted || run.day !== day || run.shift !== shift || run.templateId !== target.templateId)
      continue;
    if ((run.buildingId ?? run.enterpriseId) === target.targetId) found = run;
  }
  return found;
}

/** 异常: the failed checks of a run (each one a hazard: checklist-answers.ts). */
export function failedItemsOf(run: {
  results: readonly { itemId: string; result: CheckResult }[];
}): string[] {
  return run.results.filter((answer) => isHazardResult(answer.result)).map((answer) => answer.itemId);
}

/** When a need was met, if it is met now: its last status change to 已解决. */
export function metAtOf(need: Pick<Need, 'status' | 'history'>): number | null {
  if (need.status !== 'met') return null;
  for (let i = need.history.length - 1; i >= 0; i--) {
    if (need.history[i]!.status === 'met') return need.history[i]!.at;
  }
  return null;
}
