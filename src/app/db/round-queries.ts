import { BUILT_IN_TEMPLATES } from '../../shared/domain/checklist-templates.ts';
import { checkTargets, runOfTarget } from '../../shared/domain/dashboard/round-rules.ts';
import { summarizeDay, type DaySummary } from '../../shared/domain/day-summary.ts';
import {
  computeDueList,
  tonightCatchUp,
  type DueItem,
  type DueList,
} from '../../shared/domain/visit-cadence.ts';
import {
  OPEN_NEED_STATUSES,
  type Building,
  type ChecklistRun,
  type ChecklistTemplate,
  type Enterprise,
  type Need,
  type Shift,
  type Visit,
} from '../../shared/schemas/index.ts';
import type { AppDB, HouseholdRow, PersonRow } from './app-db.ts';
import { cadenceOfGrid } from './cadence-queries.ts';
import { lastCountedDaysOf } from './visit-summaries.ts';

/** Walking order across a grid: estate and building, then unit, floor, room; villages by group and number. */
export function walkingOrder(buildingsById: ReadonlyMap<string, Building>) {
  const collator = new Intl.Collator('zh', { numeric: true });
  const buildingKey = (h: HouseholdRow) => {
    const b = h.buildingId ? buildingsById.get(h.buildingId) : undefined;
    return b ? `${b.estate}${b.name}` : `~${h.villageGroup ?? ''}`;
  };
  return (a: HouseholdRow, b: HouseholdRow) =>
    collator.compare(buildingKey(a), buildingKey(b)) ||
    (a.unit ?? 0) - (b.unit ?? 0) ||
    (a.floor ?? 0) - (b.floor ?? 0) ||
    collator.compare(a.room ?? '', b.room ?? '') ||
    collator.compare(a.houseNumber ?? '', b.houseNumber ?? '');
}

export interface TodayEntry extends DueItem {
  household: HouseholdRow;
  headName: string;
  /** Names of the members whose tags set the cadence, for the list row. */
  keyPeople: string[];
}

export interface TodayView {
  entries: TodayEntry[];
  counts: DueList['counts'];
  todayTotal: number;
  catchUp: TodayEntry[];
  openNeeds: number;
}

function headNameOf(members: PersonRow[] | undefined): string {
  if (!members || members.length === 0) return '';
  return (members.find((m) => m.relation === 'head') ?? members[0])!.name;
}

/** What computeDueList and tonightCatchUp need for a grid on a day, read from the device. */
export interface DueListReads {
  /** Live households in walking order. */
  households: HouseholdRow[];
  people: PersonRow[];
  buildings: Building[];
  /** Today's visits, plus the whole history of any household whose summary lies after today. */
  visits: Visit[];
  /** Last counted visit day per household, from visitSummaries (visits before today). */
  lastCountedDays: Map<string, string>;
}

/**
 * One read of the grid for the due list: the register, each household's visit summary and today's
 * visits, never the year of history behind them (150,000 visits in a busy grid).
 */
export async function readDueListInputs(db: AppDB, gridId: string, today: string): Promise<DueListReads> {
  const [households, people, buildings, visitsOfToday] = await Promise.all([
    db.households.where('gridId').equals(gridId).toArray(),
    db.people.where('gridId').equals(gridId).toArray(),
    db.buildings.where('gridId').equals(gridId).toArray(),
    db.visits.where('[gridId+day]').equals([gridId, today]).toArray(),
  ]);
  const live = households.filter((h) => !h.isDeleted);
  live.sort(walkingOrder(new Map(buildings.map((b) => [b.id, b]))));
  const lastCountedDays = await lastCountedDaysOf(
    db,
    live.map((h) => h.id),
  );
  // A summary after today (a visit from a clock set ahead, or a past day's list for the export) hides
  // the days before it: those households' visits are read in full, in one pass over the index.
  const later = [...lastCountedDays].filter(([, day]) => day > today).map(([householdId]) => householdId);
  for (const householdId of later) lastCountedDays.delete(householdId);
  const visits = visitsOfToday;
  if (later.length > 0) {
    const histories = await db.visits.where('householdId').anyOf(later).toArray();
    for (const visit of histories) if (visit.day !== today) visits.push(visit);
  }
  return { households: live, people, buildings, visits, lastCountedDays };
}

/** Everything the Today screen shows, from one read of the grid. */
export async function todayView(db: AppDB, gridId: string, today: string): Promise<TodayView> {
  const [reads, openNeeds, config] = await Promise.all([
    readDueListInputs(db, gridId, today),
    countOpenNeeds(db, gridId),
    cadenceOfGrid(db, gridId),
  ]);
  const { households: live, people, visits, lastCountedDays } = reads;
  const dueList = computeDueList({ households: live, people, visits, lastCountedDays, config, today });

  const householdsById = new Map(live.map((h) => [h.id, h]));
  const membersByHousehold = new Map<string, PersonRow[]>();
  const peopleById = new Map<string, PersonRow>();
  for (const person of people) {
    peopleById.set(person.id, person);
    if (person.isDeleted || person.status !== 'resident') continue;
    const list = membersByHousehold.get(person.householdId) ?? [];
    list.push(person);
    membersByHousehold.set(person.householdId, list);
  }
  const entryOf = (item: DueItem): TodayEntry => ({
    ...item,
    household: householdsById.get(item.householdId)!,
    headName: headNameOf(membersByHousehold.get(item.householdId)),
    keyPeople: item.reasonPersonIds.flatMap((id) => {
      const name = peopleById.get(id)?.name;
      return name ? [name] : [];
    }),
  });
  const itemsById = new Map(dueList.items.map((item) => [item.householdId, item]));
  return {
    entries: dueList.items.filter((i) => i.status !== 'upcoming').map(entryOf),
    counts: dueList.counts,
    todayTotal: dueList.todayTotal,
    catchUp: tonightCatchUp({ households: live, visits, today }).flatMap((id) => {
      const item = itemsById.get(id);
      return item ? [entryOf(item)] : [];
    }),
    openNeeds,
  };
}

