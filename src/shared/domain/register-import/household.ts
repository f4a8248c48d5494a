/**
 * The rows that share a 户编号 as one household: one address for all of them, a grid and (for a flat) a
 * building that exist, exactly one head, and a household record the schema accepts. Errors go on the
 * row that holds the offending cell.
 */
import type { Building } from '../../schemas/building.ts';
import type { Grid } from '../../schemas/grid.ts';
import { householdSchema, type Household } from '../../schemas/household.ts';
import { HEADER_OF } from './columns.ts';
import { HOUSE_FIELDS, type HouseCells, type HouseField, type ParsedRow } from './row.ts';
import { HOUSEHOLD_COLUMN, issueToError, zhErrorMap, type ZodIssueLike } from './schema-issues.ts';
import type { RegisterImportContext } from './types.ts';

/** A household whose record is valid; its rows may still have errors of their own. */
export interface HouseholdCandidate {
  key: string;
  rows: ParsedRow[];
  household: Household;
}

/** Stands in for a grid or building that could not be found, so the schema still checks the other fields. */
const UNRESOLVED_ID = '00000000-0000-7000-8000-000000000000';

/** The live grids and buildings an address is looked up in. */
interface Places {
  gridByCode: ReadonlyMap<string, Grid>;
  buildings: readonly Building[];
}

/** A household's address cells, and where its errors go. */
interface House {
  key: string;
  rows: ParsedRow[];
  cells: HouseCells;
  /** Reports on the row the cell came from; a field reported once needs no schema message on top. */
  fail(field: HouseField, message: string): void;
  explained: ReadonlySet<HouseField>;
}

/** One candidate per group whose household record is valid, in file order; one new id per group. */
export function planHouseholds(
  groups: ReadonlyMap<string, ParsedRow[]>,
  context: RegisterImportContext,
): HouseholdCandidate[] {
  const places: Places = {
    gridByCode: new Map(
      context.grids.filter((g) => !g.isDeleted).map((g) => [g.code.trim().toUpperCase(), g] as const),
    ),
    buildings: context.buildings.filter((b) => !b.isDeleted),
  };
  const candidates: HouseholdCandidate[] = [];
  for (const [key, group] of groups) {
    const candidate = planHousehold(key, group, places, context);
    if (candidate) candidates.push(candidate);
  }
  return candidates;
}

function planHousehold(
  key: string,
  rows: ParsedRow[],
  places: Places,
  context: RegisterImportContext,
): HouseholdCandidate | undefined {
  const house = mergeHouse(key, rows);
  const grid = findGrid(house, places);
  const building = findBuilding(house, grid, places);
  const head = findHead(key, rows);
  const address = house.cells.address ?? composeAddress(house.cells, building);
  const draft = {
    id: context.newId(),
    updatedAt: context.now,
    isDeleted: false,
    gridId: grid?.id ?? UNRESOLVED_ID,
    buildingId: building?.id ?? (house.cells.building !== undefined ? UNRESOLVED_ID : undefined),
    unit: house.cells.unit === undefined ? undefined : Number(house.cells.unit),
    floor: house.cells.floor === undefined ? undefined : Number(house.cells.floor),
    room: house.cells.room,
    villageGroup: house.cells.villageGroup,
    houseNumber: house.cells.houseNumber,
    address,
    phone: head?.person.phone,
  };
  const result = householdSchema.safeParse(draft, { error: zhErrorMap });
  if (result.success) return { key, rows, household: result.data };
  reportSchemaIssues(house, result.error.issues);
  return undefined;
}

function reportSchemaIssues(house: House, issues: ReadonlyArray<ZodIssueLike>): void {
  const first = house.rows[0]!;
  for (const issue of issues) {
    // The head's own row already reports a bad phone number.
    if (issue.path[0] === 'phone') continue;
    const field = HOUSEHOLD_COLUMN[String(issue.path[0])];
    const { message } = issueToError(issue, first.line, HOUSEHOLD_COLUMN);
    if (field) {
      if (!house.explained.has(field)) house.fail(field, message);
    } else first.errors.push({ line: first.line, message });
  }
}

/** The household's address from the first row that fills each cell; a row that says otherwise is wrong. */
function mergeHouse(key: string, rows: ParsedRow[]): House {
  const first = rows[0]!;
  const cells: HouseCells = {};
  const sourceLine: Partial<Record<HouseField, number>> = {};
  for (const row of rows) {
    for (const field of HOUSE_FIELDS) {
      const value = row.house[field];
      if (value === undefined) continue;
      const known = cells[field];
      if (known === undefined) {
        cells[field] = value;
        sourceLine[field] = row.line;
      } else if (known !== value) {
        row.errors.push({
          line: row.line,
          column: HEADER_OF[field],
          message: `与同户第 ${sourceLine[field]} 行的${HEADER_OF[field]}“${known}”不一致（同一户编号的各行住址须相同）`,
        });
      }
    }
  }
  const explained = new Set<HouseField>();
  const fail = (field: HouseField, message: string) => {
    explained.add(field);
    const line = sourceLine[field] ?? first.line;
    const row = rows.find((r) => r.line === line) ?? first;
    row.errors.push({ line, column: HEADER_OF[field], message });
  };
  return { key, rows, cells, fail, explained };
}

