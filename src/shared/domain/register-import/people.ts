/**
 * The checks on people that look past their own row: the register and the file must not hold the same
 * person twice, and each row must make a person the schema accepts.
 */
import { newPersonSchema, type NewPerson } from '../../schemas/person.ts';
import { HEADER_OF } from './columns.ts';
import type { ParsedRow } from './row.ts';
import { PERSON_COLUMN, issueToError, zhErrorMap } from './schema-issues.ts';

/** An ID number already on the register, or on two rows of the file (both rows are told). */
export function checkIdNumbers(parsed: ParsedRow[], existing: ReadonlySet<string>): void {
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

/** Each row's person as the schema accepts it; a row the schema refuses gets its reasons instead. */
export function checkPeople(parsed: ParsedRow[]): Map<ParsedRow, NewPerson> {
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
  return peopleByRow;
}

/** Without ID numbers (children, mostly) the same name and birth date in one household is one person typed twice. */
export function checkRepeatedPeople(groups: ReadonlyMap<string, ParsedRow[]>): void {
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
