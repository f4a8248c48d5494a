/**
 * Importing the household register (人房信息台账) from a spreadsheet: one row per person, rows sharing a
 * 户编号 form one household. Pure and isomorphic: the caller reads the file into rows of cell values
 * (src/app/import/read-register-file.ts) and writes the planned records; this module only decides.
 *
 * Nothing is half-imported: a household with any bad row is left out whole, so the plan's households are
 * exactly what "import the good rows" writes after the user has seen the report.
 */
// The one locale, not the zod/locales index: Vite's dev server would fetch every locale file.
import zhCN from 'zod/v4/locales/zh-CN.js';
import type { Building } from '../schemas/building.ts';
import { CARE_TAGS, CARE_TAG_CODES, careTagByLabel } from '../schemas/care-tags.ts';
import type { Grid } from '../schemas/grid.ts';
import { householdSchema, type Household } from '../schemas/household.ts';
import {
  GENDERS,
  RELATIONS,
  newPersonSchema,
  personSchema,
  type NewPerson,
  type Person,
  type Relation,
} from '../schemas/person.ts';
import { idNumberBirthDate, idNumberGender, isValidIdNumber } from './id-number.ts';

export interface ImportColumn {
  key: string;
  /** The header users type, exactly as the template prints it. */
  header: string;
  /** The column must be in the header row (a cell may still be empty where the description allows it). */
  required: boolean;
  description: string;
  example: string;
  /** Other headers seen in offices' own sheets that mean the same column. */
  aliases: readonly string[];
}

const RELATION_LABELS = Object.values(RELATIONS)
  .map((r) => r.zh)
  .join('、');
const TAG_LABELS = CARE_TAG_CODES.map((code) => CARE_TAGS[code].zh).join('、');

export const IMPORT_COLUMNS = [
  {
    key: 'householdKey',
    header: '户编号',
    required: true,
    description: '本文件内自定的户编号，同一户的每一行填相同的编号',
    example: 'H001',
    aliases: [],
  },
  {
    key: 'gridCode',
    header: '网格编码',
    required: true,
    description: '住户所在网格的编码，与系统中的网格编码一致',
    example: 'XF-01',
    aliases: ['网格编号'],
  },
  {
    key: 'estate',
    header: '小区',
    required: false,
    description: '楼房住户：楼栋所在的小区；同一网格有同名楼栋时必填',
    example: '幸福家园',
    aliases: ['小区名称', '小区院落'],
  },
  {
    key: 'building',
    header: '楼栋',
    required: false,
    description: '楼房住户：系统中已有的楼栋名称（与村民小组二选一）',
    example: '1栋',
    aliases: ['楼栋名称', '楼号'],
  },
  {
    key: 'unit',
    header: '单元',
    required: false,
    description: '楼房住户：单元号，数字',
    example: '1',
    aliases: ['单元号'],
  },
  {
    key: 'floor',
    header: '楼层',
    required: false,
    description: '楼房住户：楼层，数字，地下层为负数',
    example: '3',
    aliases: ['层'],
  },
  {
    key: 'room',
    header: '房号',
    required: false,
    description: '楼房住户：房号（必填），数字或字母',
    example: '301',
    aliases: ['房间号', '门牌'],
  },
  {
    key: 'villageGroup',
    header: '村民小组',
    required: false,
    description: '村里住户：村民小组（与楼栋二选一）',
    example: '王家组',
    aliases: ['村组', '组'],
  },
  {
    key: 'houseNumber',
    header: '门牌号',
    required: false,
    description: '村里住户：门牌号',
    example: '12号',
    aliases: [],
  },
  {
    key: 'address',
    header: '地址',
    required: false,
    description: '可空：按小区、楼栋、单元、房号或村民小组、门牌号自动生成',
    example: '',
    aliases: ['住址', '详细地址'],
  },
  {
    key: 'name',
    header: '姓名',
    required: true,
    description: '此人的姓名',
    example: '张建国',
    aliases: [],
  },
  {
    key: 'gender',
    header: '性别',
    required: true,
    description: '男 或 女；填了身份证号时可空',
    example: '男',
    aliases: [],
  },
  {
    key: 'relation',
    header: '与户主关系',
    required: true,
    description: `每户有且只有一位户主；可填：${RELATION_LABELS}`,
    example: '户主',
    aliases: ['关系', '与户主的关系'],
  },
  {
    key: 'birthDate',
    header: '出生日期',
    required: true,
    description: 'YYYY-MM-DD，也可写 YYYY/M/D 或用 Excel 日期格式；填了身份证号时可空',
    example: '1958-03-12',
    aliases: ['出生年月日', '生日'],
  },
  {
    key: 'idNumber',
    header: '身份证号',
    required: false,
    description: '18 位居民身份证号，校验位须正确；在 Excel 中请把此列设为“文本”格式',
    example: '330106195803120130',
    aliases: ['身份证', '身份证号码', '公民身份号码'],
  },
  {
    key: 'phone',
    header: '联系电话',
    required: false,
    description: '手机号 11 位，或座机 区号-号码；户主的电话作为本户电话',
    example: '13812345678',
    aliases: ['电话', '手机', '手机号', '手机号码'],
  },
  {
    key: 'tags',
    header: '关怀标签',
    required: false,
    description: `可填多个，用 、 ， , ; 或空格分隔；可填：${TAG_LABELS}`,
    example: '空巢老人',
    aliases: ['重点人群', '人员标签'],
  },
  {
    key: 'notes',
    header: '备注',
    required: false,
    description: '关于此人的备注',
    example: '',
    aliases: [],
  },
] as const satisfies ReadonlyArray<ImportColumn>;

