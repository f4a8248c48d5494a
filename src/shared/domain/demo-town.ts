/**
 * A made-up town shaped like seed 000 (23,000 households, 85,000 people, 71 + 5 grids, ~140 mostly
 * chemical enterprises) for demos, benchmarks and tests. Pure: the same options give the same town,
 * so nothing here may read the clock, Math.random or the environment.
 */
import type { Building } from '../schemas/building.ts';
import type { CareTag } from '../schemas/care-tags.ts';
import type { Enterprise, Industry } from '../schemas/enterprise.ts';
import type { Grid } from '../schemas/grid.ts';
import type { Household } from '../schemas/household.ts';
import type { Person, Relation } from '../schemas/person.ts';
import { idNumberCheckChar } from './id-number.ts';
import { deterministicId } from './ids.ts';

export interface DemoTownOptions {
  /** Taken modulo 2^32. */
  seed?: number;
  households?: number;
  comprehensiveGrids?: number;
  specialGrids?: number;
  enterprises?: number;
  /** Epoch ms the town is "as of": ages, updatedAt and id times derive from it. */
  now?: number;
  /** The root grid's name and code (a second demo town is not also 红星镇). */
  townName?: string;
  townCode?: string;
}

export interface DemoTown {
  grids: Grid[];
  buildings: Building[];
  households: Household[];
  people: Person[];
  enterprises: Enterprise[];
}

export const DEMO_TOWN_DEFAULTS = {
  seed: 20260101,
  households: 23_000,
  comprehensiveGrids: 71,
  specialGrids: 5,
  enterprises: 140,
  now: Date.UTC(2026, 0, 1),
} as const satisfies Required<Omit<DemoTownOptions, 'townName' | 'townCode'>>;

/**
 * Care-tag rates, each over the population named in its comment (ages are whole years at `now`).
 * The two elderly tags are not drawn: they follow from who lives with whom (HOUSEHOLD_MIX), so their
 * numbers are what the mix is tuned to give, and changing them alone changes nothing.
 */
export const DEMO_TAG_RATES = {
  /** People aged 65+: share living alone (every 65+ one-person household is tagged). */
  'elderly-alone': 0.1,
  /** People aged 65+: share living as an elderly couple with nobody else (both partners are 65+). */
  'empty-nest': 0.26,
  /** All people (China's 2006 disability sample survey found 6.3%). */
  disabled: 0.06,
  /** People aged 60+. */
  'chronic-illness': 0.3,
  /** Women aged 20-40. */
  pregnant: 0.04,
  /** Children under 16 in village grids; drawn per household, so siblings share it. */
  'left-behind-child': 0.25,
  /** Households (低保 is granted per household): every member of a chosen household is tagged. */
  'low-income': 0.03,
  /** People aged 18+. */
  'key-person': 0.004,
  /** People aged 18-59 (below the usual retirement age). */
  unemployed: 0.04,
} as const satisfies Record<CareTag, number>;

/** Whole years between a YYYY-MM-DD birth date and an epoch-ms moment, in UTC like the ID number. */
export function ageOn(birthDate: string, at: number): number {
  const day = new Date(at);
  const year = Number(birthDate.slice(0, 4));
  const month = Number(birthDate.slice(5, 7));
  const date = Number(birthDate.slice(8, 10));
  const hadBirthday =
    day.getUTCMonth() + 1 > month || (day.getUTCMonth() + 1 === month && day.getUTCDate() >= date);
  return day.getUTCFullYear() - year - (hadBirthday ? 0 : 1);
}

// sfc32: tiny, fast and good enough for made-up data; seeded through splitmix32 so nearby seeds diverge.
function createRandom(seed: number) {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(),
    b = splitmix(),
    c = splitmix(),
    d = splitmix();
  const uint32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = ((c << 21) | (c >>> 11)) + t;
    c |= 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32();
  const float = () => uint32() / 4294967296;
  const int = (min: number, max: number) => min + Math.floor(float() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(float() * items.length)]!;
  return { uint32, float, int, pick, chance: (p: number) => float() < p };
}
type Random = ReturnType<typeof createRandom>;
type Gender = Person['gender'];

