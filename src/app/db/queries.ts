import { CARE_TAG_CODES, type Building, type CareTag, type Grid } from '../../shared/schemas/index.ts';
import { isSearchableQuery, normalizeQuery } from '../../shared/domain/search-keys.ts';
import type { AppDB, HouseholdRow, PersonRow } from './app-db.ts';
import { META_KEYS, readMeta, type DatasetInfo } from './meta.ts';

export function datasetInfo(db: AppDB): Promise<DatasetInfo | undefined> {
  return readMeta<DatasetInfo>(db, META_KEYS.dataset);
}

export interface GridChoice {
  grid: Grid;
  parentName: string;
}

/** The grids a worker can pick to work in (comprehensive and special), grouped by their parent. */
export async function listWorkGrids(db: AppDB): Promise<GridChoice[]> {
  const all = await db.grids.toArray();
  const byId = new Map(all.map((g) => [g.id, g]));
  return all
    .filter((g) => !g.isDeleted && (g.kind === 'grid' || g.kind === 'special' || g.kind === 'micro'))
    .map((grid) => ({ grid, parentName: (grid.parentId && byId.get(grid.parentId)?.name) || '' }))
    .sort((a, b) => a.grid.code.localeCompare(b.grid.code));
}

export interface GridSummary {
  households: number;
  people: number;
  buildings: number;
  enterprises: number;
  tagCounts: Record<CareTag, number>;
}

export async function gridSummary(db: AppDB, gridId: string): Promise<GridSummary> {
  const [households, people, buildings, enterprises] = await Promise.all([
    db.households.where('gridId').equals(gridId).count(),
    db.people.where('gridId').equals(gridId).toArray(),
    db.buildings.where('gridId').equals(gridId).count(),
    db.enterprises.where('gridId').equals(gridId).count(),
  ]);
  const tagCounts = Object.fromEntries(CARE_TAG_CODES.map((t) => [t, 0])) as Record<CareTag, number>;
  let residents = 0;
  for (const person of people) {
    if (person.isDeleted || person.status !== 'resident') continue;
    residents++;
    for (const tag of person.tags) tagCounts[tag]++;
  }
  return { households, people: residents, buildings, enterprises, tagCounts };
}

/** Walking order: floor, then room, as a worker climbs the stairs. */
export function byWalkingOrder(a: HouseholdRow, b: HouseholdRow): number {
  return (
    (a.unit ?? 0) - (b.unit ?? 0) ||
    (a.floor ?? 0) - (b.floor ?? 0) ||
    (a.room ?? '').localeCompare(b.room ?? '', 'zh', { numeric: true }) ||
    (a.villageGroup ?? '').localeCompare(b.villageGroup ?? '', 'zh') ||
    (a.houseNumber ?? '').localeCompare(b.houseNumber ?? '', 'zh', { numeric: true })
  );
}

export interface GridPlaces {
  buildings: Array<{ building: Building; households: number }>;
  villageGroups: Array<{ name: string; households: number }>;
}

/** Browse level 1: the buildings of a grid and its village groups, with household counts. */
export async function gridPlaces(db: AppDB, gridId: string): Promise<GridPlaces> {
  const [buildings, households] = await Promise.all([
    db.buildings.where('gridId').equals(gridId).toArray(),
    db.households.where('gridId').equals(gridId).toArray(),
  ]);
  const perBuilding = new Map<string, number>();
  const perGroup = new Map<string, number>();
  for (const h of households) {
    if (h.isDeleted) continue;
    if (h.buildingId) perBuilding.set(h.buildingId, (perBuilding.get(h.buildingId) ?? 0) + 1);
    else if (h.villageGroup) perGroup.set(h.villageGroup, (perGroup.get(h.villageGroup) ?? 0) + 1);
  }
  return {
    buildings: buildings
      .filter((b) => !b.isDeleted)
      .sort((a, b) => `${a.estate}${a.name}`.localeCompare(`${b.estate}${b.name}`, 'zh', { numeric: true }))
      .map((building) => ({ building, households: perBuilding.get(building.id) ?? 0 })),
    villageGroups: [...perGroup]
      .sort(([a], [b]) => a.localeCompare(b, 'zh'))
      .map(([name, count]) => ({ name, households: count })),
  };
}

export interface HouseholdListItem {
  household: HouseholdRow;
  members: number;
  headName: string;
  tags: CareTag[];
}