export type ImportColumnKey = (typeof IMPORT_COLUMNS)[number]['key'];

export interface RegisterImportContext {
  grids: Grid[];
  buildings: Building[];
  /** ID numbers already on the register (upper case), so a re-import cannot create the same person twice. */
  existingIdNumbers: ReadonlySet<string>;
  now: number;
  newId: () => string;
}

export interface RegisterImportRowError {
  /** 1-based spreadsheet line; the header is line 1. */
  line: number;
  /** The Chinese header of the offending column, when one column is to blame. */
  column?: string;
  message: string;
}

export interface PlannedHousehold {
  household: Household;
  people: Person[];
  lines: number[];
}

export interface RegisterImportPlan {
  /** Problems with the file as a whole: nothing can be imported while there is one. */
  fileErrors: string[];
  /** Worth telling the user, but they do not stop the import (ignored columns, shared addresses). */
  warnings: string[];
  rowErrors: RegisterImportRowError[];
  /** Only whole, valid households: what "import the good rows" writes. */
  households: PlannedHousehold[];
  /** Data rows, not counting the header and blank lines. */
  totalRows: number;
  goodRows: number;
}

const HEADER_OF = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c.key, c.header])) as Record<
  ImportColumnKey,
  string
>;

/** Per-parse Chinese messages for the few schema rules that carry no message of their own. */
const zhErrorMap = zhCN().localeError;

/** Stands in for a grid or building that could not be found, so the schema still checks the other fields. */
const UNRESOLVED_ID = '00000000-0000-7000-8000-000000000000';

// Offices' registers use these words as often as the app's own labels.
const RELATION_ALIASES: ReadonlyMap<string, Relation> = new Map([
  ...Object.entries(RELATIONS).map(([code, r]) => [r.zh, code as Relation] as const),
  ['本人', 'head'],
  ['妻', 'spouse'],
  ['妻子', 'spouse'],
  ['夫', 'spouse'],
  ['丈夫', 'spouse'],
  ['子', 'child'],
  ['女', 'child'],
  ['儿子', 'child'],
  ['女儿', 'child'],
  ['长子', 'child'],
  ['长女', 'child'],
  ['次子', 'child'],
  ['次女', 'child'],
  ['父亲', 'parent'],
  ['母亲', 'parent'],
  ['孙子', 'grandchild'],
  ['孙女', 'grandchild'],
  ['外孙', 'grandchild'],
  ['外孙女', 'grandchild'],
  ['兄弟', 'sibling'],
  ['姐妹', 'sibling'],
]);

