/**
 * A record as one user may see it on the wire (pull pages and the records a rejected push brings
 * back): people are redacted for roles that may not read sensitive fields (PIPL), and a task names
 * only the grids of its items the user covers (a worker reads the town's tasks, not which other
 * grids they reach).
 */
import { canSeeSensitive, redactPerson, redactProblem } from '../shared/domain/privacy.ts';
import type { RecordChange } from '../shared/protocol.ts';
import { CARE_TAGS } from '../shared/schemas/care-tags.ts';
import type { Person } from '../shared/schemas/person.ts';
import type { Problem } from '../shared/schemas/problem.ts';
import type { Task, TaskItem } from '../shared/schemas/task.ts';
import { mayHoldTaskItem } from '../shared/domain/tasks.ts';
import type { Scope } from './scope.ts';
import type { StoredUser } from './store/store.ts';

export const hasSensitive = (person: Person) =>
  person.idNumber !== undefined || person.tags.some((tag) => CARE_TAGS[tag].isSensitive);

/**
 * Whether the user may be sent this record at all, beyond grid scope: an item of a sensitive task
 * (chosen by a sensitive care tag) says who carries the tag, so it is not sent to a helper or the
 * center; their pull passes it by as if it were out of scope.
 */
export function maySend(user: StoredUser, kind: RecordChange['kind'], data: unknown): boolean {
  return kind !== 'taskItems' || mayHoldTaskItem(user.role, data as TaskItem);
}

export function visibleChange(
  user: StoredUser,
  scope: Pick<Scope, 'gridIds'>,
  change: RecordChange,
): RecordChange {
  if (change.data === undefined) return change;
  if (change.kind === 'problems') return { ...change, data: redactProblem(change.data as Problem) };
  if (change.kind === 'tasks' && scope.gridIds !== null) {
    const covered = scope.gridIds;
    const task = change.data as Task;
    return { ...change, data: { ...task, gridIds: task.gridIds.filter((id) => covered.has(id)) } };
  }
  if (change.kind !== 'people' || canSeeSensitive(user.role)) return change;
  return { ...change, data: redactPerson(change.data as Person, user.role) };
}
