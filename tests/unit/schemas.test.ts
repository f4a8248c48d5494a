import { describe, expect, it } from 'vitest';
import { idNumberCheckChar, isValidIdNumber, maskIdNumber } from '../../src/shared/domain/id-number.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { householdSchema, personSchema, buildingSchema } from '../../src/shared/schemas/index.ts';

const first17 = '11010519491231002';
const validId = `${first17}${idNumberCheckChar(first17)}`;

function person(overrides: Record<string, unknown> = {}) {
  return {
    id: newId(),
    updatedAt: 1,
    isDeleted: false,
    householdId: newId(),
    gridId: newId(),
    status: 'resident',
    name: '王秀英',
    gender: 'female',
    relation: 'head',
    birthDate: '1949-12-31',
    phone: '13812345678',
    idNumber: validId,
    tags: ['elderly-alone'],
    ...overrides,
  };
}

function messagesOf(result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));
}

describe('person schema', () => {
  it('accepts a complete, consistent person', () => {
    expect(personSchema.safeParse(person()).success).toBe(true);
  });

  it('names each bad field with a Chinese message', () => {
    const result = personSchema.safeParse(
      person({
        name: ' ',
        phone: '1234',
        idNumber: '110105194912310021',
        birthDate: '1949-02-30',
        tags: ['vip'],
      }),
    );
    expect(result.success).toBe(false);
    const messages = messagesOf(result);
    expect(messages.name).toBe('姓名不能为空');
    expect(messages.phone).toMatch(/电话号码格式不对/);
    expect(messages.idNumber).toMatch(/身份证号无效/);
    expect(messages.birthDate).toMatch(/日期格式/);
    expect(messages['tags.0']).toBe('未知的关怀标签：vip');
  });

  it('refuses a birth date that disagrees with the ID number', () => {
    const messages = messagesOf(personSchema.safeParse(person({ birthDate: '1950-01-01' })));
    expect(messages.birthDate).toBe('出生日期与身份证号中的日期不一致');
  });

  it('accepts landlines and upper-cases a lower-case x check character', () => {
    expect(personSchema.safeParse(person({ phone: '0571-88886666' })).success).toBe(true);
    const xFirst17 = Array.from(
      { length: 1000 },
      (_, seq) => `11010519491231${String(seq).padStart(3, '0')}`,
    ).find((candidate) => idNumberCheckChar(candidate) === 'X');
    expect(xFirst17, 'some sequence number gives an X check char').toBeDefined();
    const parsed = personSchema.parse(person({ idNumber: `${xFirst17}x` }));
    expect(parsed.idNumber).toBe(`${xFirst17}X`);
  });
});

describe('ID numbers', () => {
  it('validates the check character and the date', () => {
    expect(isValidIdNumber(validId)).toBe(true);
    expect(isValidIdNumber(`${first17}${validId.endsWith('0') ? '1' : '0'}`)).toBe(false);
    const badDate = '11010519490230002';
    expect(isValidIdNumber(`${badDate}${idNumberCheckChar(badDate)}`)).toBe(false);
  });

  it('masks all but the last four characters', () => {
    expect(maskIdNumber(validId)).toBe(`${'*'.repeat(14)}${validId.slice(-4)}`);
  });
});

describe('household schema', () => {
  const base = { id: newId(), updatedAt: 1, isDeleted: false, gridId: newId(), address: '河口村王家组12号' };

  it('needs a building or a village group', () => {
    const messages = messagesOf(householdSchema.safeParse(base));
    expect(messages.buildingId).toBe('住户必须属于一个楼栋或一个村民小组');
    expect(householdSchema.safeParse({ ...base, villageGroup: '王家组', houseNumber: '12号' }).success).toBe(
      true,
    );
  });

  it('refuses a room number with spaces or Chinese', () => {
    const messages = messagesOf(
      householdSchema.safeParse({ ...base, buildingId: newId(), unit: 1, floor: 3, room: '三零一' }),
    );
    expect(messages.room).toBe('房号只能是数字或字母，例如 301');
  });
});

describe('building schema', () => {
  it('refuses zero floors with a clear message', () => {
    const result = buildingSchema.safeParse({
      id: newId(),
      updatedAt: 1,
      isDeleted: false,
      gridId: newId(),
      name: '3栋',
      estate: '幸福家园',
      floors: 0,
      units: 2,
      facilities: { elevators: 0, fireHydrants: 2, hasGasPipes: true, hasWaterPipes: true },
    });
    expect(messagesOf(result).floors).toBe('楼层数至少为 1');
  });
});
