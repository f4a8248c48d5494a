/**
 * The daily problem list as CSV for Excel and WPS on Chinese Windows: without a byte order mark they
 * read CSV in the GBK code page and show mojibake, so the file starts with U+FEFF. CRLF line ends and
 * RFC 4180 quoting come from papaparse, which is why this file is lazy-loaded.
 */
import Papa from 'papaparse';
import {
  DAILY_LIST_COLUMNS,
  dailyListSummaryLines,
  dailyListTitle,
  formatTownDateTime,
  type DailyListRow,
  type DailyListSummary,
} from './daily-list.ts';

export const CSV_MIME_TYPE = 'text/csv;charset=utf-8';
const BOM = '\uFEFF';
const CRLF = '\r\n';

const UNPARSE_CONFIG = {
  newline: CRLF,
  // A resident's QR report can start with "=" or "+": Excel would run it as a formula (CSV injection).
  // Papaparse prefixes such fields with an apostrophe, which Excel shows as plain text.
  escapeFormulae: true,
} as const satisfies Papa.UnparseConfig;

function cellText(row: DailyListRow, column: (typeof DAILY_LIST_COLUMNS)[number]): string | number {
  if (column.kind === 'dateTime') return formatTownDateTime(row[column.key]);
  return row[column.key];
}

export function dailyListToCsv(rows: readonly DailyListRow[], summary: DailyListSummary): string {
  const summaryRows = [dailyListTitle(summary), ...dailyListSummaryLines(summary)].map((line) => [line]);
  const table: (string | number)[][] = [DAILY_LIST_COLUMNS.map((column) => column.header)];
  for (const row of rows) table.push(DAILY_LIST_COLUMNS.map((column) => cellText(row, column)));
  // Summary lines first, then one blank line, then the header and the data.
  return BOM + Papa.unparse(summaryRows, UNPARSE_CONFIG) + CRLF + CRLF + Papa.unparse(table, UNPARSE_CONFIG);
}
