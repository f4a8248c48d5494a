import type {
  Building,
  Department,
  Enterprise,
  Grid,
  GridTeam,
  Household,
  Person,
  Task,
  TaskItem,
  Visit,
} from '../../shared/schemas/index.ts';
import type { PinyinOf } from '../../shared/domain/search-keys.ts';
import { type AppDB, type HouseholdRow, type PersonRow } from './app-db.ts';
import { META_KEYS, type DatasetInfo } from './meta.ts';
import { toHouseholdRow, toPersonRow } from './rows.ts';
import { noteVisitsStored } from './visit-summaries.ts';

export interface Register {
  grids: Grid[];
  buildings: Building[];
  households: Household[];
  people: Person[];
  enterprises: Enterprise[];
  /** The town's departments (the offline demo has the default list, so it can dispatch). */
  departments?: Department[];
  /** Past visits (the offline demo's history), stored after the households they are of. */
  visits?: Visit[];
  /** Pushed tasks and their items (the offline demo's 上级任务). */
  tasks?: Task[];
  taskItems?: TaskItem[];
  /** Each grid's team and card token (the offline demo's 网格连心卡). */
  gridTeams?: GridTeam[];
}

export interface RegisterRows {
  departments?: Department[];
  grids: Grid[];
  buildings: Building[];
  households: HouseholdRow[];
  people: PersonRow[];
  enterprises: Enterprise[];
  visits?: Visit[];
  tasks?: Task[];
  taskItems?: TaskItem[];
  gridTeams?: GridTeam[];
}

/** Adds the search keys. Separate from storing so a benchmark can time the storage alone. */
export function toRegisterRows(register: Register, pinyinOf: PinyinOf): RegisterRows {
  const buildingsById = new Map(register.buildings.map((b) => [b.id, b]));
  return {
    ...(register.departments ? { departments: register.departments } : {}),
    grids: register.grids,
    buildings: register.buildings,
    households: register.households.map((h) =>
      toHouseholdRow(h, h.buildingId ? buildingsById.get(h.buildingId) : undefined),
    ),
    people: register.people.map((p) => toPersonRow(p, pinyinOf)),
    enterprises: register.enterprises,
    ...(register.visits ? { visits: register.visits } : {}),
    ...(register.tasks ? { tasks: register.tasks } : {}),
    ...(register.taskItems ? { taskItems: register.taskItems } : {}),
    ...(register.gridTeams ? { gridTeams: register.gridTeams } : {}),
  };
}

export type LoadProgress = (stored: number, total: number) => void;

/** Rows per transaction: small enough for a steady progress bar, large enough to stay near raw speed. */
export const LOAD_CHUNK_SIZE = 5000;

/**
 * Stores a whole register (the demo town and its past visits, or later a first pull) as reference
 * data: it came from the town's records, so it does not go into the outbox. The dataset marker is
 * written last, so a load cut short (tab closed) is seen as unfinished on the next start.
 */
export async function storeRegister(
  db: AppDB,
  rows: RegisterRows,
  dataset: Omit<DatasetInfo, 'households' | 'people'>,
  onProgress: LoadProgress = () => {},
): Promise<void> {
  const tables = [
    [db.departments, rows.departments ?? []],
    [db.grids, rows.grids],
    [db.buildings, rows.buildings],
    [db.enterprises, rows.enterprises],
    [db.households, rows.households],
    [db.people, rows.people],
    [db.visits, rows.visits ?? []],
    [db.tasks, rows.tasks ?? []],
    [db.taskItems, rows.taskItems ?? []],
    [db.gridTeams, rows.gridTeams ?? []],
  ] as const;
  const total = tables.reduce((sum, [, list]) => sum + list.length, 0);
  let stored = 0;
  for (const [table, list] of tables) {
    for (let start = 0; start < list.length; start += LOAD_CHUNK_SIZE) {
      const chunk = list.slice(start, start + LOAD_CHUNK_SIZE);
      if (table.name === db.visits.name) {
        // Visits keep their summaries in step, in the same transaction, as every write of a visit does.
        await db.transaction('rw', db.visits, db.visitSummaries, async () => {
          await db.visits.bulkPut(chunk as Visit[]);
          await noteVisitsStored(db, chunk as Visit[]);
        });
      } else {
        // The union of row types is fine here: each table receives its own list.
        await (table as { bulkPut(items: readonly unknown[]): Promise<unknown> }).bulkPut(chunk);
      }
      stored += chunk.length;
      onProgress(stored, total);
    }
  }
  const info: DatasetInfo = { ...dataset, households: rows.households.length, people: rows.people.length };
  await db.meta.bulkPut([
    { key: META_KEYS.dataset, value: info },
    { key: META_KEYS.sentinel, value: { writtenAt: Date.now() } },
  ]);
}
