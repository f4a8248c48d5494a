import type { Household } from '../schemas/household.ts';
import type { Person } from '../schemas/person.ts';
import type { Building } from '../schemas/building.ts';

/**
 * Search works offline on a phone through one multi-entry IndexedDB index: every key a record can be
 * found by is stored on it, and a query is a prefix range over that index. Substring search on names
 * and phones comes from storing suffixes, so "prefix of a suffix" = "any substring".
 */

/** Syllables of a Chinese name in toneless pinyin, e.g. 张三 -> ["zhang", "san"]. Injected so the
 * pinyin dictionary (a large library) loads only when keys are computed, never on the first screen. */
export type PinyinOf = (name: string) => string[];

/** Phones are found by any 4 or more consecutive digits. */
export const MIN_DIGITS_QUERY = 4;

function suffixes(text: string, minLength: number): string[] {
  const keys: string[] = [];
  for (let start = 0; start + minLength <= text.length; start++) keys.push(text.slice(start));
  return keys;
}

export function personSearchKeys(
  person: Pick<Person, 'name' | 'phone' | 'idNumber'>,
  pinyinOf: PinyinOf,
): string[] {
  const keys = new Set<string>();
  const name = person.name.trim().toLowerCase();
  for (const key of suffixes(name, 1)) keys.add(key);
  const syllables = pinyinOf(person.name.trim());
  if (syllables.length > 0) {
    keys.add(syllables.map((s) => s[0] ?? '').join(''));
    keys.add(syllables.join(''));
  }
  if (person.phone)
    for (const key of suffixes(person.phone.replace(/\D/g, ''), MIN_DIGITS_QUERY)) keys.add(key);
  if (person.idNumber) {
    // The tail (4-6 characters) is what people read out; the full number finds an exact record.
    const id = person.idNumber.toLowerCase();
    for (const length of [4, 5, 6, id.length]) keys.add(id.slice(-length));
  }
  return [...keys];
}

export function householdSearchKeys(
  household: Pick<Household, 'address' | 'room' | 'unit' | 'villageGroup' | 'houseNumber' | 'phone'>,
  building: Pick<Building, 'name' | 'estate'> | undefined,
): string[] {
  const keys = new Set<string>();
  const add = (key: string | undefined) => {
    const normalized = key?.trim().toLowerCase().replace(/\s+/g, '');
    if (normalized) keys.add(normalized);
  };
  add(household.address);
  if (building) {
    add(building.name);
    add(`${building.estate}${building.name}`);
    if (household.unit !== undefined) {
      add(`${building.name}${household.unit}单元`);
      if (household.room) add(`${building.name}${household.unit}单元${household.room}`);
    }
  }
  if (household.room) {
    add(household.room);
    const buildingNumber = building?.name.match(/\d+/)?.[0];
    if (buildingNumber && household.unit !== undefined)
      add(`${buildingNumber}-${household.unit}-${household.room}`);
  }
  add(household.villageGroup);
  if (household.villageGroup && household.houseNumber)
    add(`${household.villageGroup}${household.houseNumber}`);
  add(household.houseNumber);
  if (household.phone)
    for (const key of suffixes(household.phone.replace(/\D/g, ''), MIN_DIGITS_QUERY)) add(key);
  return [...keys];
}

/** What the index is searched with: the query as typed, minus spaces, lower case. */
export function normalizeQuery(query: string): string {
  return query.trim().toLowerCase().replace(/\s+/g, '');
}

/** Digit-only queries shorter than four would match most of the town; wait for more. */
export function isSearchableQuery(normalized: string): boolean {
  if (normalized.length === 0) return false;
  return !/^\d+$/.test(normalized) || normalized.length >= MIN_DIGITS_QUERY;
}
