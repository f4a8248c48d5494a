/**
 * A record as one user may see it on the wire (pull pages and the records a rejected push brings
 * back): people are redacted for roles that may not read sensitive fields (PIPL), and a task names
 * only the grids of its items the user covers (a worker reads the town's tasks, not which other
 * grids they reach).
 */
import { canSeeSensitive, redactPerson } from '../shared/domain/privacy.ts';
import type { RecordChange } from '../shared/protocol.ts';
import { CARE_TAGS } from '../shared/schemas/care-tags.ts';
import type { Person } from '../shared/schemas/person.ts';
import type { Task } from '../shared/schemas/task.ts';
import type { Scope } from './scope.ts';
import type { StoredUser } from './store/store.ts';

export const hasSensitive = (person: Person) =>
  person.idNumber !== undefined || person.tags.some((tag) => CARE_TAGS[tag].isSensitive);

export function visibleChange(
  user: StoredUser,
  scope: Pick<Scope, 'gridIds'>,
  change: RecordChange,
): RecordChange {
  if (change.data === undefined) return change;
  if (change.kind === 'tasks' && scope.gridIds !== null) {
    const covered = scope.gridIds;
    const task = change.data as Task;
    return { ...change, data: { ...task, gridIds: task.gridIds.filter((id) => covered.has(id)) } };
  }
  if (change.kind !== 'people' || canSeeSensitive(user.role)) return change;
  return { ...change, data: redactPerson(change.data as Person, user.role) };
}
