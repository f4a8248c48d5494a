/**
 * The daily problem list as an Excel workbook (.xlsx = a zip of SpreadsheetML parts). fflate does the
 * zipping; the sheet XML is written here because the sheet is one fixed shape (title, summary lines, a
 * header row, 16 typed columns) and a general writer costs too much for it: write-excel-file took
 * 2.4-3.7 s for 10,000 rows at 4x CPU throttling against a 2 s target, most of it building a cell
 * object, a style key and a shared string per cell. Here strings are written inline (no shared-strings
 * table) and escaped only when they hold a character XML needs escaped. Only ever loaded with
 * `await import(...)`.
 *
 * What Excel, WPS and LibreOffice see: column widths, the rows through the header frozen, a bold title,
 * a grey bordered header, the 颜色 cell tinted with its severity, wrapped description columns, and real
 * date cells shown as town (Asia/Shanghai) time.
 */
import { strToU8, zip } from 'fflate';
import { SEVERITIES, type Severity } from '../../shared/schemas/problem.ts';
import {
  DAILY_LIST_COLUMNS,
  DAILY_LIST_TITLE,
  dailyListSummaryLines,
  dailyListTitle,
  townWallClock,
  type DailyListRow,
  type DailyListSummary,
} from './daily-list.ts';

export const XLSX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What Chinese Excel and WPS show as 2026-11-22 09:05. */
export const XLSX_DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm';

// XML 1.0 forbids most control characters (a pasted description can hold one): they are dropped, so
// the pattern has to name them.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function escapeXml(text: string): string {
  // Most cells need nothing: search() keeps the common case to one scan and no new string.
  return text.search(NEEDS_ESCAPE) === -1 ? text : text.replace(NEEDS_ESCAPE, (c) => ESCAPES[c] ?? '');
}

const SEVERITY_KEYS = Object.keys(SEVERITIES) as Severity[];
/** cellXfs indexes, in the order written in styles.xml below. */
const STYLE = { title: 1, header: 2, wrap: 3, date: 4, severity: 5 } as const;
const severityStyle = (severity: Severity) => STYLE.severity + SEVERITY_KEYS.indexOf(severity);

function stylesXml(): string {
  const fills = SEVERITY_KEYS.map(
    (key) =>
      `<fill><patternFill patternType="solid"><fgColor rgb="FF${SEVERITIES[key].tint}"/></patternFill></fill>`,
  ).join('');
  const severityXfs = SEVERITY_KEYS.map(
    (_, i) =>
      `<xf numFmtId="0" fontId="0" fillId="${3 + i}" borderId="0" applyFill="1" applyAlignment="1"><alignment horizontal="center"/></xf>`,
  ).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    `<numFmts count="1"><numFmt numFmtId="164" formatCode="${XLSX_DATE_TIME_FORMAT}"/></numFmts>` +
    '<fonts count="3"><font><sz val="11"/></font><font><b/><sz val="14"/></font><font><b/><sz val="11"/></font></fonts>' +
    `<fills count="${3 + SEVERITY_KEYS.length}"><fill><patternFill patternType="none"/></fill>` +
    '<fill><patternFill patternType="gray125"/></fill>' +
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE0E0E0"/></patternFill></fill>' +
    `${fills}</fills>` +
    '<borders count="2"><border/><border><left style="thin"><color rgb="FF9E9E9E"/></left>' +
    '<right style="thin"><color rgb="FF9E9E9E"/></right><top style="thin"><color rgb="FF9E9E9E"/></top>' +
    '<bottom style="thin"><color rgb="FF9E9E9E"/></bottom></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    `<cellXfs count="${5 + SEVERITY_KEYS.length}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>` +
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1"/>' +
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center"/></xf>' +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' +
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>' +
    `${severityXfs}</cellXfs></styleSheet>`
  );
}

const DAY_MS = 86_400_000;
/** Excel's serial day number of a Date whose UTC fields are the town's wall clock. */
const excelSerial = (date: Date) => date.getTime() / DAY_MS + 25569;

/** Column letters of the 16 columns; every cell carries its reference, as Excel writes them. */
const LETTERS = DAILY_LIST_COLUMNS.map((_, i) => String.fromCharCode(65 + i));

