/**
 * What the round figures read of the store, column by column: the register's households and
 * residents, each household's last visit that counts (household_visits), today's visits and checklist
 * runs, and the small things (cadences, buildings, enterprises, templates). A year of visits is never
 * read: the summary stands for it, as the phone's own summaries do (round-queries.ts).
 */
import { BUILT_IN_TEMPLATES } from '../../shared/domain/checklist-templates.ts';
import {
  DEFAULT_CADENCE_CONFIG,
  type CadenceConfig,
  type CadencePerson,
  type CadenceVisit,
} from '../../shared/domain/visit-cadence.ts';
import type { CheckBuilding, CheckEnterprise } from '../../shared/domain/dashboard/index.ts';
import type { CareTag } from '../../shared/schemas/care-tags.ts';
import type { ChecklistRun, ChecklistTemplate } from '../../shared/schemas/checklist.ts';
import type { PersonStatus } from '../../shared/schemas/person.ts';
import type { Shift, VisitOutcome } from '../../shared/schemas/visit.ts';
import type { Store } from '../store/store.ts';
import { all } from './problem-sql.ts';
import { gridCondition, type DashboardScope } from './grids.ts';

export interface RoundHousehold {
  id: string;
  gridId: string;
  updatedAt: number;
  isDeleted: false;
}
export type RoundVisit = CadenceVisit & { id: string; gridId: string };

export interface RoundData {
  today: string;
  households: RoundHousehold[];
  residents: CadencePerson[];
  lastCountedDays: Map<string, string>;
  /** Today's visits, and the whole history of the few households whose summary lies after today. */
  visits: RoundVisit[];
  cadenceOf: (gridId: string) => CadenceConfig;
  buildings: CheckBuilding[];
  enterprises: CheckEnterprise[];
  templates: readonly ChecklistTemplate[];
  runs: ChecklistRun[];
}

const n = (value: unknown) => Number(value);

export async function readRoundData(store: Store, scope: DashboardScope, today: string): Promise<RoundData> {
  const { townId } = scope;
  const grids = gridCondition(scope);
  const kindIn = (kind: string) =>
    all({ sql: 'town_id = ? AND kind = ? AND is_deleted = 0', params: [townId, kind] }, grids);

  const householdWhere = kindIn('households');
  const householdRows = await store.sql.all<{ id: string; grid_id: string; updated_at: number }>(
    `SELECT id, grid_id, updated_at FROM records WHERE ${householdWhere.sql}`,
    householdWhere.params,
  );
  const households: RoundHousehold[] = householdRows.map((row) => ({
    id: row.id,
    gridId: row.grid_id,
    updatedAt: n(row.updated_at),
    isDeleted: false,
  }));

  const peopleWhere = all(kindIn('people'), { sql: "status = 'resident'", params: [] });
  const peopleRows = await store.sql.all<{ id: string; household_id: string; tags: string | null }>(
    `SELECT id, household_id, tags FROM records WHERE ${peopleWhere.sql}`,
    peopleWhere.params,
  );
  const residents: CadencePerson[] = peopleRows.map((row) => ({
    id: row.id,
    householdId: row.household_id,
    status: 'resident' satisfies PersonStatus,
    tags: row.tags === null || row.tags === '[]' ? [] : (JSON.parse(row.tags) as CareTag[]),
    isDeleted: false,
  }));

  const summaryRows = await store.sql.all<{ household_id: string; last_counted_day: string }>(
    `SELECT v.household_id, v.last_counted_day FROM household_visits v
     JOIN records h ON h.town_id = v.town_id AND h.kind = 'households' AND h.id = v.household_id
     WHERE v.town_id = ? AND h.is_deleted = 0 AND ${gridCondition(scope, 'h.grid_id').sql}`,
    [townId, ...gridCondition(scope, 'h.grid_id').params],
  );
  const lastCountedDays = new Map<string, string>();
  const later: string[] = [];
  for (const row of summaryRows) {
    // A visit dated after today (a phone clock set ahead) hides the days before it: read those in full.
    if (row.last_counted_day > today) later.push(row.household_id);
    else lastCountedDays.set(row.household_id, row.last_counted_day);
  }

  const visitColumns = 'id, grid_id, household_id, day, reported_at, shift, status, is_deleted';
  type VisitRow = {
    id: string;
    grid_id: string;
    household_id: string;
    day: string;
    reported_at: number;
    shift: Shift;
    status: VisitOutcome;
    is_deleted: number;
  };
  const todayWhere = all(kindIn('visits'), { sql: 'day = ?', params: [today] });
  const visitRows = await store.sql.all<VisitRow>(
    `SELECT ${visitColumns} FROM records WHERE ${todayWhere.sql}`,
    todayWhere.params,
  );
  for (const householdId of later) {
    const history = await store.sql.all<VisitRow>(
      `SELECT ${visitColumns} FROM records
       WHERE town_id = ? AND household_id = ? AND kind = 'visits' AND is_deleted = 0 AND day <> ?`,
      [townId, householdId, today],
    );
    visitRows.push(...history);
  }
  const visits: RoundVisit[] = visitRows.map((row) => ({
    id: row.id,
    gridId: row.grid_id,
    householdId: row.household_id,
    day: row.day,
    visitedAt: n(row.reported_at),
    shift: row.shift,
    outcome: row.status,
    isDeleted: n(row.is_deleted) === 1,
  }));

  const cadences = new Map(
    (await store.records.live(townId, 'cadences')).map((row) => [
      row.gridId,
      { byTag: row.byTag, everyoneElse: row.everyoneElse } satisfies CadenceConfig,
    ]),
  );
  const inScope = (record: { gridId?: string | undefined }) =>
    scope.gridIds === null || (record.gridId !== undefined && scope.gridIds.has(record.gridId));
  const buildings = (await store.records.live(townId, 'buildings')).filter(inScope);
  const enterprises = (await store.records.live(townId, 'enterprises')).filter(inScope);
  const ownTemplates = (await store.records.live(townId, 'checklistTemplates')).filter(
    (template) => template.gridId === undefined || inScope(template),
  );
  const runWhere = all(kindIn('checklistRuns'), { sql: 'day = ?', params: [today] });
  const runs = (
    await store.sql.all<{ data: string }>(`SELECT data FROM records WHERE ${runWhere.sql}`, runWhere.params)
  ).map((row) => JSON.parse(row.data) as ChecklistRun);

  return {
    today,
    households,
    residents,
    lastCountedDays,
    visits,
    cadenceOf: (gridId) => cadences.get(gridId) ?? DEFAULT_CADENCE_CONFIG,
    buildings,
    enterprises,
    templates: [...BUILT_IN_TEMPLATES, ...ownTemplates],
    runs,
  };
}
