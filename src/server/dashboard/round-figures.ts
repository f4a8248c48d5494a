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
import type { CachedGridRound } from './round-cache.ts';
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
    ...[...data.byGrid.keys()].filter((id) => scope.gridIds === null || scope.gridIds.has(id)),
    ...data.buildings.map((b) => b.gridId),
    ...data.enterprises.map((e) => e.gridId),
  ]);
  const collator = new Intl.Collator('zh', { numeric: true });
  return [...ids]
    .filter((id) => scope.grids.has(id))
    .sort((a, b) => collator.compare(gridName(scope, a), gridName(scope, b)));
}

/**
 * What a grid's round is computed from, as one string: the register it was read from, today, the
 * grid's name, and the newest write (and the count) of its households' summaries and of today's
 * visits and runs. Any write that moves one of them changes a version or a count. Undefined (never
 * kept) when a household's history had to be read in full.
 */
function fingerprint(
  data: RoundData,
  name: string,
  households: readonly RoundHousehold[],
  visits: readonly RoundVisit[],
  runs: readonly ChecklistRun[],
): string | undefined {
  let summary = 0;
  for (const household of households) {
    if (data.laterHouseholds.has(household.id)) return undefined;
    summary = Math.max(summary, data.summaryVersions.get(household.id) ?? 0);
  }
  const newest = (versions: Iterable<number>) => Math.max(0, ...versions);
  return [
    data.registerGeneration,
    data.today,
    name,
    summary,
    `${visits.length}:${newest(visits.map((v) => v.version))}`,
    `${runs.length}:${newest(runs.map((r) => data.runVersions.get(r.id) ?? 0))}`,
  ].join('|');
}

/**
 * Every work grid's round. With `cache` (the town's, round-cache.ts), a grid whose fingerprint has not
 * moved since is not computed again: between two refreshes of the dashboard most grids had no write.
 */
export function roundFigures(
  scope: DashboardScope,
  data: RoundData,
  cache?: Map<string, CachedGridRound<GridRound>>,
): GridRound[] {
  const { gridOfHousehold } = data;
  const visitsByGrid = groupBy<RoundVisit>(
    data.visits,
    (v) => gridOfHousehold.get(v.householdId) ?? v.gridId,
  );
  const runsByGrid = groupBy(data.runs, (r) => r.gridId);

  return workGrids(scope, data).map((gridId) => {
    const grid = data.byGrid.get(gridId);
    const households = grid?.households ?? [];
    const visits = visitsByGrid.get(gridId) ?? [];
    const runs = runsByGrid.get(gridId) ?? [];
    const key = cache && fingerprint(data, gridName(scope, gridId), households, visits, runs);
    const held = key === undefined ? undefined : cache?.get(gridId);
    if (held && held.key === key) return held.round;
    const round = gridRound(scope, data, gridId, households, grid?.residents ?? [], visits, runs);
    if (key !== undefined) cache?.set(gridId, { key, round });
    return round;
  });
}

/** One grid's round, from its own households, residents, visits and runs. */
function gridRound(
  scope: DashboardScope,
  data: RoundData,
  gridId: string,
  households: readonly RoundHousehold[],
  residents: readonly CadencePerson[],
  visits: readonly RoundVisit[],
  runs: readonly ChecklistRun[],
): GridRound {
  const { today } = data;
  const dueList = computeDueList({
    households,
    people: residents,
    visits,
    lastCountedDays: data.lastCountedDays,
    config: data.cadenceOf(gridId),
    today,
  });
  const catchUp = catchUpOf({ households, visits, today });
  const checks: CheckDueRow[] = [];
  const checksDue = { day: 0, night: 0 };
  const checksDone = { day: 0, night: 0 };
  for (const shift of Object.keys(SHIFTS) as Shift[]) {
    const targets = checkTargets({
      templates: data.templates,
      buildings: data.buildings,
      enterprises: data.enterprises,
      gridId,
      shift,
    });
    for (const target of targets) {
      const run = runOfTarget(target, runs, today, shift);
      checks.push({ target, shift, run });
      checksDue[shift] += 1;
      if (run) checksDone[shift] += 1;
    }
  }
  const failedItems = runs
    .filter((run) => !run.isDeleted && run.day === today)
    .flatMap((run) => failedItemsOf(run).map((itemId) => ({ run, itemId })));
  // One pass over the due list for every count (roundFactsOf says what each item counts toward).
  let dailyDue = 0;
  let dailyDone = 0;
  let overdue = 0;
  for (const item of dueList.items) {
    const facts = roundFactsOf(item);
    if (facts.isDaily && facts.isDueToday) dailyDue += 1;
    if (facts.isDaily && facts.isDone) dailyDone += 1;
    if (facts.isOverdue) overdue += 1;
  }
  return {
    figures: {
      gridId,
      name: gridName(scope, gridId),
      dailyDue,
      dailyDone,
      due: dueList.todayTotal,
      done: dueList.counts.done,
      overdue,
      catchUpTonight: catchUp.listed.length,
      catchUpDone: catchUp.done.length,
      checksDue,
      checksDone,
      failedItems: failedItems.length,
    },
    items: dueList.items,
    catchUp,
    checks,
    failedItems,
  };
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
