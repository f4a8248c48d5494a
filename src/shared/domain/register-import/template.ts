/** The downloadable import template: the header row and two example households, as CSV. */
import { IMPORT_COLUMNS, type ImportColumnKey } from './columns.ts';

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
