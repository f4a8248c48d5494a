/**
 * Turns a chosen file into rows of cell values for planRegisterImport. The parsers live here, not in the
 * shared domain code, so the UI can lazy-load them only when someone actually imports a file.
 */
import { readSheet } from 'read-excel-file/browser';
import { readCsvRows } from '../../shared/csv.ts';

export const ACCEPTED_REGISTER_FILE_TYPES = '.csv,.xlsx';

export interface RegisterFileRows {
  rows: unknown[][];
  /** How a CSV file was decoded; undefined for .xlsx, which is always UTF-8 inside. */
  encoding?: string;
}

export async function readRegisterFile(file: Blob & { name: string }): Promise<RegisterFileRows> {
  const extension = /\.([^.]+)$/.exec(file.name.trim())?.[1]?.toLowerCase();
  if (extension === 'csv') return readCsvRows(new Uint8Array(await file.arrayBuffer()));
  if (extension === 'xlsx') return { rows: await readXlsx(await file.arrayBuffer()) };
  if (extension === 'xls') {
    throw new Error('不支持旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入。');
  }
  throw new Error(`不支持“${file.name}”这种文件：请选择 .xlsx（Excel 工作簿）或 .csv（逗号分隔）文件。`);
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
