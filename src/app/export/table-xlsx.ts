/**
 * A small table as an Excel workbook (the dashboard's 考评 ranking and the workers' month summary):
 * a bold title, lines under it (scope, "数据截至"), a grey header and typed columns. A share is a real
 * number shown as a percentage, so the leader can sort and sum in Excel; a share of nothing is an
 * empty cell, not 0 %. The package around the sheet is xlsx.ts's. Only ever loaded with import().
 */
import { textCell, workbookOfOneSheet } from './xlsx.ts';

export interface TableColumn {
  header: string;
  /** Excel character widths. */
  width: number;
  kind: 'text' | 'number' | 'percent';
}

/** A cell: text, a number, or a share as 0…1 (null when there was nothing to divide by). */
export type TableCell = string | number | null;

export interface TableSheet {
  /** The sheet's title, and its tab's name (Excel allows 31 characters). */
  title: string;
  lines: readonly string[];
  columns: readonly TableColumn[];
  rows: readonly (readonly TableCell[])[];
}

/** cellXfs indexes, in the order written in styles.xml below. */
const STYLE = { title: 1, header: 2, percent: 3 } as const;

const STYLES_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<fonts count="3"><font><sz val="11"/></font><font><b/><sz val="14"/></font><font><b/><sz val="11"/></font></fonts>' +
  '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFE0E0E0"/></patternFill></fill></fills>' +
  '<borders count="2"><border/><border><left style="thin"><color rgb="FF9E9E9E"/></left>' +
  '<right style="thin"><color rgb="FF9E9E9E"/></right><top style="thin"><color rgb="FF9E9E9E"/></top>' +
  '<bottom style="thin"><color rgb="FF9E9E9E"/></bottom></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1"/>' +
  '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center"/></xf>' +
  // 9 is Excel's built-in "0%".
  '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>' +
  '</cellXfs></styleSheet>';

const letter = (column: number) => String.fromCharCode(65 + column);

function cellXml(ref: string, value: TableCell, kind: TableColumn['kind']): string {
  if (value === null || value === '') return `<c r="${ref}"/>`;
  if (typeof value === 'string') return textCell(ref, value);
  const style = kind === 'percent' ? ` s="${STYLE.percent}"` : '';
  return `<c r="${ref}"${style}><v>${value}</v></c>`;
}

export function tableSheetXml({ title, lines, columns, rows }: TableSheet): string {
  const headerRow = lines.length + 2;
  const parts = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${headerRow}" topLeftCell="A${headerRow + 1}" ` +
      'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>' +
      columns
        .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`)
        .join('') +
      '</cols><sheetData>',
    `<row r="1" ht="24" customHeight="1">${textCell('A1', title, STYLE.title)}</row>`,
    ...lines.map((line, i) => `<row r="${i + 2}">${textCell(`A${i + 2}`, line)}</row>`),
    `<row r="${headerRow}">` +
      columns.map((c, i) => textCell(`${letter(i)}${headerRow}`, c.header, STYLE.header)).join('') +
      '</row>',
    ...rows.map((row, r) => {
      const at = headerRow + 1 + r;
      const cells = columns.map((c, i) => cellXml(`${letter(i)}${at}`, row[i] ?? null, c.kind)).join('');
      return `<row r="${at}">${cells}</row>`;
    }),
    '</sheetData></worksheet>',
  ];
  return parts.join('');
}

/** Excel refuses a sheet name over 31 characters or with any of : \ / ? * [ ]. */
export function sheetNameOf(title: string): string {
  return title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31);
}

export function tableToXlsx(sheet: TableSheet): Promise<Blob> {
  return workbookOfOneSheet(sheetNameOf(sheet.title), tableSheetXml(sheet), STYLES_XML);
}
