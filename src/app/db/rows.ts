import { householdSearchKeys, personSearchKeys, type PinyinOf } from '../../shared/domain/search-keys.ts';
import type { Building, Household, Person } from '../../shared/schemas/index.ts';
import type { HouseholdRow, PersonRow } from './app-db.ts';

export function toPersonRow(person: Person, pinyinOf: PinyinOf): PersonRow {
  return { ...person, searchKeys: personSearchKeys(person, pinyinOf) };
}

export function toHouseholdRow(household: Household, building: Building | undefined): HouseholdRow {
  return { ...household, searchKeys: householdSearchKeys(household, building) };
}

/** Strips the index-only fields, so what is validated and synced is exactly the record. */
export function fromRow<T extends { searchKeys: string[] }>(row: T): Omit<T, 'searchKeys'> {
  const { searchKeys: _searchKeys, ...record } = row;
  return record;
}
