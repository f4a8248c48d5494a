/**
 * The parts of the round that change slowly, kept per database and town between dashboard requests
 * and checked against the store on each: the register (households, residents' care tags, cadences,
 * buildings, enterprises, templates), read again whole when any record of those kinds was written
 * since, and each household's last visit that counts, read again only as far as household_visits
 * moved since (its rows carry the version of the write: schema step 5). Everything is as of the
 * version the request's snapshot sees, so a cached copy is exactly what a fresh read would give;
 * server processes stay stateless (several behind one PostgreSQL each keep their own).
 */
import type { CadenceConfig, CadencePerson, CadenceVisit } from '../../shared/domain/visit-cadence.ts';
import type { CheckBuilding, CheckEnterprise } from '../../shared/domain/dashboard/index.ts';
import type { CareTag } from '../../shared/schemas/care-tags.ts';
import type { ChecklistTemplate } from '../../shared/schemas/checklist.ts';
import type { PersonStatus } from '../../shared/schemas/person.ts';
import type { Shift, VisitOutcome } from '../../shared/schemas/visit.ts';
import type { SqlDatabase } from '../store/sql.ts';
import type { Store } from '../store/store.ts';

export interface RoundHousehold {
  id: string;
  gridId: string;
  updatedAt: number;
  isDeleted: false;
}

export interface Register {
  /** Which reading of the register this is: a new one is a new number. */
  generation: number;
  households: RoundHousehold[];
  residents: CadencePerson[];
  /** The households and residents of each grid, and each household's grid: grouped once per reading. */
  byGrid: ReadonlyMap<string, { households: RoundHousehold[]; residents: CadencePerson[] }>;
  gridOfHousehold: ReadonlyMap<string, string>;
  cadences: Map<string, CadenceConfig>;
  buildings: CheckBuilding[];
  enterprises: CheckEnterprise[];
  templates: ChecklistTemplate[];
}

/** The record kinds the register is made of: a write of any of them reads it again. */
const REGISTER_KINDS = [
  'grids',
  'households',
  'people',
  'cadences',
  'buildings',
  'enterprises',
  'checklistTemplates',
];

/** Each household's last visit day that counts, and the version of the write that last moved it. */
export interface Summary {
  days: ReadonlyMap<string, string>;
  versions: ReadonlyMap<string, number>;
}

/** A grid's round as last computed, and the fingerprint of everything it was computed from. */
export interface CachedGridRound<T> {
  key: string;
  round: T;
}

export type RoundVisit = CadenceVisit & { id: string; gridId: string; version: number };

export type VisitRow = {
  id: string;
  grid_id: string;
  household_id: string;
  day: string;
  reported_at: number;
  shift: Shift;
  status: VisitOutcome;
  is_deleted: number;
  version: number;
};
export const VISIT_COLUMNS =
  'id, grid_id, household_id, day, reported_at, shift, status, is_deleted, version';

export const visitOf = (row: VisitRow): RoundVisit => ({
  id: row.id,
  gridId: row.grid_id,
  householdId: row.household_id,
  day: row.day,
  visitedAt: Number(row.reported_at),
  shift: row.shift,
  outcome: row.status,
  isDeleted: Number(row.is_deleted) === 1,
  version: Number(row.version),
});

interface TownCache {
  register?: { version: number; register: Register };
  /** Today's live visits by id (the whole town's). */
  visits?: { version: number; today: string; byId: ReadonlyMap<string, RoundVisit> };
  summary?: { version: number; summary: Summary };
  grids: Map<string, CachedGridRound<unknown>>;
}
const caches = new WeakMap<SqlDatabase, Map<string, TownCache>>();
const MAX_TOWNS = 200;

function cacheOf(store: Store, townId: string): TownCache {
  let towns = caches.get(store.database);
  if (!towns) {
    towns = new Map();
    caches.set(store.database, towns);
  }
  let town = towns.get(townId);
  if (!town) {
    if (towns.size >= MAX_TOWNS) towns.clear();
    town = { grids: new Map() };
    towns.set(townId, town);
  }
  return town;
}

const n = (value: unknown) => Number(value);
let generations = 0;

/** The town's grid rounds as last computed (round-figures.ts keeps them by fingerprint). */
export function gridRoundCache<T>(store: Store, townId: string): Map<string, CachedGridRound<T>> {
  return cacheOf(store, townId).grids as Map<string, CachedGridRound<T>>;
}

