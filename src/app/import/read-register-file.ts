/**
 * Turns a chosen file into rows of cell values for planRegisterImport. The parsers live here, not in the
 * shared domain code, so the UI can lazy-load them only when someone actually imports a file.
 */
import Papa from 'papaparse';
import { readSheet } from 'read-excel-file/browser';

export const ACCEPTED_REGISTER_FILE_TYPES = '.csv,.xlsx';

export interface RegisterFileRows {
  rows: unknown[][];
  /** How a CSV file was decoded; undefined for .xlsx, which is always UTF-8 inside. */
  encoding?: string;
}

export async function readRegisterFile(file: Blob & { name: string }): Promise<RegisterFileRows> {
  const extension = /\.([^.]+)$/.exec(file.name.trim())?.[1]?.toLowerCase();
  if (extension === 'csv') return readCsv(new Uint8Array(await file.arrayBuffer()));
  if (extension === 'xlsx') return { rows: await readXlsx(await file.arrayBuffer()) };
  if (extension === 'xls') {
    throw new Error('不支持旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入。');
  }
  throw new Error(`不支持“${file.name}”这种文件：请选择 .xlsx（Excel 工作簿）或 .csv（逗号分隔）文件。`);
}

function decode(bytes: Uint8Array): { text: string; encoding: string } {
  // Excel's "Unicode text" and some exports are UTF-16 with a byte order mark.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  }
  try {
    // TextDecoder strips a UTF-8 BOM by default.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: most likely Excel or WPS on Chinese Windows, which saves CSV in the GBK code page.
  }
  try {
    return { text: new TextDecoder('gb18030', { fatal: true }).decode(bytes), encoding: 'gb18030' };
  } catch {
    // Neither: decode loosely so the replacement characters reach the plan, which reports them per row.
    return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'unknown' };
  }
}

function readCsv(bytes: Uint8Array): RegisterFileRows {
  const { text, encoding } = decode(bytes);
  // Blank lines stay in (planRegisterImport skips them) so that row index + 1 is the row number Excel
  // shows, which is what the error report quotes; only the trailing ones are dropped.
  const result = Papa.parse<unknown[]>(text, { skipEmptyLines: false });
  // Papaparse reports ragged rows and guessed delimiters as errors, but the rows it returns are still
  // right; only an unclosed quote loses data, and that one must stop the import.
  const quoteError = result.errors.find((e) => e.type === 'Quotes');
  if (quoteError) {
    throw new Error(
      `CSV 文件第 ${(quoteError.row ?? 0) + 1} 行附近的引号没有配对，无法可靠读取：请在 Excel 中打开后重新另存为 CSV。`,
    );
  }
  const rows = result.data;
  while (rows.length > 0 && rows.at(-1)!.every((cell) => cell === '')) rows.pop();
  return { rows, encoding };
}

async function readXlsx(buffer: ArrayBuffer): Promise<unknown[][]> {
  try {
    return await readSheet(buffer);
  } catch (cause) {
    throw new Error(
      '无法读取这个 Excel 文件：文件可能已损坏、已加密，或不是 .xlsx 格式。请在 Excel 中另存为 .xlsx 后重试。',
      {
        cause,
      },
    );
  }
}
