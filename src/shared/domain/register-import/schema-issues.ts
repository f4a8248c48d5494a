/**
 * The schemas' messages, in Chinese, as row errors that name the spreadsheet column: the schemas check
 * the record fields, the user fixes the column that fills them.
 */
// The one locale, not the zod/locales index: Vite's dev server would fetch every locale file.
import zhCN from 'zod/v4/locales/zh-CN.js';
import { HEADER_OF, RELATION_LABELS, TAG_LABELS, type ImportColumnKey } from './columns.ts';
import type { HouseField } from './row.ts';
import type { RegisterImportRowError } from './types.ts';

/** Per-parse Chinese messages for the few schema rules that carry no message of their own. */
export const zhErrorMap = zhCN().localeError;

/** The schema's enum messages say what is wrong; the import adds what would be right. */
const ENUM_HINTS: Partial<Record<ImportColumnKey, string>> = {
  relation: `（可填：${RELATION_LABELS}）`,
  tags: `（可填：${TAG_LABELS}）`,
};

/** The household field a schema issue is about, to the column that fills it. */
export const HOUSEHOLD_COLUMN: Partial<Record<string, HouseField>> = {
  gridId: 'gridCode',
  buildingId: 'building',
  unit: 'unit',
  floor: 'floor',
  room: 'room',
  villageGroup: 'villageGroup',
  houseNumber: 'houseNumber',
  address: 'address',
};
/** The person field a schema issue is about, to the column that fills it. */
export const PERSON_COLUMN: Partial<Record<string, ImportColumnKey>> = {
  name: 'name',
  gender: 'gender',
  relation: 'relation',
  birthDate: 'birthDate',
  phone: 'phone',
  idNumber: 'idNumber',
  tags: 'tags',
  notes: 'notes',
};

export interface ZodIssueLike {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  code: string;
}

/** One schema issue as a row error that names the column, with the allowed words where a word is not one. */
export function issueToError(
  issue: ZodIssueLike,
  line: number,
  columnOf: Partial<Record<string, ImportColumnKey>>,
): RegisterImportRowError {
  const key = columnOf[String(issue.path[0])];
  if (key === undefined) return { line, message: issue.message };
  const hint = issue.code === 'invalid_value' ? (ENUM_HINTS[key] ?? '') : '';
  return { line, column: HEADER_OF[key], message: `${issue.message}${hint}` };
}