/** Weighted choice over a const record; cumulative sums are built once per table. */
function weighted<K extends string>(table: Readonly<Partial<Record<K, number>>>): (rng: Random) => K {
  const keys = Object.keys(table) as K[];
  const cumulative: number[] = [];
  let total = 0;
  for (const key of keys) cumulative.push((total += table[key] ?? 0));
  return (rng) => {
    const x = rng.float() * total;
    let i = 0;
    while (i < keys.length - 1 && cumulative[i]! <= x) i++;
    return keys[i]!;
  };
}

// Roughly national frequency (per mille); 顾 陆 戴 are there because the seed towns are in Jiangsu.
const drawSurname = weighted({
  ...{ 王: 71, 李: 70, 张: 68, 刘: 54, 陈: 46, 杨: 31, 赵: 23, 黄: 22, 周: 21, 吴: 20, 徐: 17, 孙: 15 },
  ...{ 胡: 13, 朱: 13, 高: 12, 林: 12, 何: 12, 郭: 11, 马: 11, 罗: 9, 梁: 8, 宋: 8, 郑: 8, 谢: 7, 韩: 7 },
  ...{ 唐: 7, 冯: 7, 于: 6, 董: 6, 肖: 6, 程: 5, 曹: 5, 袁: 5, 邓: 5, 许: 5, 沈: 5, 曾: 5, 彭: 5, 吕: 5 },
  ...{ 丁: 4, 蒋: 4, 顾: 4, 戴: 3, 陆: 3 },
});
// Given names follow the fashion of the decade people were born in: two-character names for the old,
// single characters to combine for everyone younger.
const GIVEN_NAMES = {
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
const drawAreaCode = weighted({
  ...{ '321283': 70, '321281': 6, '321204': 5, '321282': 5, '320682': 4 },
  ...{ '320981': 2, '341221': 3, '411523': 3, '510722': 2 },
});
const MOBILE_PREFIXES = [
  ...'130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159'.split(' '),
  ...'166 173 177 180 181 182 183 185 186 187 188 189 191 198 199'.split(' '),
];
const DAY_MS = 86_400_000;

/** name:code; a community's estates are named after its first two characters (幸福社区 -> 幸福家园). */
const COMMUNITIES =
  '幸福社区:XF 和平社区:HP 光明社区:GM 新华社区:XH 建设社区:JS 振兴社区:ZX 阳光社区:YG 东风社区:DF'
    .split(' ')
    .map((entry) => entry.split(':') as [string, string]);
const VILLAGES = '河口村:HK 柳树村:LS 大桥村:DQ 石塘村:ST 新民村:XM 长江村:CJ'
  .split(' ')
  .map((entry) => entry.split(':') as [string, string]);
const ESTATE_SUFFIXES = '家园 花园 小区 新村 名苑 雅居 华庭 佳苑 丽景 公寓'.split(' ');
/** Share of comprehensive grids that are urban (community) rather than village. */
const URBAN_GRID_SHARE = 0.7;

/** Special grids by zone (named zone + 专属网格): their share of the enterprises and industry mix. */
const SPECIAL_ZONES = [
  { zone: '化工园区', weight: 45, industries: { chemical: 1 } },
  { zone: '新材料产业园', weight: 30, industries: { chemical: 7, manufacturing: 3 } },
  { zone: '港区物流园', weight: 10, industries: { logistics: 7, chemical: 3 } },
  { zone: '沿江工业区', weight: 10, industries: { manufacturing: 5, chemical: 4, construction: 1 } },
  { zone: '商贸街区', weight: 5, industries: { retail: 6, catering: 4 } },
] as const satisfies readonly SpecialZone[];
interface SpecialZone {
  zone: string;
  weight: number;
  industries: Partial<Record<Industry, number>>;
}
/** Words for made-up company names, and the share of companies that handle hazardous chemicals (危化品). */
const INDUSTRY_PROFILES = {
  chemical: { words: ['化工', '化学', '精细化工', '新材料科技', '医药化工', '石化'], hazardousShare: 0.75 },
  manufacturing: { words: ['机械', '装备制造', '电子科技', '五金制品'], hazardousShare: 0.1 },
  logistics: { words: ['物流', '仓储', '港务'], hazardousShare: 0.25 },
  retail: { words: ['商贸', '超市', '建材商行'], hazardousShare: 0 },
  catering: { words: ['餐饮', '酒店', '食府'], hazardousShare: 0 },
  construction: { words: ['建筑工程', '建设'], hazardousShare: 0 },
} as const satisfies Record<Industry, { words: readonly string[]; hazardousShare: number }>;
const BRAND_CHARS = [...'恒盛华鑫瑞泰宏远达昌丰源嘉诚利新金龙天润海星正德'];
const ROAD_NUMERALS = [...'一二三四五六七八'];
const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_CHAR_LIST = [...CREDIT_CODE_CHARS];

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
type HouseholdKind = keyof typeof HOUSEHOLD_MIX.urban;
const drawKind = { urban: weighted(HOUSEHOLD_MIX.urban), village: weighted(HOUSEHOLD_MIX.village) };

interface MemberDraft {
  relation: Relation;
  gender: Gender;
  age: number;
  surname: string;
}

/** Ages and relations stay consistent: mothers are 21-38 years older than their children. */
function composeHousehold(kind: HouseholdKind, rng: Random, surname: string): MemberDraft[] {
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

/** GB 32100-2015 check character: weights are 3^i mod 31 over the first 17 characters. */
function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0, weight = 1; i < 17; i++, weight = (weight * 3) % 31)
    sum += CREDIT_CODE_CHARS.indexOf(first17[i]!) * weight;
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31]!;
}

