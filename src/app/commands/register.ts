import { applyFieldChanges } from '../../shared/domain/changes.ts';
import { newId } from '../../shared/domain/ids.ts';
import { mutationArgsSchemas, type MutationArgs } from '../../shared/mutations.ts';
import {
  householdSchema,
  personSchema,
  type HouseholdChanges,
  type NewPerson,
  type Person,
  type PersonChanges,
} from '../../shared/schemas/index.ts';
import type { AppDB } from '../db/app-db.ts';
import { ensureClientId } from '../db/meta.ts';
import { loadPinyin } from '../db/pinyin.ts';
import { fromRow, toHouseholdRow, toPersonRow } from '../db/rows.ts';
import { appendOutbox, CommandError, runCommand, validate } from './run-command.ts';

function notFound(what: string): CommandError {
  return new CommandError([{ path: '', message: `${what}不存在或已被删除` }]);
}

const CLEARABLE_PERSON_FIELDS = ['phone', 'idNumber', 'notes'] as const;

/**
 * The person form sends every field. An optional field left empty that the record had is a clear
 * (null on the wire); one the record never had (an ID number a helper was never shown) is not sent.
 */
function personFormChanges(fields: NewPerson, current: Person): PersonChanges {
  const changes: PersonChanges = { ...fields };
  for (const key of CLEARABLE_PERSON_FIELDS) {
    if (fields[key] !== undefined) continue;
    if (current[key] === undefined) delete changes[key];
    else changes[key] = null;
  }
  return changes;
}

const isWholeForm = (edit: PersonChanges | NewPerson): edit is NewPerson =>
  'name' in edit && 'gender' in edit && 'relation' in edit && 'birthDate' in edit && 'tags' in edit;

export async function updateHousehold(db: AppDB, id: string, changes: HouseholdChanges): Promise<void> {
  await runCommand(db, 'household.update', { id, changes }, async (args) => {
    const row = await db.households.get(args.id);
    if (!row || row.isDeleted) throw notFound('住户');
    const merged = validate(householdSchema, {
      ...applyFieldChanges(fromRow(row), args.changes),
      updatedAt: Date.now(),
    });
    const building = merged.buildingId ? await db.buildings.get(merged.buildingId) : undefined;
    await db.households.put(toHouseholdRow(merged, building));
  });
}

/** Adds a member to a household; returns the new person's id. */
export async function addPerson(db: AppDB, householdId: string, fields: NewPerson): Promise<string> {
  const pinyinOf = await loadPinyin();
  const household = await db.households.get(householdId);
  if (!household || household.isDeleted) throw notFound('住户');
  const person = validate(personSchema, {
    ...fields,
    id: newId(),
    householdId,
    gridId: household.gridId,
    status: 'resident',
    updatedAt: Date.now(),
    isDeleted: false,
  });
  await runCommand(db, 'person.create', { person }, async (args) => {
    await db.people.add(toPersonRow(args.person, pinyinOf));
  });
  return person.id;
}

/** Edits a member. Pass the whole form (`NewPerson`) or just the changed fields (null clears). */
export async function updatePerson(db: AppDB, id: string, edit: PersonChanges | NewPerson): Promise<void> {
  const pinyinOf = await loadPinyin();
  const current = await db.people.get(id);
  if (!current || current.isDeleted) throw notFound('人员');
  const changes = isWholeForm(edit) ? personFormChanges(edit, current) : edit;
  await runCommand(db, 'person.update', { id, changes }, async (args) => {
    const row = await db.people.get(args.id);
    if (!row || row.isDeleted) throw notFound('人员');
    const merged = validate(personSchema, {
      ...applyFieldChanges(fromRow(row), args.changes),
      updatedAt: Date.now(),
    });
    await db.people.put(toPersonRow(merged, pinyinOf));
  });
}

/** The person leaves the active register but keeps their history (迁出 / 已故). */
export async function movePersonOut(
  db: AppDB,
  id: string,
  status: MutationArgs<'person.moveOut'>['status'],
): Promise<void> {
  const at = Date.now();
  await runCommand(db, 'person.moveOut', { id, status, at }, async (args) => {
    const row = await db.people.get(args.id);
    if (!row || row.isDeleted) throw notFound('人员');
    if (row.status !== 'resident') throw new CommandError([{ path: 'status', message: '此人已不在住' }]);
    await db.people.put({ ...row, status: args.status, movedOutAt: args.at, updatedAt: at });
  });
}

export type HouseholdWithPeople = MutationArgs<'household.create'>;

/**
 * Adds whole households (an import): all of them or none, one outbox row per household so the
 * server applies and acknowledges them one by one.
 */
export async function createHouseholds(db: AppDB, batch: HouseholdWithPeople[]): Promise<void> {
  const pinyinOf = await loadPinyin();
  const clientId = await ensureClientId(db);
  const validated = batch.map((item) => validate(mutationArgsSchemas['household.create'], item));
  const buildingIds = [
    ...new Set(validated.flatMap((v) => (v.household.buildingId ? [v.household.buildingId] : []))),
  ];
  const buildings = new Map((await db.buildings.bulkGet(buildingIds)).flatMap((b) => (b ? [[b.id, b]] : [])));
  await db.transaction('rw', [db.households, db.people, db.outbox, db.meta], async () => {
    for (const item of validated) {
      const building = item.household.buildingId ? buildings.get(item.household.buildingId) : undefined;
      await db.households.add(toHouseholdRow(item.household, building));
      await db.people.bulkAdd(item.people.map((p) => toPersonRow(p, pinyinOf)));
      await appendOutbox(db, clientId, 'household.create', item);
    }
  });
}