const GENDER_BY_LABEL: ReadonlyMap<string, 'male' | 'female'> = new Map([
  [GENDERS.male.zh, 'male'],
  [GENDERS.female.zh, 'female'],
  ['男性', 'male'],
  ['女性', 'female'],
]);

/** The schema's enum messages say what is wrong; the import adds what would be right. */
const ENUM_HINTS: Partial<Record<ImportColumnKey, string>> = {
  relation: `（可填：${RELATION_LABELS}）`,
  tags: `（可填：${TAG_LABELS}）`,
};

const TAG_SEPARATORS = /[、，,;；\s]+/;

/**
 * Latin letters with accents (UTF-8 read as Latin-1/Windows-1252, e.g. "æˆ·ç¼–å·"), the replacement
 * character, and "锟斤拷" (replacement characters that went through GBK) never occur in a Chinese header.
 */
const MOJIBAKE = /[\u00C0-\u00FF\uFFFD]|锟斤拷/;

function normalizeHeader(cell: unknown): string {
  // A leading * is how many templates mark a required column.
  return typeof cell === 'string' ? cell.replace(/[\s\uFEFF*＊]/g, '') : cell == null ? '' : String(cell);
}

const COLUMN_BY_HEADER: ReadonlyMap<string, ImportColumnKey> = new Map(
  IMPORT_COLUMNS.flatMap((c) => [c.header, ...c.aliases].map((h) => [h, c.key] as const)),
);

function isBlank(cell: unknown): boolean {
  return cell == null || (typeof cell === 'string' && cell.replace(/\uFEFF/g, '').trim() === '');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

const DAY_MS = 86_400_000;
/** Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is accounted for. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

function utcDate(ms: number): string | undefined {
  // Sheets store dates as day fractions, so a midnight can come back a few ms early.
  const d = new Date(Math.round(ms / DAY_MS) * DAY_MS);
  if (Number.isNaN(d.getTime())) return undefined;
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Best effort to YYYY-MM-DD; anything else goes to the schema unchanged so its message explains. */
function toCalendarDate(cell: unknown): string {
  if (cell instanceof Date) return utcDate(cell.getTime()) ?? '';
  if (typeof cell === 'number') {
    return cell > 0 && cell < 2_958_466 ? (utcDate(EXCEL_EPOCH_MS + cell * DAY_MS) ?? '') : String(cell);
  }
  const text = cellText(cell);
  const parts =
    /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text) ??
    /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!parts) return text;
  return `${parts[1]}-${pad2(Number(parts[2]))}-${pad2(Number(parts[3]))}`;
}

function cellText(cell: unknown): string {
  if (cell == null) return '';
  if (typeof cell === 'string') {
    const text = cell.replace(/\uFEFF/g, '').trim();
    // ="0571..." is how some systems export CSV so that Excel keeps long numbers and leading zeros.
    return /^="(.*)"$/.exec(text)?.[1]?.trim() ?? text;
  }
  if (cell instanceof Date) return utcDate(cell.getTime()) ?? '';
  return String(cell).trim();
}

type HouseField =
  'gridCode' | 'estate' | 'building' | 'unit' | 'floor' | 'room' | 'villageGroup' | 'houseNumber' | 'address';
const HOUSE_FIELDS: readonly HouseField[] = [
  'gridCode',
  'estate',
  'building',
  'unit',
  'floor',
  'room',
  'villageGroup',
  'houseNumber',
  'address',
];

interface ParsedRow {
  line: number;
  key: string;
  house: Partial<Record<HouseField, string>>;
  /** Candidate person fields, before the schema has checked them. */
  person: {
    name: string;
    gender: string;
    relation: string;
    birthDate: string;
    idNumber: string | undefined;
    phone: string | undefined;
    tags: string[];
    notes: string | undefined;
  };
  errors: RegisterImportRowError[];
}

