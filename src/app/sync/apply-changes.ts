import {
  planMutation,
  readsFor,
  type PlanActor,
  type RecordWrite,
} from '../../shared/domain/apply-mutation.ts';
import { mutationArgsSchemas, type MutationName } from '../../shared/mutations.ts';
import type { RecordChange } from '../../shared/protocol.ts';
import { recordSchemas, type RecordKind } from '../../shared/records.ts';
import type { PinyinOf } from '../../shared/domain/search-keys.ts';
import type { Building, Household, Person, Visit } from '../../shared/schemas/index.ts';
import type { AppDB, OutboxRow } from '../db/app-db.ts';
import { noteVisitsRemoved, noteVisitsStored } from '../db/visit-summaries.ts';
import { toHouseholdRow, toPersonRow } from '../db/rows.ts';

/** The Dexie table of each record kind: the same names on the device as on the wire. */
function tableOf(db: AppDB, kind: RecordKind) {
  return db[kind] as unknown as {
    get(id: string): Promise<unknown>;
    put(row: unknown): Promise<unknown>;
    bulkPut(rows: readonly unknown[]): Promise<unknown>;
    bulkDelete(ids: readonly string[]): Promise<unknown>;
  };
}

/**
 * Turns records into stored rows: households and people carry their search keys. Buildings are looked
 * up in the same batch first (a first pull brings a building and its households together).
 */
async function toRows(
  db: AppDB,
  kind: RecordKind,
  records: unknown[],
  pinyinOf: PinyinOf,
  batch: Map<string, Building>,
) {
  if (kind === 'people') return (records as Person[]).map((p) => toPersonRow(p, pinyinOf));
  if (kind === 'households') {
    const rows = [];
    for (const household of records as Household[]) {
      const id = household.buildingId;
      const building = id ? (batch.get(id) ?? (await db.buildings.get(id))) : undefined;
      rows.push(toHouseholdRow(household, building));
    }
    return rows;
  }
  return records;
}

/**
 * Applies one pulled page (ARCHITECTURE.md sync step 4): records are written as the server sent them
 * (validated with the shared schemas; a record that does not parse is skipped, never half-stored),
 * tombstones remove the local row. Must run inside a transaction over writeTables.
 */
export async function applyPulledChanges(
  db: AppDB,
  changes: RecordChange[],
  pinyinOf: PinyinOf,
): Promise<void> {
  const byKind = new Map<RecordKind, { puts: unknown[]; deletes: string[] }>();
  for (const change of changes) {
    const entry = byKind.get(change.kind) ?? { puts: [], deletes: [] };
    byKind.set(change.kind, entry);
    if (change.isDeleted && change.data === undefined) {
      entry.deletes.push(change.id);
      continue;
    }
    const parsed = recordSchemas[change.kind].safeParse(change.data);
    if (parsed.success) entry.puts.push(parsed.data);
  }
  const buildings = new Map(((byKind.get('buildings')?.puts ?? []) as Building[]).map((b) => [b.id, b]));
  // Parents before children, so search keys can see a building pulled in the same page.
  const order: RecordKind[] = ['grids', 'buildings', 'enterprises', 'households', 'people'];
  const kinds = [
    ...order.filter((k) => byKind.has(k)),
    ...[...byKind.keys()].filter((k) => !order.includes(k)),
  ];
  for (const kind of kinds) {
    const { puts, deletes } = byKind.get(kind)!;
    const table = tableOf(db, kind);
    if (puts.length > 0) await table.bulkPut(await toRows(db, kind, puts, pinyinOf, buildings));
    if (kind === 'visits') await noteVisitsStored(db, puts as Visit[]);
    if (deletes.length === 0) continue;
    const removedVisits = kind === 'visits' ? await db.visits.bulkGet(deletes) : [];
    await table.bulkDelete(deletes);
    if (kind === 'visits')
      await noteVisitsRemoved(
        db,
        removedVisits.flatMap((visit) => (visit ? [visit.householdId] : [])),
      );
  }
}

async function writeRecords(db: AppDB, writes: RecordWrite[], pinyinOf: PinyinOf) {
  for (const write of writes) {
    const [row] = await toRows(db, write.kind, [write.record], pinyinOf, new Map());
    await tableOf(db, write.kind).put(row);
    if (write.kind === 'visits') await noteVisitsStored(db, [write.record as Visit]);
  }
}

/**
 * Keeps local pending changes on top of what was pulled (ARCHITECTURE.md sync step 4): each queued
 * mutation is planned again, with the same shared rules the server uses, over the fresh state.
 * Must run inside a transaction over writeTables.
 */
export async function rebasePending(db: AppDB, pending: OutboxRow[], actor: PlanActor, pinyinOf: PinyinOf) {
  for (const row of pending) {
    const schema = mutationArgsSchemas[row.name as MutationName];
    const parsed = schema.safeParse(row.args);
    if (!parsed.success) continue;
    const refs = readsFor(row.name, parsed.data as never);
    const state = new Map<string, unknown>();
    for (const ref of refs) state.set(`${ref.kind}:${ref.id}`, await tableOf(db, ref.kind).get(ref.id));
    const plan = planMutation(
      row.name,
      parsed.data as never,
      { get: (kind, id) => state.get(`${kind}:${id}`) as never },
      actor,
      row.createdAt,
    );
    if (plan.ok) await writeRecords(db, plan.writes, pinyinOf);
  }
}
