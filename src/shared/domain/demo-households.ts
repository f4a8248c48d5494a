/**
 * Who lives in the demo town: surnames and given names by generation, where people come from, and
 * which kinds of household they live in, with ages and relations that fit together.
 */
import type { Person, Relation } from '../schemas/person.ts';
import { weighted, type Random } from './demo-random.ts';

export type Gender = Person['gender'];

// Roughly national frequency (per mille); 顾 陆 戴 are there because the seed towns are in Jiangsu.
export const drawSurname = weighted({
  ...{ 王: 71, 李: 70, 张: 68, 刘: 54, 陈: 46, 杨: 31, 赵: 23, 黄: 22, 周: 21, 吴: 20, 徐: 17, 孙: 15 },
  ...{ 胡: 13, 朱: 13, 高: 12, 林: 12, 何: 12, 郭: 11, 马: 11, 罗: 9, 梁: 8, 宋: 8, 郑: 8, 谢: 7, 韩: 7 },
  ...{ 唐: 7, 冯: 7, 于: 6, 董: 6, 肖: 6, 程: 5, 曹: 5, 袁: 5, 邓: 5, 许: 5, 沈: 5, 曾: 5, 彭: 5, 吕: 5 },
  ...{ 丁: 4, 蒋: 4, 顾: 4, 戴: 3, 陆: 3 },
});
// Given names follow the fashion of the decade people were born in: two-character names for the old,
// single characters to combine for everyone younger.
export const GIVEN_NAMES = {
  male: {
    old: '建国 建华 国强 国平 志明 德明 德华 永福 春生 金海 红军 卫东 文斌 长林 宝华 福林 振华 洪兴 军 明'.split(
      ' ',
    ),
    mid: [...'伟强磊军勇杰涛超斌鹏刚俊峰亮健辉明华波飞'],
    young: [...'子浩宇轩俊杰博文泽晨睿昊一航然鑫铭嘉天宸'],
  },
  female: {
    old: '秀英 桂英 秀兰 玉兰 桂兰 凤英 玉珍 淑芬 秀珍 桂芳 美兰 素芬 金凤 月英 冬梅 红梅 丽华 爱华 芳 梅'.split(
      ' ',
    ),
    mid: [...'丽敏静燕艳娟霞芳红玲婷晶洁莉琳慧雪萍颖倩'],
    young: [...'欣怡梓涵雨萱思佳诗琪语梦婷悦可馨若彤晴妍'],
  },
} as const satisfies Record<Gender, Record<'old' | 'mid' | 'young', readonly string[]>>;

// Most residents are local (泰兴 and neighbours); a few came from inland provinces for the chemical jobs.
export const drawAreaCode = weighted({
  ...{ '321283': 70, '321281': 6, '321204': 5, '321282': 5, '320682': 4 },
  ...{ '320981': 2, '341221': 3, '411523': 3, '510722': 2 },
});
export const MOBILE_PREFIXES = [
  ...'130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159'.split(' '),
  ...'166 173 177 180 181 182 183 185 186 187 188 189 191 198 199'.split(' '),
];

/** Who lives with whom: relative weights of household kinds, tuned so the town averages ~3.7 people. */
const HOUSEHOLD_MIX = {
  urban: {
    'elderly-alone': 8,
    single: 3,
    'elderly-couple': 10,
    'young-couple': 4,
    nuclear: 33,
    'with-parents': 21,
    'with-grandchildren': 21,
    'skipped-generation': 0,
  },
  village: {
    'elderly-alone': 8,
    single: 1,
    'elderly-couple': 11,
    'young-couple': 2,
    nuclear: 26,
    'with-parents': 23,
    'with-grandchildren': 22,
    'skipped-generation': 7,
  },
} as const;
export type HouseholdKind = keyof typeof HOUSEHOLD_MIX.urban;
export const drawKind = { urban: weighted(HOUSEHOLD_MIX.urban), village: weighted(HOUSEHOLD_MIX.village) };

export interface MemberDraft {
  relation: Relation;
  gender: Gender;
  age: number;
  surname: string;
}

