/**
 * One data row of the register as the candidate fields of a house and a person, with what is wrong in
 * the row's own cells. Checks that need other rows (the household, the register) come later.
 */
import { idNumberBirthDate, idNumberGender, isValidIdNumber } from '../id-number.ts';
import { GENDERS } from '../../schemas/person.ts';
import {
  careTagCodes,
  cellText,
  genderCode,
  idNumberText,
  lostIdNumberDigits,
  relationCode,
  toCalendarDate,
  wholeNumberText,
} from './cells.ts';
import { HEADER_OF, type ImportColumnKey } from './columns.ts';
import type { RegisterImportRowError } from './types.ts';

export type HouseField =
  'gridCode' | 'estate' | 'building' | 'unit' | 'floor' | 'room' | 'villageGroup' | 'houseNumber' | 'address';
export const HOUSE_FIELDS: readonly HouseField[] = [
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

export type HouseCells = Partial<Record<HouseField, string>>;

export interface ParsedRow {
  line: number;
  key: string;
  house: HouseCells;
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

/** One row's cells by column, and where its errors go. */
interface RowCells {
  raw(key: ImportColumnKey): unknown;
  text(key: ImportColumnKey): string;
  fail(key: ImportColumnKey, message: string): void;
}

export function parseRow(
  cells: ReadonlyArray<unknown>,
  line: number,
  columns: Map<ImportColumnKey, number>,
): ParsedRow {
  const errors: RegisterImportRowError[] = [];
  const raw = (key: ImportColumnKey): unknown => {
    const index = columns.get(key);
    return index === undefined ? undefined : cells[index];
  };
  const row: RowCells = {
    raw,
    text: (key) => cellText(raw(key)),
    fail: (key, message) => errors.push({ line, column: HEADER_OF[key], message }),
  };

  for (const key of columns.keys()) {
    if (row.text(key).includes('\uFFFD')) row.fail(key, '含有乱码字符（�），请检查文件编码后重新导入');
  }
  const house = readHouse(row);
  const idNumber = readIdNumber(row);
  const validId = idNumber !== undefined && isValidIdNumber(idNumber) ? idNumber : undefined;
  const gender = readGender(row, validId);
  const birthDate = readBirthDate(row, validId);
  const phone = row.text('phone').replace(/\s/g, '');
  const notes = row.text('notes');

  return {
    line,
    key: row.text('householdKey'),
    house,
    person: {
      name: row.text('name'),
      gender,
      relation: relationCode(row.text('relation')),
      birthDate,
      idNumber,
      phone: phone === '' ? undefined : phone,
      tags: careTagCodes(row.text('tags')),
      notes: notes === '' ? undefined : notes,
    },
    errors,
  };
}

/** The filled-in address cells; a unit or floor that is not a number is reported and left out. */
function readHouse(row: RowCells): HouseCells {
  const house: HouseCells = {};
  for (const field of HOUSE_FIELDS) {
    const value = field === 'gridCode' ? row.text(field).toUpperCase() : row.text(field);
    if (value !== '') house[field] = value;
  }
  for (const field of ['unit', 'floor'] as const) {
    const value = house[field];
    if (value === undefined) continue;
    const number = wholeNumberText(value);
    if (number !== undefined) house[field] = number;
    else {
      row.fail(field, `${HEADER_OF[field]}应为数字，例如 ${field === 'unit' ? '1' : '3'}`);
      delete house[field];
    }
  }
  return house;
}

function readIdNumber(row: RowCells): string | undefined {
  const cell = row.raw('idNumber');
  const idNumber = idNumberText(cell);
  if (lostIdNumberDigits(cell, idNumber)) {
    row.fail('idNumber', '身份证号被 Excel 存成了数字，后几位已丢失；请把此列设为“文本”格式后重新填写');
    return undefined;
  }
  return idNumber;
}

/** A valid ID number fills in an empty gender, and must agree with a typed one. */
function readGender(row: RowCells, validId: string | undefined): string {
  const genderText = row.text('gender');
  const gender = genderCode(genderText);
  if (genderText === '' && validId) return idNumberGender(validId);
  if (validId && (gender === 'male' || gender === 'female') && gender !== idNumberGender(validId)) {
    row.fail('gender', `性别与身份证号不一致（身份证号表示${GENDERS[idNumberGender(validId)].zh}）`);
  }
  return gender;
}

/** A valid ID number fills in an empty birth date. */
function readBirthDate(row: RowCells, validId: string | undefined): string {
  const birthDate = toCalendarDate(row.raw('birthDate'));
  if (birthDate !== '') return birthDate;
  if (validId) return idNumberBirthDate(validId);
  row.fail('birthDate', '出生日期不能为空（填了身份证号时可空）');
  return birthDate;
}