interface HeaderResult {
  columns: Map<ImportColumnKey, number>;
  fileErrors: string[];
  warnings: string[];
}

function readHeader(header: ReadonlyArray<unknown>): HeaderResult {
  const columns = new Map<ImportColumnKey, number>();
  const fileErrors: string[] = [];
  const warnings: string[] = [];
  const expected = IMPORT_COLUMNS.map((c) => c.header).join('、');

  const garbled = header.map(normalizeHeader).find((h) => MOJIBAKE.test(h));
  if (garbled !== undefined) {
    fileErrors.push(
      `表头是乱码（如“${garbled}”），文件的文字编码不对：请在 Excel 或 WPS 中把文件另存为“CSV UTF-8”或 GBK 编码的 CSV，或直接保存为 .xlsx，再重新导入。`,
    );
    return { columns, fileErrors, warnings };
  }

  const unknown: string[] = [];
  header.forEach((cell, index) => {
    const text = normalizeHeader(cell);
    if (text === '') return;
    const key = COLUMN_BY_HEADER.get(text);
    if (key === undefined) {
      unknown.push(`“${text}”（第 ${index + 1} 列）`);
      return;
    }
    const previous = columns.get(key);
    if (previous !== undefined) {
      fileErrors.push(
        `表头中“${HEADER_OF[key]}”出现了两次（第 ${previous + 1} 列和第 ${index + 1} 列），请删去一列。`,
      );
      return;
    }
    columns.set(key, index);
  });

  if (columns.size === 0) {
    fileErrors.push(
      `第 1 行没有认出任何列名。第 1 行应为表头：${expected}。如果表头显示为乱码，请把文件另存为“CSV UTF-8”或 GBK 编码的 CSV。`,
    );
    return { columns, fileErrors, warnings };
  }
  const missing = IMPORT_COLUMNS.filter((c) => c.required && !columns.has(c.key)).map((c) => c.header);
  if (missing.length > 0) {
    fileErrors.push(`缺少必填列：${missing.join('、')}。表头应为：${expected}（请下载导入模板对照）。`);
  }
  if (!columns.has('building') && !columns.has('villageGroup')) {
    fileErrors.push('缺少住址列：楼房住户需要“楼栋”和“房号”列，村里住户需要“村民小组”列。');
  } else if (columns.has('building') && !columns.has('room')) {
    fileErrors.push('有“楼栋”列时还需要“房号”列。');
  }
  if (unknown.length > 0) warnings.push(`以下列无法识别，已忽略：${unknown.join('、')}。`);
  return { columns, fileErrors, warnings };
}

