import { CARE_TAGS } from '../schemas/care-tags.ts';
import type { Person } from '../schemas/person.ts';
import type { Role } from '../schemas/problem.ts';

/**
 * PIPL: ID numbers, health tags, minors' and watch-list tags are sensitive personal information.
 * Only the people who visit and follow up (the grid worker, the grid leader) and the administrator
 * see them; part-time helpers (residents themselves), the command center and departments do not.
 */
export const ROLES_SEEING_SENSITIVE: ReadonlySet<Role> = new Set<Role>(['worker', 'leader', 'admin']);

export function canSeeSensitive(role: Role): boolean {
  return ROLES_SEEING_SENSITIVE.has(role);
}

/** The person as a role may see it: no ID number, only the non-sensitive care tags. */
export function redactPerson(person: Person, role: Role): Person {
  if (canSeeSensitive(role)) return person;
  const { idNumber: _idNumber, ...rest } = person;
  return { ...rest, tags: person.tags.filter((tag) => !CARE_TAGS[tag].isSensitive) };
}

/**
 * A phone number as lists and the problem page show it until someone asks for it: the first three
 * and last four digits of a mobile (138****5678), the last four of anything else.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  return digits.length > 4 ? `****${digits.slice(-4)}` : '****';
}

/**
 * A problem as a device is sent it: a resident's phone masked, the whole number kept on the server
 * (read only through the audited endpoint). Every role gets the same, the leader who calls back too.
 */
export function redactProblem<P extends { reporterPhone?: string | undefined }>(
  problem: P,
): Omit<P, 'reporterPhone'> & { reporterPhoneMasked?: string } {
  if (problem.reporterPhone === undefined) return problem;
  const { reporterPhone, ...rest } = problem;
  return { ...rest, reporterPhoneMasked: maskPhone(reporterPhone) };
}
