import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRegisterFile } from '../../src/app/import/read-register-file.ts';
import {
  IMPORT_COLUMNS,
  importTemplateCsv,
  planRegisterImport,
  type RegisterImportContext,
  type RegisterImportPlan,
} from '../../src/shared/domain/register-import.ts';
import { buildingSchema, type Building } from '../../src/shared/schemas/building.ts';
import { gridSchema, type Grid } from '../../src/shared/schemas/grid.ts';
import { householdSchema } from '../../src/shared/schemas/household.ts';
import { personSchema } from '../../src/shared/schemas/person.ts';

const NOW = 1_750_000_000_000;
const HEADERS = IMPORT_COLUMNS.map((c) => c.header);

function fixture(name: string): File {
  const bytes = readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));
  return new File([bytes], name);
}

/** Sequential v7-shaped ids, so two plans of the same data can be compared whole. */
function sequentialIds(): () => string {
  let n = 0;
  return () => `0190a000-0000-7000-8000-${(++n).toString(16).padStart(12, '0')}`;
}

interface World {
  context: RegisterImportContext;
  grid: Grid;
  villageGrid: Grid;
  building1: Building;
  building2: Building;
}

function makeWorld(existingIdNumbers: string[] = []): World {
  const newId = sequentialIds();
  const envelope = () => ({ id: newId(), updatedAt: NOW, isDeleted: false });
  const grid = gridSchema.parse({
    ...envelope(),
    parentId: null,
    kind: 'grid',
    name: '幸福社区第一网格',
    code: 'XF-01',
  });
  const villageGrid = gridSchema.parse({
    ...envelope(),
    parentId: null,
    kind: 'village',
    name: '王家村网格',
    code: 'XF-02',
  });
  const facilities = { elevators: 2, fireHydrants: 4, hasGasPipes: true, hasWaterPipes: true };
  const building1 = buildingSchema.parse({
    ...envelope(),
    gridId: grid.id,
    name: '1栋',
    estate: '幸福家园',
    floors: 18,
    units: 2,
    facilities,
  });
  const building2 = buildingSchema.parse({
    ...envelope(),
    gridId: grid.id,
    name: '2栋',
    estate: '幸福家园',
    floors: 11,
    units: 3,
    facilities,
  });
  return {
    context: {
      grids: [grid, villageGrid],
      buildings: [building1, building2],
      existingIdNumbers: new Set(existingIdNumbers),
      now: NOW,
      newId,
    },
    grid,
    villageGrid,
    building1,
    building2,
  };
}

function row(values: Partial<Record<(typeof HEADERS)[number], unknown>>): unknown[] {
  return HEADERS.map((h) => values[h] ?? '');
}

function errorsAt(plan: RegisterImportPlan, line: number) {
  return plan.rowErrors.filter((e) => e.line === line);
}

function householdNamed(plan: RegisterImportPlan, headName: string) {
  const found = plan.households.find((h) =>
    h.people.some((p) => p.relation === 'head' && p.name === headName),
  );
  if (!found) throw new Error(`no planned household with head ${headName}`);
  return found;
}