const styleOf = (style: number) => (style ? ` s="${style}"` : '');
/** Excel trims spaces and line breaks at either end of a text unless told to keep them. */
const EDGE_WHITESPACE = /^\s|\s$/;
export function textCell(ref: string, text: string, style = 0): string {
  if (text === '') return `<c r="${ref}"${styleOf(style)}/>`;
  // Tested after escaping: a dropped control character can leave a space at the edge.
  const escaped = escapeXml(text);
  const space = EDGE_WHITESPACE.test(escaped) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${styleOf(style)} t="inlineStr"><is><t${space}>${escaped}</t></is></c>`;
}

function sheetXml(rows: readonly DailyListRow[], summary: DailyListSummary): string {
  const lines = dailyListSummaryLines(summary);
  // Excel can only freeze the top N rows, so the frozen pane runs through the header row: title and
  // summary stay visible too, which on a daily list is a few short lines.
  const frozen = dailyListHeaderRowCount(summary);
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${frozen}" topLeftCell="A${frozen + 1}" ` +
      'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>' +
      DAILY_LIST_COLUMNS.map(
        (c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`,
      ).join('') +
      '</cols><sheetData>',
    `<row r="1" ht="24" customHeight="1">${textCell('A1', dailyListTitle(summary), STYLE.title)}</row>`,
    ...lines.map((line, i) => `<row r="${i + 2}">${textCell(`A${i + 2}`, line)}</row>`),
    `<row r="${frozen}">` +
      DAILY_LIST_COLUMNS.map((c, i) => textCell(`${LETTERS[i]}${frozen}`, c.header, STYLE.header)).join('') +
      '</row>',
  ];
  let r = frozen;
  for (const row of rows) {
    r++;
    let cells = '';
    for (let i = 0; i < DAILY_LIST_COLUMNS.length; i++) {
      const column = DAILY_LIST_COLUMNS[i]!;
      const ref = `${LETTERS[i]}${r}`;
      const value = row[column.key];
      switch (column.kind) {
        case 'number':
          cells += `<c r="${ref}"><v>${value as number}</v></c>`;
          break;
        case 'text':
          cells += textCell(ref, value as string);
          break;
        case 'wrap':
          cells += textCell(ref, value as string, STYLE.wrap);
          break;
        case 'severity':
          cells += textCell(ref, row.colour, severityStyle(row.severity));
          break;
        case 'dateTime':
          cells +=
            value === null
              ? `<c r="${ref}"/>`
              : `<c r="${ref}" s="${STYLE.date}"><v>${excelSerial(townWallClock(value as Date))}</v></c>`;
          break;
      }
    }
    parts.push(`<row r="${r}">${cells}</row>`);
  }
  parts.push(
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
  );
  parts.push('<pageSetup orientation="landscape"/></worksheet>');
  return parts.join('');
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '</Types>';
const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
  '</Relationships>';
const workbookXml = (sheetName: string) =>
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
  `<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
  '</Relationships>';

/** Rows above the first data row: the title, the summary lines and the header. */
export function dailyListHeaderRowCount(summary: DailyListSummary): number {
  return 1 + dailyListSummaryLines(summary).length + 1;
}

export function dailyListToXlsx(rows: readonly DailyListRow[], summary: DailyListSummary): Promise<Blob> {
  return workbookOfOneSheet(DAILY_LIST_TITLE, sheetXml(rows, summary), stylesXml());
}

/** A workbook of one sheet: the parts every .xlsx has around its sheet and its styles, zipped. */
export function workbookOfOneSheet(sheetName: string, sheet: string, styles: string): Promise<Blob> {
  const files = {
    '[Content_Types].xml': strToU8(CONTENT_TYPES),
    '_rels/.rels': strToU8(ROOT_RELS),
    'xl/workbook.xml': strToU8(workbookXml(sheetName)),
    'xl/_rels/workbook.xml.rels': strToU8(WORKBOOK_RELS),
    'xl/styles.xml': strToU8(styles),
    'xl/worksheets/sheet1.xml': strToU8(sheet),
  };
  return new Promise((resolve, reject) =>
    zip(files, (error, data) =>
      error
        ? reject(error)
        : resolve(
            new Blob([data as Uint8Array<ArrayBuffer>], {
              type: XLSX_MIME_TYPE,
            }),
          ),
    ),
  );
}
