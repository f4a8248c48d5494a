/**
 * Writing synced records into their Dexie tables, the one way every local write does it: commands,
 * pulled pages, a replay after a rebase and a rejection's heal. Households and people carry their
 * search keys; visits keep visitSummaries in step. Call inside a transaction over writeTables.
 */
import type { PinyinOf } from '../../shared/domain/search-keys.ts';
import { refKey, type RecordRef } from '../../shared/domain/mutation-reads.ts';
import type { RecordKind } from '../../shared/records.ts';
import type { Building, Household, Person, Visit } from '../../shared/schemas/index.ts';
import type { AppDB } from './app-db.ts';
import { fromRow, toHouseholdRow, toPersonRow } from './rows.ts';
import { noteVisitsRemoved, noteVisitsStored } from './visit-summaries.ts';

/** The Dexie table of each record kind: the same names on the device as on the wire. */
export function tableOf(db: AppDB, kind: RecordKind) {
  return db[kind] as unknown as {
    get(id: string): Promise<unknown>;
    bulkGet(ids: readonly string[]): Promise<unknown[]>;
    put(row: unknown): Promise<unknown>;
    bulkPut(rows: readonly unknown[]): Promise<unknown>;
    bulkDelete(ids: readonly string[]): Promise<unknown>;
    toCollection(): { primaryKeys(): Promise<string[]> };
  };
}

/**
 * Turns records into stored rows: households and people carry their search keys. Buildings are looked
 * up in the same batch first (a first pull brings a building and its households together).
 */
export async function toRows(
  db: AppDB,
  kind: RecordKind,
  records: unknown[],
  pinyinOf: PinyinOf,
  batch: ReadonlyMap<string, Building> = new Map(),
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

/** Parents before children, so search keys can see a building written in the same batch. */
const ORDER: RecordKind[] = ['grids', 'buildings', 'enterprises', 'households', 'people'];

function byKind<T extends { kind: RecordKind }>(items: readonly T[]): Map<RecordKind, T[]> {
  const grouped = new Map<RecordKind, T[]>();
  for (const item of items) {
    const group = grouped.get(item.kind);
    if (group) group.push(item);
    else grouped.set(item.kind, [item]);
  }
  const kinds = [
    ...ORDER.filter((k) => grouped.has(k)),
    ...[...grouped.keys()].filter((k) => !ORDER.includes(k)),
  ];
  return new Map(kinds.map((k) => [k, grouped.get(k)!]));
}

/** Puts these records (grouped by kind, one bulkPut each). */
export async function putRecords(
  db: AppDB,
  records: readonly { kind: RecordKind; record: unknown }[],
  pinyinOf: PinyinOf,
): Promise<void> {
  const grouped = byKind(records);
  const buildings = new Map(
    (grouped.get('buildings') ?? []).map((w) => [(w.record as Building).id, w.record as Building]),
  );
  for (const [kind, items] of grouped) {
    const values = items.map((item) => item.record);
    await tableOf(db, kind).bulkPut(await toRows(db, kind, values, pinyinOf, buildings));
    if (kind === 'visits') await noteVisitsStored(db, values as Visit[]);
  }
}

/** Removes these records from the device (tombstones, records out of scope, a refused create). */
export async function removeRecords(db: AppDB, refs: readonly RecordRef[]): Promise<void> {
  for (const [kind, items] of byKind(refs)) {
    const ids = items.map((ref) => ref.id);
    const removedVisits = kind === 'visits' ? ((await db.visits.bulkGet(ids)) as (Visit | undefined)[]) : [];
    await tableOf(db, kind).bulkDelete(ids);
    if (kind === 'visits')
      await noteVisitsRemoved(
        db,
        removedVisits.flatMap((visit) => (visit ? [visit.householdId] : [])),
      );
  }
}

/** These records as stored, keyed by refKey (undefined when absent), without index-only fields. */
export async function loadRecords(db: AppDB, refs: readonly RecordRef[]): Promise<Map<string, unknown>> {
  const loaded = new Map<string, unknown>();
  const groups = [...byKind(refs)];
  const rowsByKind = await Promise.all(
    groups.map(([kind, items]) => tableOf(db, kind).bulkGet(items.map((ref) => ref.id))),
  );
  groups.forEach(([, items], g) =>
    items.forEach((ref, i) => {
      const row = rowsByKind[g]![i] as { searchKeys?: string[] } | undefined;
      const record = row && 'searchKeys' in row ? fromRow(row as { searchKeys: string[] }) : row;
      loaded.set(refKey(ref.kind, ref.id), record);
    }),
  );
  return loaded;
}