function parseRow(
  cells: ReadonlyArray<unknown>,
  line: number,
  columns: Map<ImportColumnKey, number>,
): ParsedRow {
  const errors: RegisterImportRowError[] = [];
  const raw = (key: ImportColumnKey): unknown => {
    const index = columns.get(key);
    return index === undefined ? undefined : cells[index];
  };
  const text = (key: ImportColumnKey): string => cellText(raw(key));
  const fail = (key: ImportColumnKey, message: string) =>
    errors.push({ line, column: HEADER_OF[key], message });

  for (const key of columns.keys()) {
    if (text(key).includes('\uFFFD')) fail(key, '含有乱码字符（�），请检查文件编码后重新导入');
  }

  const house: Partial<Record<HouseField, string>> = {};
  for (const field of HOUSE_FIELDS) {
    const value = field === 'gridCode' ? text(field).toUpperCase() : text(field);
    if (value !== '') house[field] = value;
  }
  for (const field of ['unit', 'floor'] as const) {
    const value = house[field];
    if (value === undefined) continue;
    const match = /^(-?\d+)\s*(单元|层|楼)?$/.exec(value);
    if (match) house[field] = String(Number(match[1]));
    else {
      fail(field, `${HEADER_OF[field]}应为数字，例如 ${field === 'unit' ? '1' : '3'}`);
      delete house[field];
    }
  }

  const idCell = raw('idNumber');
  let idNumber: string | undefined = cellText(idCell).replace(/\s/g, '').toUpperCase() || undefined;
  // 18 digits do not fit in a double: Excel keeps 15 and shows "3.30106E+17".
  if ((typeof idCell === 'number' && !Number.isSafeInteger(idCell)) || /E\+/i.test(idNumber ?? '')) {
    fail('idNumber', '身份证号被 Excel 存成了数字，后几位已丢失；请把此列设为“文本”格式后重新填写');
    idNumber = undefined;
  }
  const validId = idNumber !== undefined && isValidIdNumber(idNumber) ? idNumber : undefined;

  const genderText = text('gender');
  let gender: string = GENDER_BY_LABEL.get(genderText) ?? genderText;
  if (genderText === '' && validId) gender = idNumberGender(validId);
  else if (validId && (gender === 'male' || gender === 'female') && gender !== idNumberGender(validId)) {
    fail('gender', `性别与身份证号不一致（身份证号表示${GENDERS[idNumberGender(validId)].zh}）`);
  }

  let birthDate = toCalendarDate(raw('birthDate'));
  if (birthDate === '') {
    if (validId) birthDate = idNumberBirthDate(validId);
    else fail('birthDate', '出生日期不能为空（填了身份证号时可空）');
  }

  const relationText = text('relation');
  const phone = text('phone').replace(/\s/g, '');
  const notes = text('notes');

  return {
    line,
    key: text('householdKey'),
    house,
    person: {
      name: text('name'),
      gender,
      relation: RELATION_ALIASES.get(relationText) ?? relationText,
      birthDate,
      idNumber,
      phone: phone === '' ? undefined : phone,
      tags: [
        ...new Set(
          text('tags')
            .split(TAG_SEPARATORS)
            .filter((t) => t !== '')
            .map((label) => careTagByLabel.get(label) ?? label),
        ),
      ],
      notes: notes === '' ? undefined : notes,
    },
    errors,
  };
}

const HOUSEHOLD_COLUMN: Partial<Record<string, HouseField>> = {
  gridId: 'gridCode',
  buildingId: 'building',
  unit: 'unit',
  floor: 'floor',
  room: 'room',
  villageGroup: 'villageGroup',
  houseNumber: 'houseNumber',
  address: 'address',
};
const PERSON_COLUMN: Partial<Record<string, ImportColumnKey>> = {
  name: 'name',
  gender: 'gender',
  relation: 'relation',
  birthDate: 'birthDate',
  phone: 'phone',
  idNumber: 'idNumber',
  tags: 'tags',
  notes: 'notes',
};

interface ZodIssueLike {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  code: string;
}

function issueToError(
  issue: ZodIssueLike,
  line: number,
  columnOf: Partial<Record<string, ImportColumnKey>>,
): RegisterImportRowError {
  const key = columnOf[String(issue.path[0])];
  if (key === undefined) return { line, message: issue.message };
  const hint = issue.code === 'invalid_value' ? (ENUM_HINTS[key] ?? '') : '';
  return { line, column: HEADER_OF[key], message: `${issue.message}${hint}` };
}

function composeAddress(house: Partial<Record<HouseField, string>>, building: Building | undefined): string {
  if (house.building !== undefined) {
    // An unknown building is reported on its own; the address then falls back to what the row says.
    const estate = building?.estate ?? house.estate ?? '';
    const unit = house.unit === undefined ? '' : `${house.unit}单元`;
    const room = house.room === undefined ? '' : /^\d+$/.test(house.room) ? `${house.room}室` : house.room;
    return `${estate}${building?.name ?? house.building}${unit}${room}`;
  }
  const number = house.houseNumber ?? '';
  return `${house.villageGroup ?? ''}${/^\d+$/.test(number) ? `${number}号` : number}`;
}

const sameName = (a: string, b: string) => a.replace(/\s/g, '') === b.replace(/\s/g, '');

