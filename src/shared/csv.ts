/**
 * Reading CSV files made by people (Excel and WPS on Chinese Windows): used by the register import in
 * the app and by the server's town loader. Isomorphic: TextDecoder and papaparse run in both.
 */
import Papa from 'papaparse';

/** Decodes a CSV file as Chinese Excel and WPS save it: UTF-16 with a BOM, UTF-8, or GBK (gb18030). */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
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

/**
 * A CSV file's rows as strings, blank lines kept (so row index + 1 is the line number Excel and WPS show),
 * trailing blank lines dropped. Throws, in Chinese, when a quote is left open: that one loses data.
 */
export function readCsvRows(bytes: Uint8Array): { rows: string[][]; encoding: string } {
  const { text, encoding } = decodeText(bytes);
  // Blank lines stay in (planRegisterImport skips them) so that row index + 1 is the row number Excel
  // shows, which is what the error report quotes; only the trailing ones are dropped.
  const result = Papa.parse<string[]>(text, { skipEmptyLines: false });
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
