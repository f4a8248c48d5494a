/**
 * The daily problem list as a standalone A4 print document: the browser's "print / save as PDF" turns it
 * into the PDF, so no PDF library is needed. Page numbers use CSS page-margin boxes (Chromium 131+);
 * older engines simply print without them. Every text goes through escapeHtml: descriptions come from
 * residents' QR reports and must not become markup.
 */
import { SEVERITIES } from '../../shared/schemas/problem.ts';
import {
  DAILY_LIST_COLUMNS,
  dailyListSummaryLines,
  dailyListTitle,
  formatTownDateTime,
  type DailyListRow,
  type DailyListSummary,
} from './daily-list.ts';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Column widths as shares of the page, from the same character widths Excel gets. */
const TOTAL_WIDTH = DAILY_LIST_COLUMNS.reduce((sum, column) => sum + column.width, 0);
const COLGROUP = `<colgroup>${DAILY_LIST_COLUMNS.map(
  (column) => `<col style="width:${((column.width / TOTAL_WIDTH) * 100).toFixed(2)}%">`,
).join('')}</colgroup>`;

const THEAD = `<thead><tr>${DAILY_LIST_COLUMNS.map((column) => `<th>${escapeHtml(column.header)}</th>`).join(
  '',
)}</tr></thead>`;

/** Fixed class names per severity (no user text in attributes), tinted in the style sheet. */
const SEVERITY_CSS = Object.entries(SEVERITIES)
  .map(([key, { tint }]) => `td.sev-${key} { background: #${tint}; }`)
  .join('\n');

const STYLE = `
@page {
  size: A4 landscape;
  margin: 12mm;
  @bottom-center {
    content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
    font-size: 9pt;
    color: #555;
  }
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 8pt;
  line-height: 1.35;
  color: #000;
}
h1 { font-size: 14pt; margin: 0 0 2mm; }
.summary { margin: 0 0 3mm; padding: 0; list-style: none; }
.summary li { margin: 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #666; padding: 1mm; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e0e0e0; font-weight: bold; text-align: center; }
td.wrap { white-space: pre-line; }
td.center { text-align: center; }
${SEVERITY_CSS}
@media screen {
  body { padding: 12mm; max-width: 297mm; margin: 0 auto; }
}
`;

function cellHtml(row: DailyListRow, column: (typeof DAILY_LIST_COLUMNS)[number]): string {
  switch (column.kind) {
    case 'dateTime':
      return `<td>${formatTownDateTime(row[column.key])}</td>`;
    case 'severity':
      return `<td class="center sev-${row.severity}">${escapeHtml(row[column.key])}</td>`;
    case 'number':
      return `<td class="center">${row[column.key]}</td>`;
    case 'wrap':
      return `<td class="wrap">${escapeHtml(row[column.key])}</td>`;
    case 'text':
      return `<td>${escapeHtml(row[column.key])}</td>`;
  }
}

export function dailyListToPrintHtml(rows: readonly DailyListRow[], summary: DailyListSummary): string {
  const title = escapeHtml(dailyListTitle(summary));
  const summaryItems = dailyListSummaryLines(summary)
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join('');
  const body = rows
    .map((row) => `<tr>${DAILY_LIST_COLUMNS.map((column) => cellHtml(row, column)).join('')}</tr>`)
    .join('\n');
  const empty =
    rows.length === 0 ? `<tr><td colspan="${DAILY_LIST_COLUMNS.length}">当日没有问题记录</td></tr>` : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<ul class="summary">${summaryItems}</ul>
<table>
${COLGROUP}
${THEAD}
<tbody>
${body}${empty}
</tbody>
</table>
</body>
</html>
`;
}
