import Dexie, { type EntityTable, type Table } from 'dexie';
import type { MutationName } from '../../shared/mutations.ts';
import type { Building, Enterprise, Grid, Household, Person } from '../../shared/schemas/index.ts';

/** Stored rows carry the keys the search index needs; the record itself stays the zod type. */
export type HouseholdRow = Household & { searchKeys: string[] };
export type PersonRow = Person & { searchKeys: string[] };

/** ARCHITECTURE.md sync step 1: one row per write, in the order the writes happened. */
export interface OutboxRow {
  seq?: number;
  clientId: string;
  mutationId: number;
  name: MutationName;
  args: unknown;
  createdAt: number;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export const DB_NAME = 'lianxin';

export class AppDB extends Dexie {
  grids!: EntityTable<Grid, 'id'>;
  buildings!: EntityTable<Building, 'id'>;
  households!: EntityTable<HouseholdRow, 'id'>;
  people!: EntityTable<PersonRow, 'id'>;
  enterprises!: EntityTable<Enterprise, 'id'>;
  outbox!: Table<OutboxRow, number>;
  meta!: EntityTable<MetaRow, 'key'>;

  constructor(name = DB_NAME) {
    super(name);
    // Indexes are what the screens ask for: households by grid and building (browse), people by
    // household, grid and tag (household page, home counts), one multi-entry search index each,
    // and people by ID number (duplicate checks on import).
    this.version(1).stores({
      grids: 'id, parentId, kind',
      buildings: 'id, gridId',
      households: 'id, gridId, [gridId+buildingId], *searchKeys',
      people: 'id, householdId, gridId, *tags, *searchKeys, idNumber',
      enterprises: 'id, gridId',
      outbox: '++seq, mutationId',
      meta: 'key',
    });
  }
}

/** Tables that hold the register, in the order a full load writes them. */
export const REGISTER_TABLES = ['grids', 'buildings', 'households', 'people', 'enterprises'] as const;
