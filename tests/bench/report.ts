import { writeFile } from 'node:fs/promises';
import { progress } from './progress.ts';

/** One row of the bench report, as written to the JSON file other issues append to. */
export interface Figure {
  figure: string;
  /** null when the measurement failed; the note then says why. */
  value: number | null;
  unit: string;
  /** Human-readable, e.g. "<= 1.2 x"; null for context rows that have no target. */
  target: string | null;
  note: string;
}

/** A figure with a numeric ceiling, so the table can say whether it was met. */
export interface MeasuredFigure extends Figure {
  maxAllowed?: number;
}

export function figure(
  name: string,
  value: number | null,
  unit: string,
  note: string,
  maxAllowed?: number,
): MeasuredFigure {
  return {
    figure: name,
    value,
    unit,
    target: maxAllowed === undefined ? null : `<= ${maxAllowed} ${unit}`,
    note,
    ...(maxAllowed === undefined ? {} : { maxAllowed }),
  };
}

export function failedFigure(name: string, unit: string, error: unknown): MeasuredFigure {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return figure(name, null, unit, `FAILED: ${message}`);
}

/** Enough digits to compare runs, no more: ratios to 0.01, seconds to 0.01, ms and KB to 0.1. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  const digits = unit === 'ms' && value >= 100 ? 0 : unit === 'x' || unit === 's' ? 2 : 1;
  return `${value.toFixed(digits)} ${unit}`;
}

function verdict(row: MeasuredFigure): string {
  if (row.target === null) return '';
  if (row.value === null || row.maxAllowed === undefined) return row.target;
  return `${row.target} (${row.value <= row.maxAllowed ? 'met' : 'MISSED'})`;
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function markdownTable(rows: readonly MeasuredFigure[]): string {
  const lines = ['| figure | measured | target | note |', '| --- | --- | --- | --- |'];
  for (const row of rows) {
    const cells = [row.figure, formatValue(row.value, row.unit), verdict(row), row.note];
    lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
  }
  return lines.join('\n');
}

export async function writeJsonReport(path: string, rows: readonly MeasuredFigure[]): Promise<void> {
  const figures: Figure[] = rows.map(({ figure: name, value, unit, target, note }) => ({
    figure: name,
    value,
    unit,
    target,
    note,
  }));
  await writeFile(path, `${JSON.stringify(figures, null, 2)}\n`);
}

/** Runs one group of measurements; a crash becomes a FAILED row, so the other figures still report. */
export async function attempt(
  label: string,
  measure: () => Promise<MeasuredFigure[]>,
): Promise<MeasuredFigure[]> {
  try {
    return await measure();
  } catch (error) {
    progress(`${label} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return [failedFigure(label, '', error)];
  }
}

export const hasFailures = (rows: readonly MeasuredFigure[]) => rows.some((row) => row.value === null);
