import { newId } from '../../shared/domain/ids.ts';
import type { MutationArgs } from '../../shared/mutations.ts';
import type { HouseholdChanges, NewPerson, Person, PersonChanges } from '../../shared/schemas/index.ts';
import { CommandError, runCommand, runCommands, type CommandContext } from './run-command.ts';

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

export async function updateHousehold(
  ctx: CommandContext,
  id: string,
  changes: HouseholdChanges,
): Promise<void> {
  await runCommand(ctx, 'household.update', { id, changes });
}

/** Adds a member to a household; returns the new person's id. */
export async function addPerson(
  ctx: CommandContext,
  householdId: string,
  fields: NewPerson,
): Promise<string> {
  const household = await ctx.db.households.get(householdId);
  if (!household || household.isDeleted) throw notFound('住户');
  const at = ctx.now();
  const person = {
    ...fields,
    id: newId(),
    householdId,
    gridId: household.gridId,
    status: 'resident' as const,
    updatedAt: at,
    isDeleted: false,
  };
  await runCommand(ctx, 'person.create', { person }, at);
  return person.id;
}

/** Edits a member. Pass the whole form (`NewPerson`) or just the changed fields (null clears). */
export async function updatePerson(
  ctx: CommandContext,
  id: string,
  edit: PersonChanges | NewPerson,
): Promise<void> {
  const current = await ctx.db.people.get(id);
  if (!current || current.isDeleted) throw notFound('人员');
  const changes = isWholeForm(edit) ? personFormChanges(edit, current) : edit;
  await runCommand(ctx, 'person.update', { id, changes });
}

/** The person leaves the active register but keeps their history (迁出 / 已故). */
export async function movePersonOut(
  ctx: CommandContext,
  id: string,
  status: MutationArgs<'person.moveOut'>['status'],
): Promise<void> {
  const at = ctx.now();
  await runCommand(ctx, 'person.moveOut', { id, status, at }, at);
}

export type HouseholdWithPeople = MutationArgs<'household.create'>;

/**
 * Adds whole households (an import): all of them or none, one outbox row per household so the
 * server applies and acknowledges them one by one.
 */
export async function createHouseholds(ctx: CommandContext, batch: HouseholdWithPeople[]): Promise<void> {
  await runCommands(ctx, 'household.create', batch);
}
