/**
 * The register import's plan, step by step: the header, the rows, the households they form, the checks
 * across rows, and then only the whole, valid households to write.
 */
import { personSchema, type NewPerson } from '../../schemas/person.ts';
import { isBlank } from './cells.ts';
import { HEADER_OF, readHeader, type ImportColumnKey } from './columns.ts';
import { planHouseholds, type HouseholdCandidate } from './household.ts';
import { checkIdNumbers, checkPeople, checkRepeatedPeople } from './people.ts';
import { parseRow, type ParsedRow } from './row.ts';
import type { RegisterImportContext, RegisterImportPlan } from './types.ts';

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

  const parsed = parseDataRows(rows, columns);
  plan.totalRows = parsed.length;
  if (parsed.length === 0) {
    plan.fileErrors.push('文件中只有表头，没有数据行：从第 2 行起每行填一个人。');
    return plan;
  }

  const groups = groupByHousehold(parsed);
  checkIdNumbers(parsed, context.existingIdNumbers);
  const candidates = planHouseholds(groups, context);
  const peopleByRow = checkPeople(parsed);
  checkRepeatedPeople(groups);
  holdBackBadHouseholds(groups, candidates);
  addGoodHouseholds(plan, candidates, peopleByRow, context);
  plan.rowErrors = parsed.flatMap((r) => r.errors).sort((a, b) => a.line - b.line);
  return plan;
}

/** Every row after the header that has anything in it; its line is the one Excel shows. */
function parseDataRows(
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  columns: Map<ImportColumnKey, number>,
): ParsedRow[] {
  const parsed: ParsedRow[] = [];
  rows.forEach((cells, index) => {
    if (index > 0 && !cells.every(isBlank)) parsed.push(parseRow(cells, index + 1, columns));
  });
  return parsed;
}

/** The rows by 户编号, in file order; a row without one belongs to no household and is an error. */
function groupByHousehold(parsed: ParsedRow[]): Map<string, ParsedRow[]> {
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
  return groups;
}

/** Nothing is half-imported: the good rows of a household with a bad row say why they wait. */
function holdBackBadHouseholds(
  groups: ReadonlyMap<string, ParsedRow[]>,
  candidates: readonly HouseholdCandidate[],
): void {
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
}

/** The households without an error, with their people; two at one address are worth a warning. */
function addGoodHouseholds(
  plan: RegisterImportPlan,
  candidates: readonly HouseholdCandidate[],
  peopleByRow: ReadonlyMap<ParsedRow, NewPerson>,
  context: RegisterImportContext,
): void {
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
}
