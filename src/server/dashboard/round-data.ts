/**
 * What the round figures read of the store, column by column: the register's households and
 * residents, each household's last visit that counts (household_visits), today's visits and checklist
 * runs, and the small things (cadences, buildings, enterprises, templates). A year of visits is never
 * read: the summary stands for it, as the phone's own summaries do (round-queries.ts). The register
 * and the summary are kept per town between requests (round-cache.ts) and read again only as far as
 * they changed; today's visits and runs are read every time.
 */
import { BUILT_IN_TEMPLATES } from '../../shared/domain/checklist-templates.ts';
import { DEFAULT_CADENCE_CONFIG, type CadenceConfig } from '../../shared/domain/visit-cadence.ts';
import type { CheckBuilding, CheckEnterprise } from '../../shared/domain/dashboard/index.ts';
import type { ChecklistRun, ChecklistTemplate } from '../../shared/schemas/checklist.ts';
import type { Store } from '../store/store.ts';
import { all } from './problem-sql.ts';
import { gridCondition, type DashboardScope } from './grids.ts';
import {
  registerOf,
  summaryOf,
  todaysVisitsOf,
  visitOf,
  VISIT_COLUMNS,
  type Register,
  type RoundHousehold,
  type RoundVisit,
  type VisitRow,
} from './round-cache.ts';

export type { RoundHousehold, RoundVisit } from './round-cache.ts';

export interface RoundData {
  today: string;
  /** Which reading of the register the households, residents and the rest below come from. */
  registerGeneration: number;
  /** The version of the write that last moved each household's summary. */
  summaryVersions: ReadonlyMap<string, number>;
  /** Households whose history was read in full (their summary lies after today). */
  laterHouseholds: ReadonlySet<string>;
  /** The scope's households. */
  households: RoundHousehold[];
  /** The town's households and residents by grid, and each household's grid (round-cache.ts). */
  byGrid: Register['byGrid'];
  gridOfHousehold: ReadonlyMap<string, string>;
  lastCountedDays: ReadonlyMap<string, string>;
  /** Today's visits, and the whole history of the few households whose summary lies after today. */
  visits: RoundVisit[];
  cadenceOf: (gridId: string) => CadenceConfig;
  buildings: CheckBuilding[];
  enterprises: CheckEnterprise[];
  templates: readonly ChecklistTemplate[];
  runs: ChecklistRun[];
  /** The version each of today's runs was written at. */
  runVersions: ReadonlyMap<string, number>;
}

const n = (value: unknown) => Number(value);

/** The round's inputs for the scope on `today`; call inside the dashboard's snapshot. */
export async function readRoundData(store: Store, scope: DashboardScope, today: string): Promise<RoundData> {
  const { townId } = scope;
  const version = await store.towns.version(townId);
  const register = await registerOf(store, townId, version);
  const summary = await summaryOf(store, townId, version);
  const inScope = (record: { gridId?: string | undefined }) =>
    scope.gridIds === null || (record.gridId !== undefined && scope.gridIds.has(record.gridId));
  const households = scope.gridIds === null ? register.households : register.households.filter(inScope);

  // A visit dated after today (a phone clock set ahead) hides the days before it: those households'
  // visits are read in full, and their summary left out.
  let lastCountedDays: ReadonlyMap<string, string> = summary.days;
  const later = households.filter((h) => (summary.days.get(h.id) ?? '') > today).map((h) => h.id);
  if (later.length > 0) {
    const kept = new Map(summary.days);
    for (const id of later) kept.delete(id);
    lastCountedDays = kept;
  }

  // The kind as a literal, not a parameter: the indexes are partial on it (schema step 5).
  const ofToday = (kind: 'checklistRuns') =>
    all(
      { sql: `town_id = ? AND kind = '${kind}' AND is_deleted = 0 AND day = ?`, params: [townId, today] },
      gridCondition(scope),
    );
  const visits: RoundVisit[] = (await todaysVisitsOf(store, townId, today, version)).filter(inScope);
  for (const householdId of later) {
    const history = await store.sql.all<VisitRow>(
      `SELECT ${VISIT_COLUMNS} FROM records
       WHERE town_id = ? AND household_id = ? AND kind = 'visits' AND is_deleted = 0 AND day <> ?`,
      [townId, householdId, today],
    );
    visits.push(...history.map(visitOf));
  }

  const runWhere = ofToday('checklistRuns');
  const runRows = await store.sql.all<{ data: string; version: number }>(
    `SELECT data, version FROM records WHERE ${runWhere.sql}`,
    runWhere.params,
  );
  const runs = runRows.map((row) => JSON.parse(row.data) as ChecklistRun);
  const runVersions = new Map(runs.map((run, i) => [run.id, n(runRows[i]!.version)]));

  return {
    today,
    registerGeneration: register.generation,
    summaryVersions: summary.versions,
    laterHouseholds: new Set(later),
    households,
    byGrid: register.byGrid,
    gridOfHousehold: register.gridOfHousehold,
    lastCountedDays,
    visits,
    cadenceOf: (gridId) => register.cadences.get(gridId) ?? DEFAULT_CADENCE_CONFIG,
    buildings: register.buildings.filter(inScope),
    enterprises: register.enterprises.filter(inScope),
    templates: [
      ...BUILT_IN_TEMPLATES,
      ...register.templates.filter((template) => template.gridId === undefined || inScope(template)),
    ],
    runs,
    runVersions,
  };
}