describe('planRegisterImport with the sample file', () => {
  it('groups rows into households and builds records that pass the schemas', async () => {
    const world = makeWorld();
    const { rows, encoding } = await readRegisterFile(fixture('register-sample.csv'));
    expect(encoding).toBe('utf-8');
    const plan = planRegisterImport(rows, world.context);

    expect(plan.fileErrors).toEqual([]);
    expect(plan.rowErrors).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect(plan.households).toHaveLength(6);
    expect(plan.households.map((h) => h.lines)).toEqual([[2, 3], [4, 5, 6], [7], [8, 9], [10, 11], [12]]);
    expect(plan.totalRows).toBe(11);
    expect(plan.goodRows).toBe(11);

    for (const { household, people } of plan.households) {
      expect(householdSchema.safeParse(household).success).toBe(true);
      expect(household.updatedAt).toBe(NOW);
      expect(household.isDeleted).toBe(false);
      expect(people.filter((p) => p.relation === 'head')).toHaveLength(1);
      for (const person of people) {
        expect(personSchema.safeParse(person).success).toBe(true);
        expect(person.householdId).toBe(household.id);
        expect(person.gridId).toBe(household.gridId);
        expect(person.status).toBe('resident');
      }
    }
    const ids = plan.households.flatMap((h) => [h.household.id, ...h.people.map((p) => p.id)]);
    expect(new Set(ids).size).toBe(ids.length);

    const zhang = householdNamed(plan, '张建国');
    expect(zhang.household).toMatchObject({
      gridId: world.grid.id,
      buildingId: world.building1.id,
      unit: 1,
      floor: 3,
      room: '301',
      address: '幸福家园1栋1单元301室',
      phone: '13812345678',
    });
    const li = zhang.people.find((p) => p.name === '李秀英');
    expect(li).toMatchObject({
      relation: 'spouse',
      gender: 'female',
      birthDate: '1960-07-01',
      tags: ['empty-nest', 'chronic-illness'],
      notes: '高血压，每月复查',
    });
    expect(li?.phone).toBeUndefined();

    const liu = householdNamed(plan, '刘桂兰');
    expect(liu.household.buildingId).toBe(world.building2.id);
    expect(liu.household.phone).toBe('0571-88886666');
    expect(liu.people[0]?.tags).toEqual(['elderly-alone', 'disabled']);

    const wang = householdNamed(plan, '王大山');
    expect(wang.household).toMatchObject({
      gridId: world.villageGrid.id,
      villageGroup: '王家组',
      houseNumber: '12号',
      address: '王家组12号',
    });
    expect(wang.household.buildingId).toBeUndefined();
    expect(wang.people.map((p) => [p.name, p.relation, p.tags])).toEqual([
      ['王大山', 'head', []],
      ['王小花', 'grandchild', ['left-behind-child']],
    ]);

    expect(householdNamed(plan, '周敏').household.address).toBe('幸福家园2栋3单元602室（东侧）');
    const child = householdNamed(plan, '王芳').people.find((p) => p.name === '陈小宇');
    expect(child).toMatchObject({ relation: 'child', birthDate: '2015-06-01' });
    expect(child?.idNumber).toBeUndefined();
  });

  it('reads the .xlsx twin to the same plan as the CSV', async () => {
    const xlsx = await readRegisterFile(fixture('register-sample.xlsx'));
    const csv = await readRegisterFile(fixture('register-sample.csv'));
    // The two files really differ in cell types: the workbook has Date and number cells.
    expect(xlsx.rows[1]?.[13]).toBeInstanceOf(Date);
    expect(typeof xlsx.rows[1]?.[15]).toBe('number');
    expect(csv.rows[1]?.[13]).toBe('1958-03-12');

    const fromXlsx = planRegisterImport(xlsx.rows, makeWorld().context);
    const fromCsv = planRegisterImport(csv.rows, makeWorld().context);
    expect(fromXlsx.households).toHaveLength(6);
    expect(fromXlsx).toEqual(fromCsv);
  });

  it('decodes a GBK (GB18030) CSV as saved by Excel on Chinese Windows', async () => {
    const bytes = readFileSync(new URL('../fixtures/import/register-sample-gbk.csv', import.meta.url));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();

    const gbk = await readRegisterFile(fixture('register-sample-gbk.csv'));
    const utf8 = await readRegisterFile(fixture('register-sample.csv'));
    expect(gbk.encoding).toBe('gb18030');
    expect(gbk.rows).toEqual(utf8.rows);
    expect(planRegisterImport(gbk.rows, makeWorld().context).households).toHaveLength(6);
  });

  it('decodes a known GBK byte sequence', async () => {
    // "姓名" header cell and "户主" = BB A7 D6 F7 in GBK.
    const header = new TextEncoder().encode('a,b\r\nx,');
    const huzhu = new Uint8Array([0xbb, 0xa7, 0xd6, 0xf7]);
    const file = new File([header, huzhu, new Uint8Array([0x0d, 0x0a])], '户籍.CSV');
    const { rows, encoding } = await readRegisterFile(file);
    expect(encoding).toBe('gb18030');
    expect(rows).toEqual([
      ['a', 'b'],
      ['x', '户主'],
    ]);
  });
});

