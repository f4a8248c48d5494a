import Dexie, { type EntityTable, type Table } from 'dexie';
import type { MutationName } from '../../shared/mutations.ts';
import { lastCountedDays } from '../../shared/domain/visit-cadence.ts';
import { RECORD_KINDS, type RecordKind } from '../../shared/records.ts';
import type {
  Building,
  ChecklistRun,
  ChecklistTemplate,
  Department,
  GridCadence,
  GridTeam,
  Enterprise,
  Grid,
  Hazard,
  Household,
  Need,
  Person,
  Problem,
  Task,
  TaskItem,
  Visit,
} from '../../shared/schemas/index.ts';

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

/** A photo kept on the device, addressed by the sha-256 of its (compressed) bytes. */
export interface PhotoRow {
  id: string;
  blob: Blob;
  type: string;
  size: number;
  width: number;
  height: number;
  createdAt: number;
  /**
   * Set on photos fetched from the server. A photo taken here is marked uploaded in `photoUploads`
   * instead: rewriting this row would leave a second copy of the blob on the phone until the browser
   * restarts (Chromium), doubling the storage photos take at the moment a sync runs.
   */
  uploadedAt?: number;
}

/** A photo taken on this device that the sync server now has (content-addressed). */
export interface PhotoUploadRow {
  id: string;
  at: number;
}

/** A write the server refused for good (ARCHITECTURE.md sync step 2); shown to the worker until dismissed. */
export interface RejectionRow {
  id?: number;
  mutationId: number;
  name: MutationName;
  args: unknown;
  reason: string;
  message: string;
  at: number;
  /**
   * Refused on this device when its queue was planned again over newer server data; the server still
   * gets the write and its answer replaces this one (or removes it, if it applies the write after all).
   */
  isProvisional?: boolean;
}

/** The server's value of a record a pending write touches (pending-base.ts); null: the server has none. */
export interface PendingBaseRow {
  /** kind/id (refKey). */
  key: string;
  kind: RecordKind;
  id: string;
  record: unknown;
  /** The newest queued mutation that touches it: once the server has answered that, the entry goes. */
  mutationId: number;
}

/**
 * Derived, never synced: the last day each household had a visit that counts, kept in step with the
 * visits table (visit-summaries.ts), so opening Today reads one row per household instead of a
 * year of visits.
 */
export interface VisitSummaryRow {
  householdId: string;
  lastCountedDay: string;
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
  visits!: EntityTable<Visit, 'id'>;
  needs!: EntityTable<Need, 'id'>;
  checklistTemplates!: EntityTable<ChecklistTemplate, 'id'>;
  checklistRuns!: EntityTable<ChecklistRun, 'id'>;
  hazards!: EntityTable<Hazard, 'id'>;
  photos!: EntityTable<PhotoRow, 'id'>;
  photoUploads!: EntityTable<PhotoUploadRow, 'id'>;
  problems!: EntityTable<Problem, 'id'>;
  departments!: EntityTable<Department, 'id'>;
  cadences!: EntityTable<GridCadence, 'id'>;
  tasks!: EntityTable<Task, 'id'>;
  taskItems!: EntityTable<TaskItem, 'id'>;
  gridTeams!: EntityTable<GridTeam, 'id'>;
  visitSummaries!: EntityTable<VisitSummaryRow, 'householdId'>;
  outbox!: Table<OutboxRow, number>;
  rejections!: Table<RejectionRow, number>;
  pendingBase!: EntityTable<PendingBaseRow, 'key'>;
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
    // The daily round: visits by grid and day (due list, my day) and by household (timeline);
    // needs by household and status; checklist runs by grid and day; photos by content hash.
    this.version(2).stores({
      visits: 'id, householdId, [gridId+day]',
      needs: 'id, householdId, [gridId+status]',
      checklistTemplates: 'id',
      checklistRuns: 'id, [gridId+day], buildingId',
      hazards: 'id, gridId, runId',
      photos: 'id',
    });
    // Problems by grid (lists, the daily export) and by status (open / overdue views).
    this.version(3).stores({
      problems: 'id, [gridId+reportedAt], status, updatedAt',
    });
    // Sync: mutations the server refused, kept for the worker to read.
    this.version(4).stores({
      rejections: '++id, mutationId',
    });
    // The due list: each household's last counted visit day, built once from the visits already on
    // the device, then kept up to date by every write of a visit.
    this.version(5)
      .stores({ visitSummaries: 'householdId' })
      .upgrade(async (tx) => {
        const summary = new Map<string, string>();
        await tx.table<Visit, string>('visits').each((visit) => void lastCountedDays([visit], summary));
        await tx
          .table<VisitSummaryRow, string>('visitSummaries')
          .bulkPut([...summary].map(([householdId, lastCountedDay]) => ({ householdId, lastCountedDay })));
      });
    // One write path: the server's value under each pending write, so a refused or rebased write can
    // be undone exactly (a queue from before this version has no base: its writes stay as they are).
    this.version(6).stores({ pendingBase: 'key, mutationId' });
    // Which photos the server has, apart from the photo rows (see PhotoRow.uploadedAt).
    this.version(7).stores({ photoUploads: 'id' });
    // The town's departments (dispatch, transfer, department accounts): a few rows, read whole.
    this.version(8).stores({ departments: 'id' });
    // Each grid's visit cadence, set by its leader: one row per grid, under the grid's id.
    this.version(9).stores({ cadences: 'id' });
    // Pushed tasks (上级任务): the town's tasks are few and read whole; their items by task (progress),
    // by grid and status (Today's open items, a grid's list) and by target (a household's page).
    this.version(10).stores({
      tasks: 'id',
      taskItems: 'id, taskId, [gridId+status], [target.kind+target.id]',
    });
    // Each grid's team and card (网格连心卡): one row per grid, under the grid's id.
    this.version(11).stores({ gridTeams: 'id' });
  }
}

/**
 * Every table a local write may touch: the synced records, what is derived from them, the outbox,
 * meta, the pending writes' base and the rejections a replay may note. Commands and sync open their transactions over these.
 */
export function writeTables(db: AppDB): Table[] {
  return [...recordTables(db), db.visitSummaries, db.outbox, db.meta, db.pendingBase, db.rejections];
}

/** The Dexie table of every synced record kind (same names as on the wire), for one transaction. */
export function recordTables(db: AppDB) {
  return RECORD_KINDS.map((kind) => db[kind] as Table);
}

/** Tables that hold the register, in the order a full load writes them. */
export const REGISTER_TABLES = ['grids', 'buildings', 'households', 'people', 'enterprises'] as const;
