/**
 * The round figures: each grid's due list (computeDueList, the rule the worker's Today screen runs),
 * tonight's catch-up, the checks its shifts ask for, with the households, targets and items behind
 * each count, so the lists behind the figures are the figures' own rows.
 */
import {
  catchUpOf,
  checkTargets,
  failedItemsOf,
  overdueTagKeys,
  roundFactsOf,
  runOfTarget,
  UNTAGGED,
  type CheckTarget,
} from '../../shared/domain/dashboard/index.ts';
import type { DashboardGridRound } from '../../shared/dashboard.ts';
import { computeDueList, type CadencePerson, type DueItem } from '../../shared/domain/visit-cadence.ts';
import { CARE_TAG_CODES, CARE_TAGS } from '../../shared/schemas/care-tags.ts';
import type { ChecklistRun } from '../../shared/schemas/checklist.ts';
import { SHIFTS, type Shift } from '../../shared/schemas/visit.ts';
import { gridName, type DashboardScope } from './grids.ts';
import type { RoundData, RoundHousehold, RoundVisit } from './round-data.ts';

export interface CheckDueRow {
  target: CheckTarget;
  shift: Shift;
  run: ChecklistRun | undefined;
}

/** One grid's round with the rows behind it. */
export interface GridRound {
  figures: DashboardGridRound;
  items: DueItem[];
  catchUp: { listed: string[]; done: string[] };
  checks: CheckDueRow[];
  failedItems: { run: ChecklistRun; itemId: string }[];
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** Grids with a household, building or enterprise: the ones a round happens in, by the tree's order of names. */
function workGrids(scope: DashboardScope, data: RoundData): string[] {
  const ids = new Set<string>([
    ...data.households.map((h) => h.gridId),
    ...data.buildings.map((b) => b.gridId),
    ...data.enterprises.map((e) => e.gridId),
  ]);
  const collator = new Intl.Collator('zh', { numeric: true });
  return [...ids]
    .filter((id) => scope.grids.has(id))
    .sort((a, b) => collator.compare(gridName(scope, a), gridName(scope, b)));
}

export function roundFigures(scope: DashboardScope, data: RoundData): GridRound[] {
  const householdsByGrid = groupBy<RoundHousehold>(data.households, (h) => h.gridId);
  const gridOfHousehold = new Map(data.households.map((h) => [h.id, h.gridId]));
  const residentsByGrid = groupBy<CadencePerson>(
    data.residents.filter((p) => gridOfHousehold.has(p.householdId)),
    (p) => gridOfHousehold.get(p.householdId)!,
  );
  const visitsByGrid = groupBy<RoundVisit>(
    data.visits,
    (v) => gridOfHousehold.get(v.householdId) ?? v.gridId,
  );
  const runsByGrid = groupBy(data.runs, (r) => r.gridId);
  const { today } = data;

  return workGrids(scope, data).map((gridId) => {
    const households = householdsByGrid.get(gridId) ?? [];
    const visits = visitsByGrid.get(gridId) ?? [];
    const dueList = computeDueList({
      households,
      people: residentsByGrid.get(gridId) ?? [],
      visits,
      lastCountedDays: data.lastCountedDays,
      config: data.cadenceOf(gridId),
      today,
    });
    const catchUp = catchUpOf({ households, visits, today });
    const runs = runsByGrid.get(gridId) ?? [];
    const checks: CheckDueRow[] = [];
    for (const shift of Object.keys(SHIFTS) as Shift[]) {
      const targets = checkTargets({
        templates: data.templates,
        buildings: data.buildings,
        enterprises: data.enterprises,
        gridId,
        shift,
      });
      for (const target of targets)
        checks.push({ target, shift, run: runOfTarget(target, runs, today, shift) });
    }
    const failedItems = runs
      .filter((run) => !run.isDeleted && run.day === today)
      .flatMap((run) => failedItemsOf(run).map((itemId) => ({ run, itemId })));
    const facts = dueList.items.map(roundFactsOf);
    const count = (pick: (f: (typeof facts)[number]) => boolean) => facts.filter(pick).length;
    const checksOf = (shift: Shift, done: boolean) =>
      checks.filter((row) => row.shift === shift && (!done || row.run !== undefined)).length;
    return {
      figures: {
        gridId,
        name: gridName(scope, gridId),
        dailyDue: count((f) => f.isDaily && f.isDueToday),
        dailyDone: count((f) => f.isDaily && f.isDone),
        due: count((f) => f.isDueToday),
        done: count((f) => f.isDone),
        overdue: count((f) => f.isOverdue),
        catchUpTonight: catchUp.listed.length,
        catchUpDone: catchUp.done.length,
        checksDue: { day: checksOf('day', false), night: checksOf('night', false) },
        checksDone: { day: checksOf('day', true), night: checksOf('night', true) },
        failedItems: failedItems.length,
      },
      items: dueList.items,
      catchUp,
      checks,
      failedItems,
    };
  });
}

/** Overdue households by tag key (overdueTagKeys), over every grid's due list. */
export function overdueByTag(scope: DashboardScope, rounds: readonly GridRound[]): Record<string, number> {
  // Every tag the caller may see is a key, so the screen lists them in one fixed order.
  const visible = CARE_TAG_CODES.filter((tag) => scope.seesSensitive || !CARE_TAGS[tag].isSensitive);
  const counts: Record<string, number> = Object.fromEntries([...visible, UNTAGGED].map((key) => [key, 0]));
  for (const round of rounds)
    for (const item of round.items) {
      if (item.status !== 'overdue') continue;
      for (const key of overdueTagKeys(item, scope.seesSensitive)) counts[key] = (counts[key] ?? 0) + 1;
    }
  return counts;
}
