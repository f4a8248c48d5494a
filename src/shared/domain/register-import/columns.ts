/**
 * The register import's columns: what the template prints, which headers offices' own sheets use for
 * the same thing, and reading a file's header row into column positions.
 */
import { CARE_TAGS, CARE_TAG_CODES } from '../../schemas/care-tags.ts';
import { RELATIONS } from '../../schemas/person.ts';

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

export const RELATION_LABELS = Object.values(RELATIONS)
  .map((r) => r.zh)
  .join('、');
export const TAG_LABELS = CARE_TAG_CODES.map((code) => CARE_TAGS[code].zh).join('、');

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

/** The Chinese header of each column, for messages that name the column. */
export const HEADER_OF = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c.key, c.header])) as Record<
  ImportColumnKey,
  string
>;

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

export interface HeaderResult {
  columns: Map<ImportColumnKey, number>;
  fileErrors: string[];
  warnings: string[];
}

const EXPECTED_HEADERS = IMPORT_COLUMNS.map((c) => c.header).join('、');

/** Where each known column stands in the header row; a file error for anything that stops the import. */
export function readHeader(header: ReadonlyArray<unknown>): HeaderResult {
  const garbled = header.map(normalizeHeader).find((h) => MOJIBAKE.test(h));
  if (garbled !== undefined) {
    const fileErrors = [
      `表头是乱码（如“${garbled}”），文件的文字编码不对：请在 Excel 或 WPS 中把文件另存为“CSV UTF-8”或 GBK 编码的 CSV，或直接保存为 .xlsx，再重新导入。`,
    ];
    return { columns: new Map(), fileErrors, warnings: [] };
  }
  const { columns, fileErrors, unknown } = matchColumns(header);
  const warnings: string[] = [];
  if (columns.size === 0) {
    fileErrors.push(
      `第 1 行没有认出任何列名。第 1 行应为表头：${EXPECTED_HEADERS}。如果表头显示为乱码，请把文件另存为“CSV UTF-8”或 GBK 编码的 CSV。`,
    );
    return { columns, fileErrors, warnings };
  }
  fileErrors.push(...missingColumns(columns));
  if (unknown.length > 0) warnings.push(`以下列无法识别，已忽略：${unknown.join('、')}。`);
  return { columns, fileErrors, warnings };
}

/** Each header cell to its column; a column named twice is a file error, an unknown name is ignored. */
function matchColumns(header: ReadonlyArray<unknown>): {
  columns: Map<ImportColumnKey, number>;
  fileErrors: string[];
  unknown: string[];
} {
  const columns = new Map<ImportColumnKey, number>();
  const fileErrors: string[] = [];
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
  return { columns, fileErrors, unknown };
}

function missingColumns(columns: ReadonlyMap<ImportColumnKey, number>): string[] {
  const fileErrors: string[] = [];
  const missing = IMPORT_COLUMNS.filter((c) => c.required && !columns.has(c.key)).map((c) => c.header);
  if (missing.length > 0) {
    fileErrors.push(
      `缺少必填列：${missing.join('、')}。表头应为：${EXPECTED_HEADERS}（请下载导入模板对照）。`,
    );
  }
  if (!columns.has('building') && !columns.has('villageGroup')) {
    fileErrors.push('缺少住址列：楼房住户需要“楼栋”和“房号”列，村里住户需要“村民小组”列。');
  } else if (columns.has('building') && !columns.has('room')) {
    fileErrors.push('有“楼栋”列时还需要“房号”列。');
  }
  return fileErrors;
}