async function withMembers(db: AppDB, households: HouseholdRow[]): Promise<HouseholdListItem[]> {
  const people = await db.people
    .where('householdId')
    .anyOf(households.map((h) => h.id))
    .toArray();
  const byHousehold = new Map<string, PersonRow[]>();
  for (const p of people) {
    if (p.isDeleted || p.status !== 'resident') continue;
    const list = byHousehold.get(p.householdId) ?? [];
    list.push(p);
    byHousehold.set(p.householdId, list);
  }
  return households.map((household) => {
    const members = byHousehold.get(household.id) ?? [];
    return {
      household,
      members: members.length,
      headName: (members.find((m) => m.relation === 'head') ?? members[0])?.name ?? '',
      tags: [...new Set(members.flatMap((m) => m.tags))],
    };
  });
}

/** Browse level 2: the households of one building or one village group, in walking order. */
export async function householdsAt(
  db: AppDB,
  gridId: string,
  place: { buildingId: string } | { villageGroup: string },
): Promise<HouseholdListItem[]> {
  const households =
    'buildingId' in place
      ? await db.households.where('[gridId+buildingId]').equals([gridId, place.buildingId]).toArray()
      : await db.households
          .where('gridId')
          .equals(gridId)
          .filter((h) => h.villageGroup === place.villageGroup)
          .toArray();
  return withMembers(db, households.filter((h) => !h.isDeleted).sort(byWalkingOrder));
}

export interface HouseholdDetail {
  household: HouseholdRow;
  building: Building | undefined;
  grid: Grid | undefined;
  residents: PersonRow[];
  formerMembers: PersonRow[];
}

const RELATION_ORDER = ['head', 'spouse', 'parent', 'child', 'grandchild', 'sibling', 'tenant', 'other'];

export async function householdDetail(db: AppDB, id: string): Promise<HouseholdDetail | undefined> {
  const household = await db.households.get(id);
  if (!household || household.isDeleted) return undefined;
  const [building, grid, people] = await Promise.all([
    household.buildingId ? db.buildings.get(household.buildingId) : undefined,
    db.grids.get(household.gridId),
    db.people.where('householdId').equals(id).toArray(),
  ]);
  const live = people
    .filter((p) => !p.isDeleted)
    .sort((a, b) => RELATION_ORDER.indexOf(a.relation) - RELATION_ORDER.indexOf(b.relation));
  return {
    household,
    building,
    grid,
    residents: live.filter((p) => p.status === 'resident'),
    formerMembers: live.filter((p) => p.status !== 'resident'),
  };
}

export async function peopleWithTag(db: AppDB, gridId: string, tag: CareTag): Promise<PersonRow[]> {
  const people = await db.people
    .where('tags')
    .equals(tag)
    .filter((p) => p.gridId === gridId)
    .toArray();
  return people.filter((p) => !p.isDeleted && p.status === 'resident');
}

export interface SearchResults {
  people: Array<{ person: PersonRow; address: string }>;
  households: HouseholdRow[];
}

export const SEARCH_LIMIT = 30;

/**
 * Name (any part), pinyin initials or full pinyin, phone (any 4+ digits), ID number tail, address.
 * One prefix range per index; suffix keys make that a substring match (see search-keys.ts).
 */
export async function search(db: AppDB, query: string, limit = SEARCH_LIMIT): Promise<SearchResults> {
  const q = normalizeQuery(query);
  if (!isSearchableQuery(q)) return { people: [], households: [] };
  const [people, households] = await Promise.all([
    db.people
      .where('searchKeys')
      .startsWith(q)
      .filter((p) => !p.isDeleted)
      .distinct()
      .limit(limit)
      .toArray(),
    db.households
      .where('searchKeys')
      .startsWith(q)
      .filter((h) => !h.isDeleted)
      .distinct()
      .limit(limit)
      .toArray(),
  ]);
  const homes = await db.households.bulkGet([...new Set(people.map((p) => p.householdId))]);
  const addressById = new Map(homes.flatMap((h) => (h ? [[h.id, h.address]] : [])));
  return {
    people: people.map((person) => ({ person, address: addressById.get(person.householdId) ?? '' })),
    households,
  };
}

export function pendingChanges(db: AppDB): Promise<number> {
  return db.outbox.count();
}
