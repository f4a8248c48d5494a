import type { RegisterRows } from '../../../src/app/db/load-register.ts';
import type { PinyinOf } from '../../../src/shared/domain/search-keys.ts';
import { seededRandom } from '../../../src/shared/domain/seeded-random.ts';
import type { BenchQuery, QueryKind } from '../bench-api.ts';

/** Fixed, so every run (and every engine) searches for the same things. */
const QUERY_SEED = 0x5eed_2026;
export const QUERY_COUNT = 200;
const KINDS: readonly QueryKind[] = ['name', 'pinyin', 'phone', 'id-tail', 'address'];

/** mulberry32: a tiny seeded generator; the queries only need to be repeatable, not random. */
function seededPicker(seed: number) {
  const float = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(float() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(float() * items.length)];
    if (item === undefined) throw new Error('cannot pick from an empty list');
    return item;
  };
  return { int, pick };
}

/**
 * What a grid worker types, taken from real records of the town: a name's first characters (surname
 * and more), pinyin initials, four digits from anywhere in a phone number, the last 4 or 6 characters
 * of an ID number, and the start of an address (estate and building, or village and group).
 */
export function benchQueries(rows: RegisterRows, pinyinOf: PinyinOf): BenchQuery[] {
  const random = seededPicker(QUERY_SEED);
  const withPhone = rows.people.filter((p) => p.phone && p.phone.replace(/\D/g, '').length >= 4);
  const queryOf: Record<QueryKind, () => string> = {
    name: () => {
      const name = [...random.pick(rows.people).name];
      return name.slice(0, random.int(Math.min(2, name.length), name.length)).join('');
    },
    pinyin: () => {
      const initials = pinyinOf(random.pick(rows.people).name)
        .map((syllable) => syllable[0] ?? '')
        .join('');
      return initials.slice(0, random.int(Math.min(2, initials.length), initials.length));
    },
    phone: () => {
      const digits = (random.pick(withPhone).phone ?? '').replace(/\D/g, '');
      const start = random.int(0, digits.length - 4);
      return digits.slice(start, start + 4);
    },
    'id-tail': () => {
      const id = random.pick(rows.people).idNumber ?? '';
      return id.slice(-random.pick([4, 6]));
    },
    address: () => {
      const address = [...random.pick(rows.households).address];
      // At least the estate or village name; at most all of it.
      return address.slice(0, random.int(Math.min(4, address.length), address.length)).join('');
    },
  };
  return Array.from({ length: QUERY_COUNT }, (_, i) => {
    const kind = KINDS[i % KINDS.length]!;
    return { kind, text: queryOf[kind]() };
  });
}
