/**
 * Problems (issue 4) on a phone-sized CPU: the daily list as XLSX for a whole town's day and for a
 * typical one, and compressing a camera photo. Inputs are made in the page before the CPU is throttled.
 */
import type { Page } from '@playwright/test';
import { CPU_THROTTLING_RATE, withCpuThrottling } from './browser.ts';
import { callMorePage, loadNote, openMorePage, serveMorePage, type MorePage } from './page-more/host.ts';
import { progress } from './progress.ts';
import { attempt, figure, type MeasuredFigure } from './report.ts';
import { median, round } from './stats.ts';

/** The export day: every problem made for it is reported or worked on that day. */
export const EXPORT_DAY = '2026-11-22';
const EXPORT_RUNS = 3;
const PHOTO = { width: 4000, height: 3000 };
const COMPRESS_RUNS = 3;

const list = (values: readonly number[]) => values.map((v) => v.toFixed(0)).join(', ');
const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;

/** Throttled only around the timed calls: making 10,000 problems or a 12-megapixel picture is set-up. */
const at4x = <T>(page: Page, work: () => Promise<T>): Promise<T> =>
  withCpuThrottling(page, CPU_THROTTLING_RATE, work);

async function exportFigure(site: MorePage, count: number, maxMs: number): Promise<MeasuredFigure[]> {
  const problems = await callMorePage(site.page, 'prepareProblems', count, EXPORT_DAY);
  const timing = await at4x(site.page, () => callMorePage(site.page, 'timeXlsxExport', count, EXPORT_RUNS));
  progress(`export ${count} problems: runs ${list(timing.runsMs)} ms (rows ${list(timing.rowsMs)} ms)`);
  return [
    figure(
      `export ${count.toLocaleString('en-US')} problems to XLSX (4x)`,
      round(median(timing.runsMs), 0),
      'ms',
      `median of ${EXPORT_RUNS} (runs: ${list(timing.runsMs)} ms), buildDailyListRows + buildDailyListSummary + ` +
        `dailyListToXlsx to a Blob; rows alone ${list(timing.rowsMs)} ms; ${timing.rows} rows, ` +
        `${problems.events} history events (1-6 per problem, made with applyProblemAction), 76 grids, ` +
        `Chinese descriptions; file ${kb(timing.bytes)}; selection (selectDailyProblems) made before the clock; ` +
        `${CPU_THROTTLING_RATE}x throttling; ${loadNote()}`,
      maxMs,
    ),
  ];
}

export interface ProblemBenchOptions {
  /** Also split the export into its parts: making the rows, and writing the workbook. */
  investigate?: boolean;
}

export async function runProblemBench({ investigate = false }: ProblemBenchOptions = {}): Promise<
  MeasuredFigure[]
> {
  const server = await serveMorePage();
  const site = await openMorePage(server.origin, 'problems');
  try {
    const big = await attempt('Export 10,000 problems', () => exportFigure(site, 10_000, 2000));
    const split = investigate
      ? await attempt('Investigate the export', async () => {
          const parts = await at4x(site.page, () => callMorePage(site.page, 'investigateXlsx', 10_000));
          await callMorePage(site.page, 'prepareProblems', 1_000, EXPORT_DAY);
          const thousand = await at4x(site.page, () => callMorePage(site.page, 'investigateXlsx', 1_000));
          const split = (what: string, p: typeof parts) =>
            `${what}: buildDailyListRows ${p.rowsMs.toFixed(0)} ms, dailyListToXlsx ${p.writerMs.toFixed(0)} ms ` +
            `(${kb(p.bytes)})`;
          return [
            figure(
              'Investigate: XLSX writer share of 10,000 rows (4x)',
              round(parts.writerMs, 0),
              'ms',
              `one run each; ${split('10,000 rows', parts)}; ${split('1,000 rows', thousand)}`,
            ),
          ];
        })
      : [];
    const small = await attempt('Export 1,000 problems', () => exportFigure(site, 1_000, 300));
    const photo = await attempt('Compress a photo', async () => {
      const original = await callMorePage(site.page, 'preparePhoto', PHOTO.width, PHOTO.height);
      progress(`photo ${original.width}x${original.height}, ${kb(original.bytes)}; compressing`);
      const timing = await at4x(site.page, () => callMorePage(site.page, 'timeCompressPhoto', COMPRESS_RUNS));
      progress(`compress: runs ${list(timing.runsMs)} ms`);
      return [
        figure(
          'compress a 4000x3000 photo (4x)',
          round(median(timing.runsMs), 0),
          'ms',
          `compressPhoto(blob) (createImageBitmap decode + resize, max 1600 px, JPEG 0.8), median of ${COMPRESS_RUNS} ` +
            `(runs: ${list(timing.runsMs)} ms); input ${original.width}x${original.height} JPEG q0.92 of ` +
            `${kb(original.bytes)} drawn in the page (gradients, shapes, noise); output ${timing.width}x${timing.height}, ` +
            `${kb(timing.bytes)}; ${CPU_THROTTLING_RATE}x throttling (it slows the page's main thread; the decode and ` +
            `resize run on the browser's image threads, as they would on a phone's other cores); ${loadNote()}`,
          1000,
        ),
      ];
    });
    return [...big, ...split, ...small, ...photo];
  } finally {
    await site.close();
    await server.close();
  }
}