describe('planRegisterImport with a bad file', () => {
  const existing = '33010619800808041X';

  async function badPlan() {
    const { rows } = await readRegisterFile(fixture('register-bad.csv'));
    return planRegisterImport(rows, makeWorld([existing]).context);
  }

  it('keeps only whole good households and counts rows', async () => {
    const plan = await badPlan();
    expect(plan.fileErrors).toEqual([]);
    expect(plan.households.map((h) => h.lines)).toEqual([[2], [18]]);
    expect(plan.households.map((h) => h.people[0]?.name)).toEqual(['张三', '蒋八']);
    // 20 lines after the header, one of them blank.
    expect(plan.totalRows).toBe(19);
    expect(plan.goodRows).toBe(2);
    expect(plan.warnings.join('')).toContain('民族');

    const badLines = new Set(plan.rowErrors.map((e) => e.line));
    for (let line = 2; line <= 21; line++) {
      expect(badLines.has(line), `line ${line}`).toBe(![2, 18, 19].includes(line));
    }
    const plannedLines = plan.households.flatMap((h) => h.lines);
    expect(plannedLines.some((line) => badLines.has(line))).toBe(false);
    expect(plan.rowErrors.map((e) => e.line)).toEqual(
      [...plan.rowErrors.map((e) => e.line)].sort((a, b) => a - b),
    );
  });

  it('reports each bad row with its line, column and reason', async () => {
    const plan = await badPlan();
    const expectError = (line: number, column: string | undefined, text: string) => {
      const found = errorsAt(plan, line).some((e) => e.column === column && e.message.includes(text));
      expect(found, `line ${line} ${column ?? ''}: ${text} in ${JSON.stringify(errorsAt(plan, line))}`).toBe(
        true,
      );
    };
    expectError(3, '联系电话', '电话号码格式不对');
    expectError(4, undefined, '第 3 行有错误');
    expectError(5, '身份证号', '身份证号无效');
    expectError(6, '出生日期', '出生日期与身份证号中的日期不一致');
    expectError(7, '身份证号', '与第 8 行重复');
    expectError(8, '身份证号', '与第 7 行重复');
    expectError(9, '身份证号', '已在台账中');
    expectError(10, '网格编码', 'XF-99');
    expectError(11, '楼栋', '9栋');
    expectError(12, '与户主关系', '没有户主');
    expectError(14, '与户主关系', '两位户主');
    expectError(13, undefined, '第 14 行有错误');
    expectError(16, '房号', '第 15 行');
    expectError(15, undefined, '第 16 行有错误');
    expectError(17, '性别', '性别只能是男或女');
    expectError(17, '关怀标签', '未知的关怀标签：孤寡');
    expectError(20, '户编号', '户编号不能为空');
    expectError(21, '姓名', '姓名不能为空');
    // A row is not blamed for what is wrong elsewhere.
    expect(errorsAt(plan, 10).map((e) => e.column)).toEqual(['网格编码']);
    expect(errorsAt(plan, 11).map((e) => e.column)).toEqual(['楼栋']);
  });

  it('imports a household whose ID number is not yet on the register', async () => {
    const { rows } = await readRegisterFile(fixture('register-bad.csv'));
    const plan = planRegisterImport(rows, makeWorld().context);
    expect(errorsAt(plan, 9)).toEqual([]);
    expect(plan.households.map((h) => h.lines)).toEqual([[2], [9], [18]]);
    expect(plan.households[1]?.people[0]?.idNumber).toBe(existing);
  });
});

