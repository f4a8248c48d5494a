import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_TAG_RATES,
  DEMO_TOWN_DEFAULTS,
  ageOn,
  generateDemoTown,
  type DemoTown,
} from '../../src/shared/domain/demo-town.ts';
import { idNumberBirthDate, idNumberGender, isValidIdNumber } from '../../src/shared/domain/id-number.ts';
import {
  CARE_TAG_CODES,
  CREDIT_CODE_PATTERN,
  PHONE_PATTERN,
  buildingSchema,
  enterpriseSchema,
  gridSchema,
  householdSchema,
  personSchema,
  type CareTag,
  type Person,
} from '../../src/shared/schemas/index.ts';

const SMALL = { households: 2_000 } as const;
const now = DEMO_TOWN_DEFAULTS.now;

function membersByHousehold(people: readonly Person[]): Map<string, Person[]> {
  const members = new Map<string, Person[]>();
  for (const p of people) {
    const list = members.get(p.householdId);
    if (list) list.push(p);
    else members.set(p.householdId, [p]);
  }
  return members;
}

/** Every record that fails its schema, as "kind index: first issue", so a failure says what broke. */
function schemaFailures(town: DemoTown, step = 1): string[] {
  const failures: string[] = [];
  const check = (
    kind: string,
    records: readonly unknown[],
    schema: { safeParse: (x: unknown) => unknown },
  ) => {
    for (let i = 0; i < records.length; i += step) {
      const result = schema.safeParse(records[i]) as { success: boolean; error?: { issues: unknown[] } };
      if (!result.success) failures.push(`${kind} ${i}: ${JSON.stringify(result.error?.issues[0])}`);
    }
  };
  check('grid', town.grids, gridSchema);
  check('building', town.buildings, buildingSchema);
  check('household', town.households, householdSchema);
  check('person', town.people, personSchema);
  check('enterprise', town.enterprises, enterpriseSchema);
  return failures;
}

describe('generateDemoTown: determinism', () => {
  it('gives deep-equal towns for the same options', () => {
    expect(generateDemoTown({ ...SMALL, seed: 7 })).toEqual(generateDemoTown({ ...SMALL, seed: 7 }));
  });

  it('gives a different town for another seed', () => {
    const a = generateDemoTown({ ...SMALL, seed: 7 });
    const b = generateDemoTown({ ...SMALL, seed: 8 });
    expect(a.households.map((h) => h.id)).not.toEqual(b.households.map((h) => h.id));
    expect(a.people.map((p) => p.name)).not.toEqual(b.people.map((p) => p.name));
  });

  it('ignores options given as undefined instead of overriding the defaults with them', () => {
    expect(generateDemoTown({ ...SMALL, seed: undefined })).toEqual(generateDemoTown(SMALL));
  });

  it('rejects counts that cannot make a town', () => {
    expect(() => generateDemoTown({ households: -1 })).toThrow(RangeError);
    expect(() => generateDemoTown({ households: 10, comprehensiveGrids: 0 })).toThrow(RangeError);
    expect(() => generateDemoTown({ enterprises: 3, specialGrids: 0 })).toThrow(RangeError);
  });
});

describe('generateDemoTown: a 2,000-household town', () => {
  let town: DemoTown;
  beforeAll(() => {
    town = generateDemoTown(SMALL);
  });

  it('passes every schema on every record', () => {
    expect(schemaFailures(town)).toEqual([]);
  });

  it('keeps the grid counts when only the household count is scaled down', () => {
    expect(town.grids.filter((g) => g.kind === 'grid')).toHaveLength(71);
    expect(town.grids.filter((g) => g.kind === 'special')).toHaveLength(5);
    expect(town.households).toHaveLength(2_000);
    expect(town.people.length / town.households.length).toBeGreaterThan(3.4);
  });

  it('still works for a tiny town with a single grid', () => {
    const tiny = generateDemoTown({ households: 12, comprehensiveGrids: 1, specialGrids: 1, enterprises: 2 });
    expect(tiny.households).toHaveLength(12);
    expect(tiny.enterprises).toHaveLength(2);
    expect(schemaFailures(tiny)).toEqual([]);
  });
});