/** Ages and relations stay consistent: mothers are 21-38 years older than their children. */
export function composeHousehold(kind: HouseholdKind, rng: Random, surname: string): MemberDraft[] {
  const members: MemberDraft[] = [];
  const add = (relation: Relation, gender: Gender, age: number, memberSurname: string = drawSurname(rng)) => {
    members.push({ relation, gender, age: Math.min(100, Math.max(0, age)), surname: memberSurname });
    return members[members.length - 1]!;
  };
  const randomGender = (): Gender => (rng.chance(0.51) ? 'male' : 'female');
  /** A couple (mostly husband as head); returns the wife's age and the surname children take. */
  const couple = (headAge: number, minAge: number) => {
    const wifeAge = Math.max(minAge, headAge + rng.int(-5, 2));
    if (rng.chance(0.85)) {
      add('head', 'male', headAge, surname);
      add('spouse', 'female', wifeAge);
      return { motherAge: wifeAge, lineSurname: surname };
    }
    add('head', 'female', wifeAge, surname);
    const husband = add('spouse', 'male', headAge);
    return { motherAge: wifeAge, lineSurname: husband.surname };
  };
  const children = (
    relation: Relation,
    motherAge: number,
    count: number,
    lineSurname: string,
    maxAge = 100,
  ) => {
    let age = Math.min(maxAge, rng.int(Math.max(0, motherAge - 38), Math.max(0, motherAge - 21)));
    for (let i = 0; i < count && age >= 0; i++, age -= rng.int(1, 6))
      add(relation, randomGender(), age, lineSurname);
  };
  const childCount = (weights: readonly number[]) => {
    let x = rng.float() * weights.reduce((sum, w) => sum + w, 0);
    for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) < 0) return i;
    return weights.length - 1;
  };
  const elderlyAge = () => rng.int(65, rng.int(72, 95));

  switch (kind) {
    case 'elderly-alone':
      add('head', rng.chance(0.65) ? 'female' : 'male', elderlyAge(), surname);
      break;
    case 'single':
      add('head', rng.chance(0.6) ? 'male' : 'female', rng.int(20, 45), surname);
      break;
    case 'elderly-couple':
      couple(Math.max(67, elderlyAge()), 65);
      break;
    case 'young-couple':
      couple(rng.int(23, 38), 21);
      break;
    case 'nuclear': {
      const { motherAge, lineSurname } = couple(rng.int(28, 52), 23);
      children('child', motherAge, childCount([0, 40, 45, 15]), lineSurname);
      break;
    }
    case 'with-parents': {
      const headAge = rng.int(30, 55);
      const { motherAge, lineSurname } = couple(headAge, 24);
      children('child', motherAge, childCount([5, 42, 40, 13]), lineSurname);
      // The head's own parents; a widowed mother is the likeliest to have moved in.
      const fatherAge = headAge + rng.int(24, 34);
      const parents = rng.chance(0.5) ? 'both' : rng.chance(0.35) ? 'father' : 'mother';
      if (parents !== 'mother') add('parent', 'male', fatherAge, members[0]!.surname);
      if (parents !== 'father') add('parent', 'female', fatherAge - rng.int(0, 4));
      break;
    }
    case 'with-grandchildren':
    case 'skipped-generation': {
      const isSkipped = kind === 'skipped-generation';
      const headAge = isSkipped ? rng.int(52, 76) : rng.int(55, 82);
      let motherAge = headAge;
      let lineSurname = surname;
      if (rng.chance(0.85)) ({ motherAge, lineSurname } = couple(headAge, 50));
      else {
        const isWidow = rng.chance(0.7);
        add('head', isWidow ? 'female' : 'male', headAge, surname);
        // A widow's children carry her late husband's surname.
        if (isWidow) lineSurname = drawSurname(rng);
      }
      // The adult child who stays is usually a son; his wife is recorded as 'other' (儿媳).
      const childAge = rng.int(Math.max(22, motherAge - 36), Math.max(22, motherAge - 22));
      const isSon = rng.chance(0.7);
      const grandSurname = isSon ? lineSurname : drawSurname(rng);
      const inLawAge = isSon ? childAge - rng.int(0, 3) : childAge + rng.int(0, 3);
      if (!isSkipped) {
        add('child', isSon ? 'male' : 'female', childAge, lineSurname);
        if (rng.chance(0.8))
          add('other', isSon ? 'female' : 'male', inLawAge, isSon ? undefined : grandSurname);
      }
      const grandchildMotherAge = isSon ? inLawAge : childAge;
      children(
        'grandchild',
        grandchildMotherAge,
        childCount([0, 50, 40, 10]),
        grandSurname,
        isSkipped ? 15 : 100,
      );
      break;
    }
  }
  return members;
}
