/**
 * Reading one spreadsheet cell as people fill it in: text with BOMs and Excel's ="..." wrapping, dates
 * in the shapes Chinese offices type (or Excel's day numbers), the words registers use for relations and
 * genders, tag lists, and ID numbers that Excel may have turned into numbers.
 */
import { careTagByLabel } from '../../schemas/care-tags.ts';
import { GENDERS, RELATIONS, type Relation } from '../../schemas/person.ts';

export function isBlank(cell: unknown): boolean {
  return cell == null || (typeof cell === 'string' && cell.replace(/\uFEFF/g, '').trim() === '');
}

export function cellText(cell: unknown): string {
  if (cell == null) return '';
  if (typeof cell === 'string') {
    const text = cell.replace(/\uFEFF/g, '').trim();
    // ="0571..." is how some systems export CSV so that Excel keeps long numbers and leading zeros.
    return /^="(.*)"$/.exec(text)?.[1]?.trim() ?? text;
  }
  if (cell instanceof Date) return utcDate(cell.getTime()) ?? '';
  return String(cell).trim();
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
export function toCalendarDate(cell: unknown): string {
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

/** "3", "3单元", "3层" or "-1楼" as the bare number ("3", "-1"); undefined when it is not a whole number. */
export function wholeNumberText(text: string): string | undefined {
  const match = /^(-?\d+)\s*(单元|层|楼)?$/.exec(text);
  return match ? String(Number(match[1])) : undefined;
}

/** The ID number as typed, without spaces and with an upper-case check letter; undefined when empty. */
export function idNumberText(cell: unknown): string | undefined {
  return cellText(cell).replace(/\s/g, '').toUpperCase() || undefined;
}

/** 18 digits do not fit in a double: Excel keeps 15 and shows "3.30106E+17". */
export function lostIdNumberDigits(cell: unknown, text: string | undefined): boolean {
  return (typeof cell === 'number' && !Number.isSafeInteger(cell)) || /E\+/i.test(text ?? '');
}

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

/** The relation's code; an unknown word stays as typed so the schema's message names it. */
export function relationCode(text: string): string {
  return RELATION_ALIASES.get(text) ?? text;
}

const GENDER_BY_LABEL: ReadonlyMap<string, 'male' | 'female'> = new Map([
  [GENDERS.male.zh, 'male'],
  [GENDERS.female.zh, 'female'],
  ['男性', 'male'],
  ['女性', 'female'],
]);

/** The gender's code; an unknown word stays as typed so the schema's message names it. */
export function genderCode(text: string): string {
  return GENDER_BY_LABEL.get(text) ?? text;
}

const TAG_SEPARATORS = /[、，,;；\s]+/;

/** Each care tag once, as its code; an unknown label stays as typed so the schema's message names it. */
export function careTagCodes(text: string): string[] {
  return [
    ...new Set(
      text
        .split(TAG_SEPARATORS)
        .filter((t) => t !== '')
        .map((label) => careTagByLabel.get(label) ?? label),
    ),
  ];
}
