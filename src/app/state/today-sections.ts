/**
 * How Today's list is cut for a worker scanning it with one thumb: the 日必访 people first, the rest
 * of the day's households after, the ones done today at the end; a tag chip or a few typed letters
 * narrow all three at once. Pure, so the cut is tested without a screen.
 */
import { normalizeQuery } from '../../shared/domain/search-keys.ts';
import type { CareTag } from '../../shared/schemas/index.ts';
import type { TodayEntry } from '../db/round-queries.ts';

export interface TodaySections {
  /** Daily cadence (日必访: living alone, under watch…), still to do, in walking order. */
  daily: TodayEntry[];
  /** Everyone else due or overdue today, in walking order. */
  others: TodayEntry[];
  /** Visited today (a visit that counts). */
  done: TodayEntry[];
}

/**
 * A typed jump: the names on the row and the household's own search keys (address, building, room,
 * phone digits: the same keys 搜索 uses), so "3栋", "502" or a name all find the row.
 */
export function matchesJump(entry: TodayEntry, normalized: string): boolean {
  if (normalized === '') return true;
  const names = [entry.headName, ...entry.keyPeople];
  return (
    names.some((name) => normalizeQuery(name).includes(normalized)) ||
    normalizeQuery(entry.household.address).includes(normalized) ||
    entry.household.searchKeys.some((key) => key.startsWith(normalized))
  );
}

export function todaySections(
  entries: readonly TodayEntry[],
  filter: { tag: CareTag | null; query: string },
): TodaySections {
  const normalized = normalizeQuery(filter.query);
  const sections: TodaySections = { daily: [], others: [], done: [] };
  for (const entry of entries) {
    if (filter.tag !== null && !entry.reasonTags.includes(filter.tag)) continue;
    if (!matchesJump(entry, normalized)) continue;
    if (entry.status === 'done') sections.done.push(entry);
    else if (entry.cadence === 'daily') sections.daily.push(entry);
    else sections.others.push(entry);
  }
  return sections;
}