export function planRegisterImport(
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  context: RegisterImportContext,
): RegisterImportPlan {
  const plan: RegisterImportPlan = {
    fileErrors: [],
    warnings: [],
    rowErrors: [],
    households: [],
    totalRows: 0,
    goodRows: 0,
  };
  const header = rows[0];
  if (header === undefined || header.every(isBlank)) {
    plan.fileErrors.push('文件是空的：第 1 行应为表头（列名），从第 2 行起每行一人。');
    return plan;
  }
  const { columns, fileErrors, warnings } = readHeader(header);
  plan.fileErrors.push(...fileErrors);
  plan.warnings.push(...warnings);
  if (plan.fileErrors.length > 0) return plan;

  const parsed: ParsedRow[] = [];
  rows.forEach((cells, index) => {
    if (index > 0 && !cells.every(isBlank)) parsed.push(parseRow(cells, index + 1, columns));
  });
  plan.totalRows = parsed.length;
  if (parsed.length === 0) {
    plan.fileErrors.push('文件中只有表头，没有数据行：从第 2 行起每行填一个人。');
    return plan;
  }

  const groups = new Map<string, ParsedRow[]>();
  for (const row of parsed) {
    if (row.key === '') {
      row.errors.push({ line: row.line, column: HEADER_OF.householdKey, message: '户编号不能为空' });
      continue;
    }
    const group = groups.get(row.key);
    if (group) group.push(row);
    else groups.set(row.key, [row]);
  }

  checkIdNumbers(parsed, context.existingIdNumbers);

  const gridByCode = new Map(
    context.grids.filter((g) => !g.isDeleted).map((g) => [g.code.trim().toUpperCase(), g] as const),
  );
  const liveBuildings = context.buildings.filter((b) => !b.isDeleted);
  const candidates: Array<{ key: string; rows: ParsedRow[]; household: Household; address: string }> = [];

  for (const [key, group] of groups) {
    const first = group[0]!;
    const house: Partial<Record<HouseField, string>> = {};
    const sourceLine: Partial<Record<HouseField, number>> = {};
    for (const row of group) {
      for (const field of HOUSE_FIELDS) {
        const value = row.house[field];
        if (value === undefined) continue;
        const known = house[field];
        if (known === undefined) {
          house[field] = value;
          sourceLine[field] = row.line;
        } else if (known !== value) {
          row.errors.push({
            line: row.line,
            column: HEADER_OF[field],
            message: `与同户第 ${sourceLine[field]} 行的${HEADER_OF[field]}“${known}”不一致（同一户编号的各行住址须相同）`,
          });
        }
      }
    }
    const explained = new Set<HouseField>();
    const houseError = (field: HouseField, message: string) => {
      explained.add(field);
      const line = sourceLine[field] ?? first.line;
      const row = group.find((r) => r.line === line) ?? first;
      row.errors.push({ line, column: HEADER_OF[field], message });
    };

    let grid: Grid | undefined;
    if (house.gridCode === undefined) houseError('gridCode', `户编号 ${key} 没有填写网格编码`);
    else {
      grid = gridByCode.get(house.gridCode);
      if (!grid) houseError('gridCode', `网格编码“${house.gridCode}”在系统中不存在`);
    }

    let building: Building | undefined;
    const buildingName = house.building;
    const inBuilding = buildingName !== undefined;
    const buildingParts = (['estate', 'unit', 'floor', 'room'] as const).filter(
      (f) => house[f] !== undefined,
    );
    if (inBuilding && house.villageGroup !== undefined) {
      houseError('villageGroup', '楼栋和村民小组只能填一个：楼房住户填楼栋，村里住户填村民小组');
    } else if (!inBuilding && house.villageGroup === undefined) {
      houseError('building', '请填写楼栋（楼房住户）或村民小组（村里住户）');
    } else if (!inBuilding && buildingParts.length > 0) {
      houseError(
        buildingParts[0]!,
        `${buildingParts.map((f) => HEADER_OF[f]).join('、')}只用于楼房住户，村里住户请留空`,
      );
    } else if (buildingName !== undefined) {
      if (house.room === undefined) houseError('room', '楼房住户必须填写房号');
      if (grid) {
        const matches = liveBuildings.filter(
          (b) =>
            b.gridId === grid.id &&
            sameName(b.name, buildingName) &&
            (house.estate === undefined || sameName(b.estate, house.estate)),
        );
        const label = `${house.estate ?? ''}${buildingName}`;
        if (matches.length === 0) {
          houseError('building', `网格 ${grid.code} 中没有楼栋“${label}”，请先在系统中添加该楼栋或检查名称`);
        } else if (matches.length > 1) {
          houseError('estate', `网格 ${grid.code} 中有多个“${buildingName}”，请在“小区”列写明是哪个小区的`);
        } else {
          building = matches[0]!;
          if (house.unit !== undefined && Number(house.unit) > building.units) {
            houseError('unit', `单元 ${house.unit} 超出该楼栋的单元数（${building.units} 个单元）`);
          }
          if (house.floor !== undefined && Number(house.floor) > building.floors) {
            houseError('floor', `楼层 ${house.floor} 超出该楼栋的层数（${building.floors} 层）`);
          }
        }
      }
    }

    const heads = group.filter((r) => r.person.relation === 'head');
    if (heads.length === 0) {
      first.errors.push({
        line: first.line,
        column: HEADER_OF.relation,
        message: `户编号 ${key} 没有户主：每户须有一行的“与户主关系”填“户主”`,
      });
    }
    for (const extra of heads.slice(1)) {
      extra.errors.push({
        line: extra.line,
        column: HEADER_OF.relation,
        message: `户编号 ${key} 有两位户主（第 ${heads[0]!.line} 行和第 ${extra.line} 行），每户只能有一位`,
      });
    }

    const address = house.address ?? composeAddress(house, building);
    const head = heads[0];
    const draft = {
      id: context.newId(),
      updatedAt: context.now,
      isDeleted: false,
      gridId: grid?.id ?? UNRESOLVED_ID,
      buildingId: building?.id ?? (inBuilding ? UNRESOLVED_ID : undefined),
      unit: house.unit === undefined ? undefined : Number(house.unit),
      floor: house.floor === undefined ? undefined : Number(house.floor),
      room: house.room,
      villageGroup: house.villageGroup,
      houseNumber: house.houseNumber,
      address,
      phone: head?.person.phone,
    };
    const result = householdSchema.safeParse(draft, { error: zhErrorMap });
    if (result.success) {
      candidates.push({ key, rows: group, household: result.data, address });
    } else {
      for (const issue of result.error.issues) {
        // The head's own row already reports a bad phone number.
        if (issue.path[0] === 'phone') continue;
        const field = HOUSEHOLD_COLUMN[String(issue.path[0])];
        const { message } = issueToError(issue, first.line, HOUSEHOLD_COLUMN);
        if (field) {
          if (!explained.has(field)) houseError(field, message);
        } else first.errors.push({ line: first.line, message });
      }
    }
  }

  const peopleByRow = new Map<ParsedRow, NewPerson>();
  for (const row of parsed) {
    const result = newPersonSchema.safeParse(row.person, { error: zhErrorMap });
    if (result.success) peopleByRow.set(row, result.data);
    else {
      // One reason per cell: a cell the row check already explained needs no schema message on top.
      const explained = new Set(row.errors.map((e) => e.column));
      for (const issue of result.error.issues) {
        const error = issueToError(issue, row.line, PERSON_COLUMN);
        if (!explained.has(error.column)) row.errors.push(error);
        explained.add(error.column);
      }
    }
  }
  checkRepeatedPeople(groups);

  const candidateKeys = new Set(candidates.map((c) => c.key));
  for (const [key, group] of groups) {
    const bad = group.filter((r) => r.errors.length > 0);
    if (bad.length === 0 && candidateKeys.has(key)) continue;
    const badLines = bad.map((r) => r.line).join('、');
    for (const row of group) {
      if (row.errors.length === 0) {
        row.errors.push({
          line: row.line,
          message: `同户（户编号 ${key}）第 ${badLines} 行有错误，本户整户暂不导入`,
        });
      }
    }
  }

  const seenAddress = new Map<string, string>();
  for (const candidate of candidates) {
    if (candidate.rows.some((r) => r.errors.length > 0)) continue;
    const { household } = candidate;
    const people = candidate.rows.map((row) =>
      // Envelope fields come from the context; if they break the schema that is a caller bug, so throw.
      personSchema.parse({
        ...peopleByRow.get(row)!,
        id: context.newId(),
        updatedAt: context.now,
        isDeleted: false,
        householdId: household.id,
        gridId: household.gridId,
        status: 'resident',
      }),
    );
    plan.households.push({ household, people, lines: candidate.rows.map((r) => r.line) });
    plan.goodRows += people.length;
    const addressKey = `${household.gridId}|${household.address}`;
    const sameAddress = seenAddress.get(addressKey);
    if (sameAddress !== undefined) {
      plan.warnings.push(
        `户编号 ${sameAddress} 和 ${candidate.key} 的地址相同（${household.address}），请确认不是同一户。`,
      );
    } else seenAddress.set(addressKey, candidate.key);
  }

  plan.rowErrors = parsed.flatMap((r) => r.errors).sort((a, b) => a.line - b.line);
  return plan;
}