export async function countOpenNeeds(db: AppDB, gridId: string): Promise<number> {
  const counts = await Promise.all(
    OPEN_NEED_STATUSES.map((status) => db.needs.where('[gridId+status]').equals([gridId, status]).count()),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export async function allTemplates(db: AppDB): Promise<ChecklistTemplate[]> {
  const own = await db.checklistTemplates.toArray();
  return [...BUILT_IN_TEMPLATES, ...own.filter((t) => !t.isDeleted)];
}

export interface CheckDue {
  template: ChecklistTemplate;
  target: { kind: 'building'; building: Building } | { kind: 'enterprise'; enterprise: Enterprise };
  itemCount: number;
  run: ChecklistRun | undefined;
}

/**
 * Which buildings' (and enterprises') checks this shift asks for today, and which are done: the
 * shared rule (checkTargets, runOfTarget) the dashboard counts by too.
 */
export async function checksDue(db: AppDB, gridId: string, today: string, shift: Shift): Promise<CheckDue[]> {
  const [templates, buildings, enterprises, runs] = await Promise.all([
    allTemplates(db),
    db.buildings.where('gridId').equals(gridId).toArray(),
    db.enterprises.where('gridId').equals(gridId).toArray(),
    db.checklistRuns.where('[gridId+day]').equals([gridId, today]).toArray(),
  ]);
  const templatesById = new Map(templates.map((template) => [template.id, template]));
  const buildingsById = new Map(buildings.map((building) => [building.id, building]));
  const enterprisesById = new Map(enterprises.map((enterprise) => [enterprise.id, enterprise]));
  return checkTargets({ templates, buildings, enterprises, gridId, shift }).map((target) => ({
    template: templatesById.get(target.templateId)!,
    target:
      target.targetKind === 'building'
        ? { kind: 'building', building: buildingsById.get(target.targetId)! }
        : { kind: 'enterprise', enterprise: enterprisesById.get(target.targetId)! },
    itemCount: target.itemCount,
    run: runOfTarget(target, runs, today, shift),
  }));
}

export async function daySummary(db: AppDB, gridId: string, day: string): Promise<DaySummary> {
  return daySummaryOfGrids(db, [gridId], day);
}

/** The day's work over several grids (the daily export for a leader's grids). */
export async function daySummaryOfGrids(db: AppDB, gridIds: string[], day: string): Promise<DaySummary> {
  const perGrid = await Promise.all(
    gridIds.map((gridId) =>
      Promise.all([
        db.visits.where('[gridId+day]').equals([gridId, day]).toArray(),
        db.checklistRuns.where('[gridId+day]').equals([gridId, day]).toArray(),
        db.hazards.where('gridId').equals(gridId).toArray(),
        db.needs.where('[gridId+status]').between([gridId, ''], [gridId, '\uffff']).toArray(),
      ]),
    ),
  );
  return summarizeDay({
    day,
    visits: perGrid.flatMap(([visits]) => visits),
    runs: perGrid.flatMap(([, runs]) => runs),
    hazards: perGrid.flatMap(([, , hazards]) => hazards),
    needs: perGrid.flatMap(([, , , needs]) => needs),
  });
}

export type TimelineEvent =
  | { kind: 'visit'; at: number; visit: Visit }
  | { kind: 'need'; at: number; need: Need; status: Need['status']; note?: string | undefined }
  | { kind: 'moved-out'; at: number; person: PersonRow };

export interface HouseholdRound {
  needs: Need[];
  timeline: TimelineEvent[];
}

/** The household's needs file and its history, newest first. */
export async function householdRound(db: AppDB, householdId: string): Promise<HouseholdRound> {
  const [visits, needs, people] = await Promise.all([
    db.visits.where('householdId').equals(householdId).toArray(),
    db.needs.where('householdId').equals(householdId).toArray(),
    db.people.where('householdId').equals(householdId).toArray(),
  ]);
  const timeline: TimelineEvent[] = [
    ...visits
      .filter((v) => !v.isDeleted)
      .map((visit) => ({ kind: 'visit' as const, at: visit.visitedAt, visit })),
    ...needs.flatMap((need) =>
      need.history.map((entry) => ({
        kind: 'need' as const,
        at: entry.at,
        need,
        status: entry.status,
        note: entry.note,
      })),
    ),
    ...people
      .filter((p) => p.status !== 'resident' && p.movedOutAt !== undefined)
      .map((person) => ({ kind: 'moved-out' as const, at: person.movedOutAt!, person })),
  ];
  timeline.sort((a, b) => b.at - a.at);
  const liveNeeds = needs.filter((n) => !n.isDeleted).sort((a, b) => b.createdAt - a.createdAt);
  return { needs: liveNeeds, timeline };
}
