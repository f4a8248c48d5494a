/**
 * A record as one user may see it on the wire (pull pages and the records a rejected push brings
 * back): people are redacted for roles that may not read sensitive fields (PIPL).
 */
import { canSeeSensitive, redactPerson } from '../shared/domain/privacy.ts';
import type { RecordChange } from '../shared/protocol.ts';
import { CARE_TAGS } from '../shared/schemas/care-tags.ts';
import type { Person } from '../shared/schemas/person.ts';
import type { StoredUser } from './store/store.ts';

export const hasSensitive = (person: Person) =>
  person.idNumber !== undefined || person.tags.some((tag) => CARE_TAGS[tag].isSensitive);

export function visibleChange(user: StoredUser, change: RecordChange): RecordChange {
  if (change.kind !== 'people' || change.data === undefined || canSeeSensitive(user.role)) return change;
  return { ...change, data: redactPerson(change.data as Person, user.role) };
}