function checkIdNumbers(parsed: ParsedRow[], existing: ReadonlySet<string>): void {
  const firstLine = new Map<string, ParsedRow>();
  for (const row of parsed) {
    const id = row.person.idNumber;
    if (id === undefined) continue;
    if (existing.has(id)) {
      row.errors.push({
        line: row.line,
        column: HEADER_OF.idNumber,
        message: '此身份证号已在台账中，此人已登记过',
      });
    }
    const earlier = firstLine.get(id);
    if (earlier === undefined) {
      firstLine.set(id, row);
      continue;
    }
    const message = (other: number) => `身份证号与第 ${other} 行重复：同一人只能登记一次`;
    row.errors.push({ line: row.line, column: HEADER_OF.idNumber, message: message(earlier.line) });
    if (!earlier.errors.some((e) => e.message.startsWith('身份证号与第'))) {
      earlier.errors.push({ line: earlier.line, column: HEADER_OF.idNumber, message: message(row.line) });
    }
  }
}

/** Without ID numbers (children, mostly) the same name and birth date in one household is one person typed twice. */
function checkRepeatedPeople(groups: Map<string, ParsedRow[]>): void {
  for (const group of groups.values()) {
    const seen = new Map<string, number>();
    for (const row of group) {
      const key = `${row.person.name}|${row.person.birthDate}`;
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, row.line);
      else if (row.person.idNumber === undefined) {
        row.errors.push({
          line: row.line,
          column: HEADER_OF.name,
          message: `与第 ${earlier} 行是同一人（姓名和出生日期相同）`,
        });
      }
    }
  }
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const TEMPLATE_VILLAGE_ROW: Partial<Record<ImportColumnKey, string>> = {
  householdKey: 'H002',
  gridCode: 'XF-01',
  villageGroup: '王家组',
  houseNumber: '12号',
  name: '王大山',
  gender: '男',
  relation: '户主',
  birthDate: '1965-08-20',
  idNumber: '330106196508200116',
  phone: '13905710012',
};

/**
 * The header row plus one building household and one village household, for users to fill in.
 * Starts with a BOM so Excel on Windows opens it as UTF-8 instead of the local code page.
 */
export function importTemplateCsv(): string {
  const header = IMPORT_COLUMNS.map((c) => c.header);
  // The examples document both address shapes; one household takes only one of them.
  const buildingRow = IMPORT_COLUMNS.map((c) =>
    c.key === 'villageGroup' || c.key === 'houseNumber' ? '' : c.example,
  );
  const villageRow = IMPORT_COLUMNS.map((c) => TEMPLATE_VILLAGE_ROW[c.key] ?? '');
  return `\uFEFF${[header, buildingRow, villageRow].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
