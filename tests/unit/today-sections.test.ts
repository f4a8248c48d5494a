import { describe, expect, it } from 'vitest';
import type { TodayEntry } from '../../src/app/db/round-queries.ts';
import { matchesJump, todaySections } from '../../src/app/state/today-sections.ts';
import { normalizeQuery } from '../../src/shared/domain/search-keys.ts';

function entry(
  id: string,
  fields: Partial<TodayEntry> & { address?: string; searchKeys?: string[] },
): TodayEntry {
  const { address = '幸福家园1栋1单元101', searchKeys = [], ...rest } = fields;
  return {
    householdId: id,
    cadence: 'monthly',
    status: 'due',
    reasonTags: [],
    reasonPersonIds: [],
    headName: '张三',
    keyPeople: [],
    household: { id, address, searchKeys } as unknown as TodayEntry['household'],
    ...rest,
  } as TodayEntry;
}

const list = [
  entry('a', { cadence: 'daily', reasonTags: ['elderly-alone'], keyPeople: ['李秀英'] }),
  entry('b', {
    status: 'overdue',
    headName: '王强',
    address: '幸福家园3栋2单元502',
    searchKeys: ['3栋', '502'],
  }),
  entry('c', { status: 'done', cadence: 'daily', reasonTags: ['elderly-alone'] }),
  entry('d', { cadence: 'weekly', reasonTags: ['disabled'], headName: '赵敏' }),
];

describe("Today's sections", () => {
  it('puts the 日必访 people first, the rest after, and the done ones apart, each in the order given', () => {
    const sections = todaySections(list, { tag: null, query: '' });
    expect(sections.daily.map((e) => e.householdId)).toEqual(['a']);
    expect(sections.others.map((e) => e.householdId)).toEqual(['b', 'd']);
    expect(sections.done.map((e) => e.householdId)).toEqual(['c']);
    const total = sections.daily.length + sections.others.length + sections.done.length;
    expect(total).toBe(list.length);
  });

  it('a tag chip narrows every section', () => {
    const sections = todaySections(list, { tag: 'elderly-alone', query: '' });
    expect(sections).toEqual({ daily: [list[0]], others: [], done: [list[2]] });
  });

  it('a jump finds a row by a name on it, the address or the household search keys', () => {
    const found = (query: string) =>
      Object.values(todaySections(list, { tag: null, query }))
        .flat()
        .map((e) => e.householdId);
    expect(found('李秀英')).toEqual(['a']);
    expect(found(' 王 ')).toEqual(['b']);
    expect(found('502')).toEqual(['b']);
    expect(found('3栋')).toEqual(['b']);
    expect(found('幸福家园')).toEqual(['a', 'b', 'd', 'c']);
    expect(found('没有这个人')).toEqual([]);
    expect(matchesJump(list[3]!, normalizeQuery(''))).toBe(true);
  });
});
