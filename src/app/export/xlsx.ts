/**
 * The daily problem list as an Excel workbook. write-excel-file's universal entry returns a Blob in the
 * browser and in Node (Node 20 has a global Blob, so tests need no polyfill); it pulls in fflate, which
 * is why this file is only ever loaded with `await import(...)`.
 */
import writeExcelFile, {
  type Cell,
  type CellObject,
  type Row,
  type SheetData,
} from 'write-excel-file/universal';
import { SEVERITIES } from '../../shared/schemas/problem.ts';
import {
  DAILY_LIST_COLUMNS,
  DAILY_LIST_TITLE,
  dailyListSummaryLines,
  dailyListTitle,
  townWallClock,
  type DailyListColumn,
  type DailyListRow,
  type DailyListSummary,
} from './daily-list.ts';

export const XLSX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What Chinese Excel and WPS show as 2026-11-22 09:05. */
export const XLSX_DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm';

const COLUMN_COUNT = DAILY_LIST_COLUMNS.length;
const HEADER_FILL = '#E0E0E0';
const THIN_BORDER = { borderStyle: 'thin', borderColor: '#9E9E9E' } as const satisfies Partial<CellObject>;

/**
 * The title and summary lines sit alone in column A: Excel lets unwrapped text run on over the empty
 * cells to its right, so they read as full-width lines without merged cells (a merge makes the writer
 * copy every row of the sheet, which costs real time at 10,000 rows).
 */
function lineRow(cell: CellObject): Row {
  return [cell];
}

/**
 * One cell builder per column, chosen once: the per-row work is then a plain call per cell. Plain text
 * and numbers go in bare (the writer then skips the style lookup it does for every cell object).
 */
type CellBuilder = (row: DailyListRow) => Cell;

const SEVERITY_FILLS = Object.fromEntries(
  Object.entries(SEVERITIES).map(([key, { tint }]) => [key, `#${tint}`]),
) as Record<keyof typeof SEVERITIES, string>;

function cellBuilder(column: DailyListColumn): CellBuilder {
  const { key } = column;
  switch (column.kind) {
    case 'number':
    case 'text':
      return (row) => row[key] as string | number;
    case 'wrap':
      // A literal, not a spread of a shared style: this runs twice per row.
      return (row) => ({ value: row[key] as string, wrap: true, alignVertical: 'top' });
    case 'severity':
      return (row) => ({ value: row.colour, backgroundColor: SEVERITY_FILLS[row.severity], align: 'center' });
    case 'dateTime':
      return (row) => {
        const date = row[key] as Date | null;
        // The sheet's dateFormat applies to every Date cell; the shift makes Excel show town time.
        return date === null ? null : townWallClock(date);
      };
  }
}

const CELL_BUILDERS = DAILY_LIST_COLUMNS.map(cellBuilder);

/** The sheet: title, summary lines, header row, then one row per problem. */
export function dailyListSheetData(rows: readonly DailyListRow[], summary: DailyListSummary): SheetData {
  const data: SheetData = [
    lineRow({ value: dailyListTitle(summary), fontWeight: 'bold', fontSize: 14, height: 24 }),
    ...dailyListSummaryLines(summary).map((line) => lineRow({ value: line })),
    DAILY_LIST_COLUMNS.map((column): CellObject => ({
      value: column.header,
      fontWeight: 'bold',
      backgroundColor: HEADER_FILL,
      align: 'center',
      ...THIN_BORDER,
    })),
  ];
  for (const row of rows) {
    const cells: Cell[] = new Array<Cell>(COLUMN_COUNT);
    for (let c = 0; c < COLUMN_COUNT; c += 1) cells[c] = CELL_BUILDERS[c]!(row);
    data.push(cells);
  }
  return data;
}

/** Rows above the first data row: the title, the summary lines and the header. */
export function dailyListHeaderRowCount(summary: DailyListSummary): number {
  return 1 + dailyListSummaryLines(summary).length + 1;
}

export async function dailyListToXlsx(
  rows: readonly DailyListRow[],
  summary: DailyListSummary,
): Promise<Blob> {
  return writeExcelFile(
    dailyListSheetData(rows, summary),
    {
      sheet: DAILY_LIST_TITLE,
      columns: DAILY_LIST_COLUMNS.map((column) => ({ width: column.width })),
      // Excel can only freeze the top N rows, so the frozen pane runs through the header row: title
      // and summary stay visible too, which on a daily list is a few short lines.
      stickyRowsCount: dailyListHeaderRowCount(summary),
      dateFormat: XLSX_DATE_TIME_FORMAT,
      orientation: 'landscape',
    },
    // No default font on purpose: with one, the writer looks up a style for every cell (a JSON key per
    // cell, most of the time for 10,000 rows); Excel and WPS fall back to a CJK font by themselves.
  ).toBlob();
}