function findGrid(house: House, places: Places): Grid | undefined {
  const code = house.cells.gridCode;
  if (code === undefined) {
    house.fail('gridCode', `户编号 ${house.key} 没有填写网格编码`);
    return undefined;
  }
  const grid = places.gridByCode.get(code);
  if (!grid) house.fail('gridCode', `网格编码“${code}”在系统中不存在`);
  return grid;
}

/** A flat's building (undefined for a village house): one address shape only, and a building that exists. */
function findBuilding(house: House, grid: Grid | undefined, places: Places): Building | undefined {
  const { cells } = house;
  const buildingName = cells.building;
  const inBuilding = buildingName !== undefined;
  const buildingParts = (['estate', 'unit', 'floor', 'room'] as const).filter((f) => cells[f] !== undefined);
  if (inBuilding && cells.villageGroup !== undefined) {
    house.fail('villageGroup', '楼栋和村民小组只能填一个：楼房住户填楼栋，村里住户填村民小组');
  } else if (!inBuilding && cells.villageGroup === undefined) {
    house.fail('building', '请填写楼栋（楼房住户）或村民小组（村里住户）');
  } else if (!inBuilding && buildingParts.length > 0) {
    house.fail(
      buildingParts[0]!,
      `${buildingParts.map((f) => HEADER_OF[f]).join('、')}只用于楼房住户，村里住户请留空`,
    );
  } else if (buildingName !== undefined) {
    if (cells.room === undefined) house.fail('room', '楼房住户必须填写房号');
    if (grid) return matchBuilding(house, buildingName, grid, places);
  }
  return undefined;
}

const sameName = (a: string, b: string) => a.replace(/\s/g, '') === b.replace(/\s/g, '');

/** The one building of that name (and estate, if given) in the grid, with room for the unit and floor. */
function matchBuilding(house: House, buildingName: string, grid: Grid, places: Places): Building | undefined {
  const { cells } = house;
  const matches = places.buildings.filter(
    (b) =>
      b.gridId === grid.id &&
      sameName(b.name, buildingName) &&
      (cells.estate === undefined || sameName(b.estate, cells.estate)),
  );
  const label = `${cells.estate ?? ''}${buildingName}`;
  if (matches.length === 0) {
    house.fail('building', `网格 ${grid.code} 中没有楼栋“${label}”，请先在系统中添加该楼栋或检查名称`);
    return undefined;
  }
  if (matches.length > 1) {
    house.fail('estate', `网格 ${grid.code} 中有多个“${buildingName}”，请在“小区”列写明是哪个小区的`);
    return undefined;
  }
  const building = matches[0]!;
  if (cells.unit !== undefined && Number(cells.unit) > building.units) {
    house.fail('unit', `单元 ${cells.unit} 超出该楼栋的单元数（${building.units} 个单元）`);
  }
  if (cells.floor !== undefined && Number(cells.floor) > building.floors) {
    house.fail('floor', `楼层 ${cells.floor} 超出该楼栋的层数（${building.floors} 层）`);
  }
  return building;
}

/** The household's head; none, or more than one, is an error. */
function findHead(key: string, rows: ParsedRow[]): ParsedRow | undefined {
  const first = rows[0]!;
  const heads = rows.filter((r) => r.person.relation === 'head');
  if (heads.length === 0) {
    first.errors.push({
      line: first.line,
      column: HEADER_OF.relation,
      message: `户编号 ${key} 没有户主：每户须有一行的“与户主关系”填“户主”`,
    });
  }
  for (const extra of heads.slice(1)) {
    extra.errors.push({
      line: extra.line,
      column: HEADER_OF.relation,
      message: `户编号 ${key} 有两位户主（第 ${heads[0]!.line} 行和第 ${extra.line} 行），每户只能有一位`,
    });
  }
  return heads[0];
}

function composeAddress(house: HouseCells, building: Building | undefined): string {
  if (house.building !== undefined) {
    // An unknown building is reported on its own; the address then falls back to what the row says.
    const estate = building?.estate ?? house.estate ?? '';
    const unit = house.unit === undefined ? '' : `${house.unit}单元`;
    const room = house.room === undefined ? '' : /^\d+$/.test(house.room) ? `${house.room}室` : house.room;
    return `${estate}${building?.name ?? house.building}${unit}${room}`;
  }
  const number = house.houseNumber ?? '';
  return `${house.villageGroup ?? ''}${/^\d+$/.test(number) ? `${number}号` : number}`;
}
