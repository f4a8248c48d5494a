/**
 * A made-up town shaped like seed 000 (23,000 households, 85,000 people, 71 + 5 grids, ~140 mostly
 * chemical enterprises) for demos, benchmarks and tests. Pure: the same options give the same town,
 * so nothing here may read the clock, Math.random or the environment.
 */
import type { Building } from '../schemas/building.ts';
import type { CareTag } from '../schemas/care-tags.ts';
import type { Enterprise } from '../schemas/enterprise.ts';
import type { Grid } from '../schemas/grid.ts';
import type { Household } from '../schemas/household.ts';
import type { Person } from '../schemas/person.ts';
import { addDemoEnterprises } from './demo-enterprises.ts';
import {
  GIVEN_NAMES,
  MOBILE_PREFIXES,
  composeHousehold,
  drawAreaCode,
  drawKind,
  drawSurname,
  type Gender,
} from './demo-households.ts';
import { apportion, createRandom } from './demo-random.ts';
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

  town.enterprises = addDemoEnterprises(
    {
      rng,
      newId,
      base,
      addSpecialGrid: (name, code) => addGrid(root.id, 'special', name, code).id,
      givenName,
      mobile,
      pad,
    },
    specialGrids,
    enterpriseCount,
  );
  return town;
}