async function readRegister(store: Store, townId: string): Promise<Register> {
  // Every query names its kind as a literal: the indexes are partial on it (schema step 5).
  const householdRows = await store.sql.all<{ id: string; grid_id: string; updated_at: number }>(
    "SELECT id, grid_id, updated_at FROM records WHERE town_id = ? AND kind = 'households' AND is_deleted = 0",
    [townId],
  );
  // Residents with a care tag, and one untagged resident of each household that has one: a resident
  // without tags sets nothing of the household's cadence (householdCadence) but that it has
  // residents, so the due list is the same as over all 85,000, from a fraction of the rows.
  const residentWhere = "town_id = ? AND kind = 'people' AND is_deleted = 0 AND status = 'resident'";
  const tagged = await store.sql.all<{ id: string; household_id: string; tags: string }>(
    `SELECT id, household_id, tags FROM records WHERE ${residentWhere} AND tags <> '[]'`,
    [townId],
  );
  const untagged = await store.sql.all<{ id: string; household_id: string }>(
    `SELECT household_id, MIN(id) AS id FROM records WHERE ${residentWhere} AND tags = '[]' GROUP BY household_id`,
    [townId],
  );
  const resident = (id: string, householdId: string, tags: CareTag[]): CadencePerson => ({
    id,
    householdId,
    status: 'resident' satisfies PersonStatus,
    tags,
    isDeleted: false,
  });
  const households: RoundHousehold[] = householdRows.map((row) => ({
    id: row.id,
    gridId: row.grid_id,
    updatedAt: n(row.updated_at),
    isDeleted: false,
  }));
  const residents = [
    ...tagged.map((row) => resident(row.id, row.household_id, JSON.parse(row.tags) as CareTag[])),
    ...untagged.map((row) => resident(row.id, row.household_id, [])),
  ];
  const byGrid = new Map<string, { households: RoundHousehold[]; residents: CadencePerson[] }>();
  const gridOfHousehold = new Map<string, string>();
  for (const household of households) {
    gridOfHousehold.set(household.id, household.gridId);
    let grid = byGrid.get(household.gridId);
    if (!grid) byGrid.set(household.gridId, (grid = { households: [], residents: [] }));
    grid.households.push(household);
  }
  for (const person of residents) {
    const gridId = gridOfHousehold.get(person.householdId);
    if (gridId !== undefined) byGrid.get(gridId)!.residents.push(person);
  }
  return {
    generation: ++generations,
    households,
    residents,
    byGrid,
    gridOfHousehold,
    cadences: new Map(
      (await store.records.live(townId, 'cadences')).map((row) => [
        row.gridId,
        { byTag: row.byTag, everyoneElse: row.everyoneElse } satisfies CadenceConfig,
      ]),
    ),
    buildings: await store.records.live(townId, 'buildings'),
    enterprises: await store.records.live(townId, 'enterprises'),
    templates: await store.records.live(townId, 'checklistTemplates'),
  };
}

/** The town's register as of `version` (the request's snapshot). */
export async function registerOf(store: Store, townId: string, version: number): Promise<Register> {
  const cache = cacheOf(store, townId);
  const held = cache.register;
  if (held && held.version === version) return held.register;
  if (held && held.version < version) {
    const changed = await store.sql.get<{ one: number }>(
      `SELECT 1 AS one FROM records WHERE town_id = ? AND version > ? AND version <= ?
         AND kind IN (${REGISTER_KINDS.map((k) => `'${k}'`).join(', ')}) LIMIT 1`,
      [townId, held.version, version],
    );
    if (!changed) {
      cache.register = { version, register: held.register };
      return held.register;
    }
  }
  const register = await readRegister(store, townId);
  // An older snapshot finishing late does not set the copy back.
  if (!cache.register || cache.register.version <= version) cache.register = { version, register };
  return register;
}

/** Each household's last visit day that counts, as of `version`. */
export async function summaryOf(store: Store, townId: string, version: number): Promise<Summary> {
  const cache = cacheOf(store, townId);
  const held = cache.summary;
  if (held && held.version === version) return held.summary;
  const since = held && held.version < version ? held.version : undefined;
  const rows = await store.sql.all<{ household_id: string; last_counted_day: string; version: number }>(
    since === undefined
      ? 'SELECT household_id, last_counted_day, version FROM household_visits WHERE town_id = ? AND version <= ?'
      : `SELECT household_id, last_counted_day, version FROM household_visits
         WHERE town_id = ? AND version > ? AND version <= ?`,
    since === undefined ? [townId, version] : [townId, since, version],
  );
  if (since !== undefined && rows.length === 0) {
    cache.summary = { version, summary: held!.summary };
    return held!.summary;
  }
  // New maps, never the ones another request may be reading.
  const days = new Map(since === undefined ? [] : held!.summary.days);
  const versions = new Map(since === undefined ? [] : held!.summary.versions);
  for (const row of rows) {
    versions.set(row.household_id, n(row.version));
    if (row.last_counted_day === '') days.delete(row.household_id);
    else days.set(row.household_id, row.last_counted_day);
  }
  const summary = { days, versions };
  if (!cache.summary || cache.summary.version <= version) cache.summary = { version, summary };
  return summary;
}

/**
 * The town's live visits of `today`, as of `version`: read whole on a new day, else only the visits
 * written since (a new one, a correction, a withdrawal) from the version index.
 */
export async function todaysVisitsOf(
  store: Store,
  townId: string,
  today: string,
  version: number,
): Promise<RoundVisit[]> {
  const cache = cacheOf(store, townId);
  const held = cache.visits;
  if (held && held.today === today && held.version === version) return [...held.byId.values()];
  const isIncremental = held !== undefined && held.today === today && held.version < version;
  const rows = await store.sql.all<VisitRow>(
    isIncremental
      ? `SELECT ${VISIT_COLUMNS} FROM records WHERE town_id = ? AND version > ? AND version <= ? AND kind = 'visits'`
      : `SELECT ${VISIT_COLUMNS} FROM records WHERE town_id = ? AND kind = 'visits' AND is_deleted = 0 AND day = ?`,
    isIncremental ? [townId, held.version, version] : [townId, today],
  );
  const byId = new Map(isIncremental ? held.byId : []);
  for (const row of rows) {
    if (row.day !== today || n(row.is_deleted) === 1) byId.delete(row.id);
    else byId.set(row.id, visitOf(row));
  }
  if (!cache.visits || cache.visits.version <= version) cache.visits = { version, today, byId };
  return [...byId.values()];
}