describe('planRegisterImport file checks', () => {
  it('names the missing columns and lists the expected headers', () => {
    const header = ['户编号', '网格', '小区', '楼栋', '房号', '姓名', '性别', '与户主关系', '生日期'];
    const plan = planRegisterImport(
      [header, ['H1', 'XF-01', '幸福家园', '1栋', '101', '张三', '男', '户主', '1960-01-01']],
      makeWorld().context,
    );
    expect(plan.fileErrors).toHaveLength(1);
    expect(plan.fileErrors[0]).toContain('缺少必填列：网格编码、出生日期');
    expect(plan.fileErrors[0]).toContain(HEADERS.join('、'));
    expect(plan.warnings[0]).toContain('“网格”');
    expect(plan.households).toEqual([]);
    expect(plan.rowErrors).toEqual([]);
  });

  it('tolerates spaces, a BOM and required-marks around headers, and ignores column order', () => {
    const header = HEADERS.map((h, i) => (i === 0 ? `\uFEFF ${h} ` : h === '姓名' ? '*姓名' : h));
    const reversed = (cells: unknown[]) => [...cells].reverse();
    const values = row({
      户编号: 'H1',
      网格编码: ' xf-01 ',
      楼栋: '1栋',
      单元: '2',
      房号: '1203',
      姓名: '张三',
      与户主关系: '本人',
      身份证号: '="330106195803120130"',
    });
    const plan = planRegisterImport([reversed(header), reversed(values)], makeWorld().context);
    expect(plan.fileErrors).toEqual([]);
    expect(plan.rowErrors).toEqual([]);
    // Gender and birth date come from the ID number (exported Excel-style as ="...") when left empty.
    expect(plan.households[0]?.people[0]).toMatchObject({
      name: '张三',
      relation: 'head',
      gender: 'male',
      birthDate: '1958-03-12',
    });
    expect(plan.households[0]?.household.address).toBe('幸福家园1栋2单元1203室');
  });

  it('reports an empty file and a file with only a header', () => {
    expect(planRegisterImport([], makeWorld().context).fileErrors[0]).toContain('文件是空的');
    expect(planRegisterImport([['', ' ']], makeWorld().context).fileErrors[0]).toContain('文件是空的');
    const onlyHeader = planRegisterImport([HEADERS, ['', '']], makeWorld().context);
    expect(onlyHeader.fileErrors[0]).toContain('没有数据行');
  });

  it('says a garbled header is an encoding problem', () => {
    // What UTF-8 headers look like when read as Latin-1 / Windows-1252.
    const garbled = HEADERS.map((h) => new TextDecoder('latin1').decode(new TextEncoder().encode(h)));
    expect(garbled[0]).not.toBe('户编号');
    const plan = planRegisterImport([garbled, row({ 户编号: 'H1' })], makeWorld().context);
    expect(plan.fileErrors).toHaveLength(1);
    expect(plan.fileErrors[0]).toMatch(/乱码.*UTF-8.*GBK/);
    expect(plan.households).toEqual([]);

    const replaced = planRegisterImport([['\uFFFD\uFFFD编号', ...HEADERS.slice(1)]], makeWorld().context);
    expect(replaced.fileErrors[0]).toContain('乱码');
  });

  it('rejects a repeated column', () => {
    const plan = planRegisterImport([[...HEADERS, '姓名'], row({})], makeWorld().context);
    expect(plan.fileErrors[0]).toContain('“姓名”出现了两次');
  });
});

