/**
 * What each mutation reads, by name: the records planMutation may look at for these args. The server
 * loads (and scope-checks) exactly these before planning, the device loads them from Dexie, and a
 * rejected mutation brings back the server's version of exactly these. One table, typed by mutation
 * name, so a new mutation cannot be added without saying what it touches.
 */
import type { MutationArgs, MutationName } from '../mutations.ts';
import type { RecordKind } from '../records.ts';
import type { TaskTargetKind } from '../schemas/task.ts';
import { taskItemId } from './task-ids.ts';

export interface RecordRef {
  kind: RecordKind;
  id: string;
}

/** The key a record is known by in maps and in the device's pending-base table. */
export const refKey = (kind: RecordKind, id: string) => `${kind}/${id}`;

function refs(...pairs: Array<[RecordKind, string | undefined]>): RecordRef[] {
  return pairs.flatMap(([kind, id]) => (id === undefined ? [] : [{ kind, id }]));
}

/** The record kind each kind of task target is. */
export const TASK_TARGET_RECORD_KINDS = {
  grid: 'grids',
  building: 'buildings',
  household: 'households',
} as const satisfies Record<TaskTargetKind, RecordKind>;

export const MUTATION_READS: { [N in MutationName]: (args: MutationArgs<N>) => RecordRef[] } = {
  'household.create': (a) =>
    refs(['households', a.household.id], ...a.people.map((p) => ['people', p.id] as [RecordKind, string])),
  'household.update': (a) => refs(['households', a.id]),
  'person.create': (a) => refs(['people', a.person.id], ['households', a.person.householdId]),
  'person.update': (a) => refs(['people', a.id]),
  'person.moveOut': (a) => refs(['people', a.id]),
  'visit.record': (a) =>
    refs(
      ['visits', a.visit.id],
      ['households', a.visit.householdId],
      ...a.needs.map((n) => ['needs', n.id] as [RecordKind, string]),
    ),
  'visit.correct': (a) => refs(['visits', a.id]),
  'visit.withdraw': (a) => refs(['visits', a.id]),
  'need.create': (a) => refs(['needs', a.need.id], ['households', a.need.householdId]),
  'need.setStatus': (a) => refs(['needs', a.id]),
  'checklist.recordRun': (a) =>
    refs(
      ['checklistRuns', a.run.id],
      ['buildings', a.run.buildingId],
      ['enterprises', a.run.enterpriseId],
      ...a.hazards.map((h) => ['hazards', h.id] as [RecordKind, string]),
    ),
  'checklistTemplate.save': (a) => refs(['checklistTemplates', a.template.id]),
  'problem.report': (a) =>
    refs(
      ['problems', a.problem.id],
      ['hazards', a.problem.links.hazardId],
      ['needs', a.problem.links.needId],
    ),
  // A dispatch or transfer to a department reads the department: the town's list is data, and an
  // unknown or closed department is refused.
  'problem.act': (a) =>
    refs(
      ['problems', a.id],
      ['departments', a.payload.assignee?.kind === 'department' ? a.payload.assignee.id : undefined],
    ),
  // The grid must exist (and be in the writer's scope); its cadence record is under the grid's id.
  'cadence.set': (a) => refs(['cadences', a.gridId], ['grids', a.gridId]),
  // The grid must exist (and be in the writer's scope); its team record is under the grid's id.
  'gridTeam.set': (a) => refs(['gridTeams', a.gridId], ['grids', a.gridId]),
  'gridTeam.rotateToken': (a) => refs(['gridTeams', a.gridId], ['grids', a.gridId]),
  // Every target (it must exist, and be in the writer's scope) and the item it becomes (a replay of
  // the create finds its own items; a refused create is undone item by item). Built in a loop: a
  // town-wide task names 23,000 targets, too many to spread into a call.
  'task.create': (a) => {
    const read: RecordRef[] = [{ kind: 'tasks', id: a.task.id }];
    const kind = TASK_TARGET_RECORD_KINDS[a.targets.kind];
    for (const id of a.targets.ids) read.push({ kind, id });
    for (const id of a.targets.ids) read.push({ kind: 'taskItems', id: taskItemId(a.task.id, id) });
    return read;
  },
  'task.update': (a) => refs(['tasks', a.id]),
  'taskItem.complete': (a) => refs(['taskItems', a.id], ['tasks', a.taskId]),
};

/** Every record planMutation may read for these args (parsed with mutationArgsSchemas[name]). */
export function readsOf<N extends MutationName>(name: N, args: MutationArgs<N>): RecordRef[] {
  // TypeScript cannot correlate MUTATION_READS[name] with MutationArgs<N>; the mapped type guarantees it.
  return (MUTATION_READS[name] as (args: MutationArgs<N>) => RecordRef[])(args);
}
