import { newId } from '../../shared/domain/ids.ts';
import { canSeeSensitive, redactPerson } from '../../shared/domain/privacy.ts';
import type { MutationArgs } from '../../shared/mutations.ts';
import {
  CARE_TAGS,
  type CareTag,
  type HouseholdChanges,
  type NewPerson,
  type Person,
  type PersonChanges,
  type Role,
} from '../../shared/schemas/index.ts';
import { CommandError, runCommand, runCommands, type CommandContext } from './run-command.ts';

function notFound(what: string): CommandError {
  return new CommandError([{ path: '', message: `${what}不存在或已被删除` }]);
}

const CLEARABLE_PERSON_FIELDS = ['phone', 'idNumber', 'notes'] as const;

const sameTags = (a: readonly CareTag[], b: readonly CareTag[]) =>
  a.length === b.length && a.every((tag) => b.includes(tag));

/**
 * The person form sends every field it shows; only what differs from the record travels. An optional
 * field left empty that the record had is a clear (null on the wire); one the record never had is not
 * sent. A role that may not see the sensitive part (PIPL) never sends it: no ID number (not even a
 * clear of one it was never shown), and only the tags it can see; the shared planner keeps the
 * sensitive tags it could not see.
 */
function personFormChanges(fields: NewPerson, current: Person, role: Role): PersonChanges {
  const seesSensitive = canSeeSensitive(role);
  const visible = seesSensitive ? current : redactPerson(current, role);
  const form: NewPerson = seesSensitive
    ? fields
    : { ...fields, idNumber: undefined, tags: fields.tags.filter((tag) => !CARE_TAGS[tag].isSensitive) };
  const changes: PersonChanges = {};
  if (form.name !== visible.name) changes.name = form.name;
  if (form.gender !== visible.gender) changes.gender = form.gender;
  if (form.relation !== visible.relation) changes.relation = form.relation;
  if (form.birthDate !== visible.birthDate) changes.birthDate = form.birthDate;
  if (!sameTags(form.tags, visible.tags)) changes.tags = form.tags;
  for (const key of CLEARABLE_PERSON_FIELDS) {
    if (key === 'idNumber' && !seesSensitive) continue;
    if (form[key] === visible[key]) continue;
    changes[key] = form[key] ?? null;
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

/**
 * Edits a member. Pass the whole form (`NewPerson`: only what changed is sent, and never what the
 * actor's role may not see) or just the changed fields (null clears).
 */
export async function updatePerson(
  ctx: CommandContext,
  id: string,
  edit: PersonChanges | NewPerson,
): Promise<void> {
  const current = await ctx.db.people.get(id);
  if (!current || current.isDeleted) throw notFound('人员');
  if (!isWholeForm(edit)) return runCommand(ctx, 'person.update', { id, changes: edit });
  const changes = personFormChanges(edit, current, ctx.actor.role);
  // A form saved as it was opened is no write: nothing to queue, nothing for the server to apply.
  if (Object.keys(changes).length > 0) await runCommand(ctx, 'person.update', { id, changes });
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