describe('planRegisterImport cell values', () => {
  const base = {
    户编号: 'H1',
    网格编码: 'XF-01',
    楼栋: '1栋',
    房号: '101',
    姓名: '张建国',
    性别: '男',
    与户主关系: '户主',
  };

  it('accepts Excel dates as Date objects, serial numbers and YYYY/M/D', () => {
    const plan = planRegisterImport(
      [
        HEADERS,
        row({ ...base, 出生日期: new Date(Date.UTC(1958, 2, 12)) }),
        row({ ...base, 户编号: 'H2', 房号: '102', 出生日期: 21256 }),
        row({ ...base, 户编号: 'H3', 房号: '103', 出生日期: '1958/3/12' }),
        row({ ...base, 户编号: 'H4', 房号: '104', 出生日期: '1958年3月12日' }),
      ],
      makeWorld().context,
    );
    expect(plan.rowErrors).toEqual([]);
    expect(plan.households.map((h) => h.people[0]?.birthDate)).toEqual([
      '1958-03-12',
      '1958-03-12',
      '1958-03-12',
      '1958-03-12',
    ]);
  });

  it('explains an ID number that Excel turned into a number', () => {
    const plan = planRegisterImport(
      [
        HEADERS,
        row({ ...base, 出生日期: '1958-03-12', 身份证号: 330106195803120130 }),
        row({ ...base, 户编号: 'H2', 房号: '102', 出生日期: '1958-03-12', 身份证号: '3.30106E+17' }),
      ],
      makeWorld().context,
    );
    expect(errorsAt(plan, 2)[0]).toMatchObject({
      column: '身份证号',
      message: expect.stringContaining('文本'),
    });
    expect(errorsAt(plan, 3)[0]).toMatchObject({
      column: '身份证号',
      message: expect.stringContaining('文本'),
    });
    expect(plan.households).toEqual([]);
  });

  it('checks the room against the building and gender against the ID number', () => {
    const plan = planRegisterImport(
      [
        HEADERS,
        row({ ...base, 单元: '5', 出生日期: '1958-03-12' }),
        row({ ...base, 户编号: 'H2', 房号: '3-01#', 出生日期: '1958-03-12' }),
        row({ ...base, 户编号: 'H3', 房号: '103', 性别: '女', 身份证号: '330106195803120130' }),
      ],
      makeWorld().context,
    );
    expect(errorsAt(plan, 2)[0]).toMatchObject({
      column: '单元',
      message: expect.stringContaining('单元数'),
    });
    expect(errorsAt(plan, 3)[0]).toMatchObject({
      column: '房号',
      message: expect.stringContaining('房号只能是'),
    });
    expect(errorsAt(plan, 4)[0]).toMatchObject({
      column: '性别',
      message: expect.stringContaining('身份证号'),
    });
    expect(plan.households).toEqual([]);
  });

  it('uses the zh-CN messages for schema rules without their own message', () => {
    const plan = planRegisterImport(
      [
        HEADERS,
        row({ ...base, 单元: '0', 出生日期: '1958-03-12' }),
        row({ ...base, 户编号: 'H2', 楼层: '130', 出生日期: '1958-03-12' }),
      ],
      makeWorld().context,
    );
    // householdSchema's unit has no message of its own: zod's zh-CN locale words it.
    expect(errorsAt(plan, 2)).toHaveLength(1);
    expect(errorsAt(plan, 2)[0]?.column).toBe('单元');
    expect(errorsAt(plan, 2)[0]?.message).toMatch(/[\u4e00-\u9fff]/);
    expect(errorsAt(plan, 2)[0]?.message).not.toMatch(/too small|expected/i);
    // One reason per cell: the building's floor count, not the schema's range on top.
    expect(errorsAt(plan, 3).map((e) => e.message)).toEqual(['楼层 130 超出该楼栋的层数（18 层）']);
  });
});

describe('importTemplateCsv', () => {
  it('is the documented header plus two example rows that import cleanly', async () => {
    const template = importTemplateCsv();
    expect(template.startsWith('\uFEFF')).toBe(true);
    const { rows } = await readRegisterFile(new File([template], '导入模板.csv'));
    expect(rows[0]).toEqual(HEADERS);
    expect(rows).toHaveLength(3);
    const plan = planRegisterImport(rows, makeWorld().context);
    expect(plan.fileErrors).toEqual([]);
    expect(plan.rowErrors).toEqual([]);
    expect(plan.households.map((h) => h.household.address)).toEqual(['幸福家园1栋1单元301室', '王家组12号']);
  });
});

describe('readRegisterFile', () => {
  it('rejects other file types with the accepted ones named', async () => {
    await expect(readRegisterFile(new File(['x'], 'register.txt'))).rejects.toThrow(/\.xlsx.*\.csv/);
    await expect(readRegisterFile(new File(['x'], 'register.xls'))).rejects.toThrow(/另存为 \.xlsx/);
  });

  it('turns a broken workbook into a Chinese error', async () => {
    await expect(readRegisterFile(new File(['not a zip'], 'register.xlsx'))).rejects.toThrow(
      /无法读取这个 Excel 文件/,
    );
  });
});