/** Splits `total` across weights, exactly, by largest remainder. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const raw = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const shares = raw.map(Math.floor);
  let left = total - shares.reduce((s, n) => s + n, 0);
  const byRemainder = raw
    .map((r, i) => [r - Math.floor(r), i] as const)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (const [, i] of byRemainder) if (left-- > 0) shares[i]!++;
  return shares;
}

export function generateDemoTown(options: DemoTownOptions = {}): DemoTown {
  const seed = options.seed ?? DEMO_TOWN_DEFAULTS.seed;
  const householdCount = options.households ?? DEMO_TOWN_DEFAULTS.households;
  const comprehensiveGrids = options.comprehensiveGrids ?? DEMO_TOWN_DEFAULTS.comprehensiveGrids;
  const specialGrids = options.specialGrids ?? DEMO_TOWN_DEFAULTS.specialGrids;
  const enterpriseCount = options.enterprises ?? DEMO_TOWN_DEFAULTS.enterprises;
  const now = options.now ?? DEMO_TOWN_DEFAULTS.now;
  const counts = { householdCount, comprehensiveGrids, specialGrids, enterpriseCount, now };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name} must be a non-negative integer`);
  }
  if (householdCount > 0 && comprehensiveGrids < 1)
    throw new RangeError('households need a comprehensive grid');
  if (enterpriseCount > 0 && specialGrids < 1) throw new RangeError('enterprises need a special grid');

  const rng = createRandom(seed);
  const town: DemoTown = { grids: [], buildings: [], households: [], people: [], enterprises: [] };
  const base = { updatedAt: now, isDeleted: false } as const;
  // Ids are stamped a day before `now`, one millisecond apart, so they sort in generation (walking) order.
  let idClock = Math.max(0, now - DAY_MS);
  const idBytes = new Uint8Array(16);
  const idView = new DataView(idBytes.buffer);
  const newId = () => {
    for (let i = 0; i < 16; i += 4) idView.setUint32(i, rng.uint32());
    return deterministicId(idClock++, idBytes);
  };
  const nowDate = new Date(now);
  const usedPhones = new Set<string>();
  const usedIdNumbers = new Set<string>();
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  const uniquePhone = (draw: () => string) => {
    for (;;) {
      const phone = draw();
      if (usedPhones.has(phone)) continue;
      usedPhones.add(phone);
      return phone;
    }
  };
  const mobile = () => uniquePhone(() => rng.pick(MOBILE_PREFIXES) + pad(rng.int(0, 99_999_999), 8));
  const phoneForAge = (age: number): string | undefined => {
    if (age < 12) return undefined;
    if (age < 16) return rng.chance(0.3) ? mobile() : undefined;
    if (age < 70 ? rng.chance(0.96) : rng.chance(age < 80 ? 0.7 : 0.45)) return mobile();
    // Old people without a mobile often still have the house landline (泰州 area code).
    if (age < 70 || !rng.chance(0.5)) return undefined;
    return uniquePhone(() => `0523-8${pad(rng.int(0, 9_999_999), 7)}`);
  };
  const givenName = (gender: Gender, age: number) => {
    const pools = GIVEN_NAMES[gender];
    if (age >= 60) return rng.pick(pools.old);
    const pool = age >= 25 ? pools.mid : pools.young;
    const isSingleChar = rng.chance(age >= 25 ? 0.4 : 0.1);
    return isSingleChar ? rng.pick(pool) : rng.pick(pool) + rng.pick(pool);
  };
  // A town has ~36,000 distinct birth days, so formatting each once saves most of the date work.
  const birthDays = new Map<number, { birthDate: string; digits: string; age: number }>();
  const lastBirthdayDays = Array.from({ length: 101 }, (_, age) =>
    Math.round(
      Date.UTC(nowDate.getUTCFullYear() - age, nowDate.getUTCMonth(), nowDate.getUTCDate()) / DAY_MS,
    ),
  );
  const birthDayForAge = (age: number) => {
    const day = lastBirthdayDays[age]! - rng.int(0, 364);
    let birthDay = birthDays.get(day);
    if (birthDay === undefined) {
      const birthDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
      birthDay = { birthDate, digits: birthDate.replaceAll('-', ''), age: ageOn(birthDate, now) };
      birthDays.set(day, birthDay);
    }
    return birthDay;
  };
  const idNumberFor = (birthDateDigits: string, gender: Gender) => {
    for (;;) {
      const sequence = pad(rng.int(0, 99), 2) + String(rng.int(0, 4) * 2 + (gender === 'male' ? 1 : 0));
      const first17 = drawAreaCode(rng) + birthDateDigits + sequence;
      const idNumber = first17 + idNumberCheckChar(first17);
      if (usedIdNumbers.has(idNumber)) continue;
      usedIdNumbers.add(idNumber);
      return idNumber;
    }
  };

  const addGrid = (parentId: string | null, kind: Grid['kind'], name: string, code: string) => {
    const grid: Grid = { id: newId(), ...base, parentId, kind, name, code };
    town.grids.push(grid);
    return grid;
  };

  const addHousehold = (
    gridId: string,
    isVillage: boolean,
    surname: string,
    place: Omit<Household, keyof typeof base | 'id' | 'gridId'>,
  ) => {
    const householdId = newId();
    const kind = drawKind[isVillage ? 'village' : 'urban'](rng);
    const isLeftBehind = isVillage && rng.chance(DEMO_TAG_RATES['left-behind-child']);
    const isLowIncome = rng.chance(DEMO_TAG_RATES['low-income']);
    let headPhone: string | undefined;
    for (const member of composeHousehold(kind, rng, surname)) {
      const { birthDate, digits, age } = birthDayForAge(member.age);
      const tags: CareTag[] = [];
      if (kind === 'elderly-alone' && age >= 65) tags.push('elderly-alone');
      if (kind === 'elderly-couple' && age >= 65) tags.push('empty-nest');
      if (rng.chance(DEMO_TAG_RATES.disabled)) tags.push('disabled');
      if (age >= 60 && rng.chance(DEMO_TAG_RATES['chronic-illness'])) tags.push('chronic-illness');
      if (member.gender === 'female' && age >= 20 && age <= 40 && rng.chance(DEMO_TAG_RATES.pregnant))
        tags.push('pregnant');
      if (isLeftBehind && age < 16) tags.push('left-behind-child');
      if (isLowIncome) tags.push('low-income');
      if (age >= 18 && rng.chance(DEMO_TAG_RATES['key-person'])) tags.push('key-person');
      if (age >= 18 && age <= 59 && rng.chance(DEMO_TAG_RATES.unemployed)) tags.push('unemployed');
      const phone = phoneForAge(age);
      if (member.relation === 'head') headPhone = phone;
      // Spelled out, not spread: this runs 85,000 times and the spreads made the whole town ~20% slower.
      const person: Person = {
        id: newId(),
        updatedAt: now,
        isDeleted: false,
        householdId,
        gridId,
        status: 'resident',
        name: member.surname + givenName(member.gender, age),
        gender: member.gender,
        relation: member.relation,
        birthDate,
        idNumber: idNumberFor(digits, member.gender),
        tags,
      };
      if (phone !== undefined) person.phone = phone;
      town.people.push(person);
    }
    town.households.push({
      id: householdId,
      ...base,
      gridId,
      ...place,
      ...(headPhone === undefined ? {} : { phone: headPhone }),
    });
  };

  const fillUrbanGrid = (gridId: string, estatePrefix: string, firstEstate: number, quota: number) => {
    let remaining = quota;
    let estateIndex = firstEstate;
    while (remaining > 0) {
      const estate = ESTATE_SUFFIXES[estateIndex % ESTATE_SUFFIXES.length]!;
      const phase = Math.floor(estateIndex / ESTATE_SUFFIXES.length);
      const estateName = estatePrefix + estate + (phase > 0 ? `${phase + 1}期` : '');
      estateIndex++;
      const buildingsInEstate = rng.int(4, 12);
      for (let number = 1; number <= buildingsInEstate && remaining > 0; number++) {
        // Old 6-7 storey walk-ups, mid-rise slabs, and newer high-rise towers.
        const shape = rng.float();
        const floors = shape < 0.5 ? rng.int(6, 7) : shape < 0.8 ? rng.int(11, 18) : rng.int(24, 33);
        const units = floors <= 7 ? rng.int(2, 4) : rng.int(1, floors >= 24 ? 2 : 3);
        const roomsPerFloor = floors <= 7 ? 2 : rng.int(2, 4);
        const building: Building = {
          id: newId(),
          ...base,
          gridId,
          name: `${number}栋`,
          estate: estateName,
          floors,
          units,
          facilities: {
            elevators: floors >= 7 ? units * (floors >= 19 ? 2 : 1) : 0,
            fireHydrants: units * (floors >= 10 ? 2 : 1),
            hasGasPipes: rng.chance(0.92),
            hasWaterPipes: true,
          },
        };
        town.buildings.push(building);
        const capacity = floors * units * roomsPerFloor;
        let toPlace = Math.min(remaining, Math.round(capacity * (0.8 + rng.float() * 0.15)));
        remaining -= toPlace;
        // Selection sampling keeps exactly `toPlace` occupied rooms while walking stairs in order.
        let roomsLeft = capacity;
        for (let unit = 1; unit <= units; unit++) {
          for (let floor = 1; floor <= floors; floor++) {
            for (let roomOnFloor = 1; roomOnFloor <= roomsPerFloor; roomOnFloor++, roomsLeft--) {
              if (toPlace === 0 || !rng.chance(toPlace / roomsLeft)) continue;
              toPlace--;
              const room = `${floor}${pad(roomOnFloor, 2)}`;
              const address = `${estateName}${building.name}${unit}单元${room}室`;
              addHousehold(gridId, false, drawSurname(rng), {
                buildingId: building.id,
                unit,
                floor,
                room,
                address,
              });
            }
          }
        }
      }
    }
    return estateIndex;
  };

  const fillVillageGrid = (
    gridId: string,
    villageName: string,
    usedGroupNames: Set<string>,
    quota: number,
  ) => {
    const groupCount = Math.max(1, Math.round(quota / rng.int(60, 100)));
    apportion(quota, new Array<number>(groupCount).fill(1)).forEach((size) => {
      let groupSurname = drawSurname(rng);
      for (let tries = 0; usedGroupNames.has(`${groupSurname}家组`) && tries < 30; tries++)
        groupSurname = drawSurname(rng);
      const groupName = usedGroupNames.has(`${groupSurname}家组`)
        ? `第${usedGroupNames.size + 1}组`
        : `${groupSurname}家组`;
      usedGroupNames.add(groupName);
      // Villagers of a group are often one clan, hence the group's name.
      for (let number = 1; number <= size; number++) {
        const surname = rng.chance(0.45) ? groupSurname : drawSurname(rng);
        const place = {
          villageGroup: groupName,
          houseNumber: `${number}号`,
          address: `${villageName}${groupName}${number}号`,
        };
        addHousehold(gridId, true, surname, place);
      }
    });
  };

  const root = addGrid(null, 'town', options.townName ?? '红星镇', options.townCode ?? 'HX');
  const urbanGridCount =
    comprehensiveGrids < 2
      ? comprehensiveGrids
      : Math.min(comprehensiveGrids - 1, Math.max(1, Math.round(comprehensiveGrids * URBAN_GRID_SHARE)));
  const gridsPerCommunity = apportion(urbanGridCount, new Array<number>(COMMUNITIES.length).fill(1));
  const gridsPerVillage = apportion(
    comprehensiveGrids - urbanGridCount,
    new Array<number>(VILLAGES.length).fill(1),
  );
  // Grids differ in size by up to ±25%, as real ones do.
  const gridWeights = Array.from({ length: comprehensiveGrids }, () => 0.75 + rng.float() * 0.5);
  const quotas = apportion(householdCount, gridWeights);
  let gridIndex = 0;
  COMMUNITIES.forEach(([name, code], c) => {
    const count = gridsPerCommunity[c]!;
    if (count === 0) return;
    const community = addGrid(root.id, 'community', name, code);
    let nextEstate = 0;
    for (let n = 1; n <= count; n++) {
      const grid = addGrid(community.id, 'grid', `${name}第${n}网格`, `${code}-${pad(n, 2)}`);
      nextEstate = fillUrbanGrid(grid.id, name.slice(0, 2), nextEstate, quotas[gridIndex++]!);
    }
  });
  VILLAGES.forEach(([name, code], v) => {
    const count = gridsPerVillage[v]!;
    if (count === 0) return;
    const village = addGrid(root.id, 'village', name, code);
    const usedGroupNames = new Set<string>();
    for (let n = 1; n <= count; n++) {
      const grid = addGrid(village.id, 'grid', `${name}第${n}网格`, `${code}-${pad(n, 2)}`);
      fillVillageGrid(grid.id, name, usedGroupNames, quotas[gridIndex++]!);
    }
  });

  const fallbackZone = (i: number): SpecialZone => ({
    zone: `第${i + 1}片区`,
    weight: 5,
    industries: { manufacturing: 1 },
  });
  const zones = Array.from(
    { length: specialGrids },
    (_, i): SpecialZone => SPECIAL_ZONES[i] ?? fallbackZone(i),
  );
  const perZone = apportion(
    enterpriseCount,
    zones.map((zone) => zone.weight),
  );
  const usedNames = new Set<string>();
  const usedCreditCodes = new Set<string>();
  zones.forEach(({ zone, industries }, z) => {
    const grid = addGrid(root.id, 'special', `${zone}专属网格`, `ZS-${pad(z + 1, 2)}`);
    const drawIndustry = weighted<Industry>(industries);
    for (let e = 0; e < perZone[z]!; e++) {
      const industry = drawIndustry(rng);
      const words = INDUSTRY_PROFILES[industry].words;
      let name = '';
      for (let tries = 0; name === '' || usedNames.has(name); tries++) {
        const province = rng.chance(0.5) ? '江苏' : '';
        // Past a few collisions the name space is used up (a huge `enterprises`): number the branches.
        const branch = tries > 20 ? `第${usedNames.size + 1}分公司` : '';
        name = `${province}${rng.pick(BRAND_CHARS)}${rng.pick(BRAND_CHARS)}${rng.pick(words)}有限公司${branch}`;
      }
      usedNames.add(name);
      let creditCode = '';
      while (creditCode === '' || usedCreditCodes.has(creditCode)) {
        // 91 = enterprise registered with market supervision; newer codes carry an "MA" organisation code.
        const orgCode = rng.chance(0.6)
          ? 'MA' + Array.from({ length: 7 }, () => rng.pick(CREDIT_CODE_CHAR_LIST)).join('')
          : pad(rng.int(0, 999_999_999), 9);
        const first17 = `91321283${orgCode}`;
        creditCode = first17 + creditCodeCheckChar(first17);
      }
      usedCreditCodes.add(creditCode);
      const isSmallBusiness = industry === 'retail' || industry === 'catering';
      const contactGender: Gender = rng.chance(0.7) ? 'male' : 'female';
      town.enterprises.push({
        id: newId(),
        ...base,
        gridId: grid.id,
        name,
        creditCode,
        industry,
        address: `红星镇${zone}${rng.pick(['经', '纬'])}${rng.pick(ROAD_NUMERALS)}路${rng.int(1, 199)}号`,
        contactName: drawSurname(rng) + givenName(contactGender, rng.int(30, 55)),
        contactPhone: mobile(),
        employees: isSmallBusiness ? rng.int(3, 60) : rng.int(20, rng.int(60, 900)),
        isHazardousChemicals: rng.chance(INDUSTRY_PROFILES[industry].hazardousShare),
      });
    }
  });
  return town;
}