describe('generateDemoTown: the full default town', () => {
  let town: DemoTown;
  let ages: Map<Person, number>;
  let villageGridIds: Set<string>;
  beforeAll(() => {
    town = generateDemoTown();
    ages = new Map(town.people.map((p) => [p, ageOn(p.birthDate, now)]));
    villageGridIds = new Set(
      town.households.filter((h) => h.villageGroup !== undefined).map((h) => h.gridId),
    );
  });
  const ageOf = (p: Person) => ages.get(p)!;

  it('has the shape of seed town 000', () => {
    expect(town.households).toHaveLength(23_000);
    expect(town.people.length).toBeGreaterThanOrEqual(85_000 * 0.97);
    expect(town.people.length).toBeLessThanOrEqual(85_000 * 1.03);
    const kinds = town.grids.map((g) => g.kind);
    expect(kinds.filter((k) => k === 'grid')).toHaveLength(71);
    expect(kinds.filter((k) => k === 'special')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'town')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'community')).toHaveLength(8);
    expect(kinds.filter((k) => k === 'village')).toHaveLength(6);
    expect(town.enterprises).toHaveLength(140);
    const chemical = town.enterprises.filter((e) => e.industry === 'chemical').length;
    expect(chemical / town.enterprises.length).toBeGreaterThan(0.5);
  });

  it('passes the schemas on a sample of every kind of record', () => {
    expect(schemaFailures(town, 97)).toEqual([]);
  });

  it('links every person to an existing household in the same grid, and grids to the tree', () => {
    const households = new Map(town.households.map((h) => [h.id, h]));
    const grids = new Map(town.grids.map((g) => [g.id, g]));
    const misplaced = town.people.filter((p) => households.get(p.householdId)?.gridId !== p.gridId);
    expect(misplaced.map((p) => p.name)).toEqual([]);
    expect(new Set(town.households.map((h) => grids.get(h.gridId)?.kind))).toEqual(new Set(['grid']));
    expect(new Set(town.enterprises.map((e) => grids.get(e.gridId)?.kind))).toEqual(new Set(['special']));
    for (const grid of town.grids) {
      if (grid.kind === 'town') expect(grid.parentId).toBeNull();
      else expect(grids.has(grid.parentId!)).toBe(true);
    }
    const allIds = [town.grids, town.buildings, town.households, town.people, town.enterprises].flat();
    expect(new Set(allIds.map((r) => r.id)).size).toBe(allIds.length);
  });

  it('gives every household exactly one head, whose phone is the household phone', () => {
    const members = membersByHousehold(town.people);
    const wrong = town.households.filter((h) => {
      const heads = members.get(h.id)?.filter((p) => p.relation === 'head') ?? [];
      return heads.length !== 1 || heads[0]!.phone !== h.phone;
    });
    expect(wrong.map((h) => h.address)).toEqual([]);
  });

  it('keeps ages consistent with relations to the head', () => {
    const headAge = new Map(
      town.people.filter((p) => p.relation === 'head').map((p) => [p.householdId, ageOf(p)]),
    );
    const gaps: Record<string, number[]> = { child: [], grandchild: [], parent: [] };
    for (const p of town.people) gaps[p.relation]?.push(headAge.get(p.householdId)! - ageOf(p));
    expect(Math.min(...gaps.child!)).toBeGreaterThanOrEqual(18);
    expect(Math.min(...gaps.grandchild!)).toBeGreaterThanOrEqual(36);
    expect(Math.max(...gaps.parent!)).toBeLessThanOrEqual(-18);
    const sizes = [...membersByHousehold(town.people).values()].map((m) => m.length);
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBe(7);
  });

  it('gives unique, valid ID numbers matching birth date and gender, with a plausible area code', () => {
    const idNumbers = town.people.map((p) => p.idNumber!);
    expect(new Set(idNumbers).size).toBe(town.people.length);
    const bad = town.people.filter(
      ({ idNumber = '', birthDate, gender }) =>
        !isValidIdNumber(idNumber) ||
        idNumberBirthDate(idNumber) !== birthDate ||
        idNumberGender(idNumber) !== gender ||
        !/^(32|34|41|51)\d{4}/.test(idNumber),
    );
    expect(bad.map((p) => `${p.idNumber} ${p.birthDate} ${p.gender}`)).toEqual([]);
  });

  it('gives most adults and few young children a unique, valid phone', () => {
    const phones = town.people.flatMap((p) => (p.phone === undefined ? [] : [p.phone]));
    expect(new Set(phones).size).toBe(phones.length);
    expect(phones.filter((phone) => !PHONE_PATTERN.test(phone))).toEqual([]);
    const share = (people: Person[]) => people.filter((p) => p.phone !== undefined).length / people.length;
    expect(share(town.people.filter((p) => ageOf(p) >= 18 && ageOf(p) < 60))).toBeGreaterThan(0.9);
    expect(share(town.people.filter((p) => ageOf(p) < 12))).toBe(0);
  });

  it('has both urban and village households with their own address shapes', () => {
    const buildings = new Map(town.buildings.map((b) => [b.id, b]));
    const urban = town.households.filter((h) => h.buildingId !== undefined);
    const village = town.households.filter((h) => h.villageGroup !== undefined);
    expect(urban.length).toBeGreaterThan(town.households.length / 2);
    expect(village.length).toBeGreaterThan(town.households.length / 10);
    expect(urban.length + village.length).toBe(town.households.length);
    const badUrban = urban.filter((h) => {
      const b = buildings.get(h.buildingId!);
      return (
        b === undefined ||
        b.gridId !== h.gridId ||
        h.unit! > b.units ||
        h.floor! > b.floors ||
        !new RegExp(`^${h.floor}0[1-4]$`).test(h.room!) ||
        h.address !== `${b.estate}${b.name}${h.unit}单元${h.room}室`
      );
    });
    expect(badUrban.map((h) => h.address)).toEqual([]);
    const badVillage = village.filter(
      (h) => !/^\S+村\S+组\d+号$/.test(h.address) || h.buildingId !== undefined,
    );
    expect(badVillage.map((h) => h.address)).toEqual([]);
    for (const b of town.buildings) {
      expect(b.floors).toBeGreaterThanOrEqual(6);
      expect(b.floors).toBeLessThanOrEqual(33);
      expect(b.facilities.elevators > 0).toBe(b.floors >= 7);
    }
  });

  it('orders households in walking order: by grid, then building, unit, floor, room', () => {
    const seenGrids = new Set<string>();
    let previous = town.households[0]!;
    seenGrids.add(previous.gridId);
    for (const h of town.households.slice(1)) {
      if (h.gridId !== previous.gridId) {
        expect(seenGrids.has(h.gridId), 'a grid comes back after another one').toBe(false);
        seenGrids.add(h.gridId);
      } else if (h.buildingId !== undefined && h.buildingId === previous.buildingId) {
        const key = (x: typeof h) => x.unit! * 1e6 + x.floor! * 100 + Number(x.room!.slice(-2));
        expect(key(h)).toBeGreaterThan(key(previous));
      }
      previous = h;
    }
    const ids = town.households.map((h) => h.id);
    expect([...ids].sort()).toEqual(ids);
  });

  it('gives enterprises valid-looking unique credit codes and contacts', () => {
    const codes = town.enterprises.map((e) => e.creditCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of town.enterprises) {
      expect(e.creditCode).toMatch(CREDIT_CODE_PATTERN);
      expect(e.contactPhone).toMatch(PHONE_PATTERN);
    }
    expect(town.enterprises.some((e) => e.isHazardousChemicals)).toBe(true);
  });

  // Each tag is checked over the population DEMO_TAG_RATES documents for it. Tolerance: 15% of the rate
  // or 4 binomial standard deviations, whichever is wider, so any reasonable seed passes.
  describe('care tags at the documented rates', () => {
    const isVillageChild = (p: Person) => ageOf(p) < 16 && villageGridIds.has(p.gridId);
    const eligibility: Record<Exclude<CareTag, 'low-income'>, (p: Person) => boolean> = {
      'elderly-alone': (p) => ageOf(p) >= 65,
      'empty-nest': (p) => ageOf(p) >= 65,
      disabled: () => true,
      'chronic-illness': (p) => ageOf(p) >= 60,
      pregnant: (p) => p.gender === 'female' && ageOf(p) >= 20 && ageOf(p) <= 40,
      'left-behind-child': isVillageChild,
      'key-person': (p) => ageOf(p) >= 18,
      unemployed: (p) => ageOf(p) >= 18 && ageOf(p) <= 59,
    };
    const expectNear = (actual: number, rate: number, population: number) => {
      const tolerance = Math.max(0.15 * rate, 4 * Math.sqrt((rate * (1 - rate)) / population));
      expect(actual).toBeGreaterThanOrEqual(rate - tolerance);
      expect(actual).toBeLessThanOrEqual(rate + tolerance);
    };

    it.each(Object.keys(eligibility) as (keyof typeof eligibility)[])('%s', (tag) => {
      const isEligible = eligibility[tag];
      const eligible = town.people.filter(isEligible);
      const tagged = town.people.filter((p) => p.tags.includes(tag));
      expect(tagged.every(isEligible), 'tag on someone outside its population').toBe(true);
      expectNear(tagged.length / eligible.length, DEMO_TAG_RATES[tag], eligible.length);
    });

    it('low-income, per household and on every member', () => {
      let taggedHouseholds = 0;
      let partlyTagged = 0;
      for (const people of membersByHousehold(town.people).values()) {
        const taggedCount = people.filter((p) => p.tags.includes('low-income')).length;
        if (taggedCount > 0) taggedHouseholds++;
        if (taggedCount > 0 && taggedCount < people.length) partlyTagged++;
      }
      expect(partlyTagged).toBe(0);
      expectNear(
        taggedHouseholds / town.households.length,
        DEMO_TAG_RATES['low-income'],
        town.households.length,
      );
    });

    it('elderly-alone only for people who live alone, empty-nest only for elderly couples', () => {
      const members = membersByHousehold(town.people);
      const sizeOf = (p: Person) => members.get(p.householdId)!.length;
      expect(town.people.filter((p) => p.tags.includes('elderly-alone') && sizeOf(p) !== 1)).toEqual([]);
      expect(town.people.filter((p) => p.tags.includes('empty-nest') && sizeOf(p) !== 2)).toEqual([]);
    });

    it('documents a rate for every care tag', () => {
      expect(Object.keys(DEMO_TAG_RATES).sort()).toEqual([...CARE_TAG_CODES].sort());
    });
  });
});
