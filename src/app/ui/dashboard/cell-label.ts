import type { Dashboard } from '../../../shared/dashboard.ts';
import type { FigureParams } from '../../../shared/domain/dashboard/figure-value.ts';
import { UNTAGGED } from '../../../shared/domain/dashboard/figures.ts';
import {
  CARE_TAGS,
  HANDLING_LEVELS,
  NEED_TYPES,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  SEVERITIES,
  SHIFTS,
} from '../../../shared/schemas/index.ts';
import { label } from '../i18n/index.ts';
import { dt } from './dt.ts';

type Labels = Record<string, { zh: string; en: string }>;

const TABLES: Partial<Record<keyof FigureParams, Labels>> = {
  severity: SEVERITIES,
  level: HANDLING_LEVELS,
  category: PROBLEM_CATEGORIES,
  source: PROBLEM_SOURCES,
  tag: CARE_TAGS,
  type: NEED_TYPES,
  shift: SHIFTS,
};

/**
 * The cell of a figure in words, for the list's title: "红", "幸福社区第1网格 · 白班", "王丽". Grid and
 * worker names come from the dashboard the list was opened from (the cached one offline).
 */
export function cellLabel(params: FigureParams, dashboard?: Dashboard): string {
  const parts: string[] = [];
  if (params.gridId !== undefined) {
    const grid = dashboard?.round.perGrid.find((row) => row.gridId === params.gridId);
    parts.push(grid?.name ?? params.gridId);
  }
  if (params.userId !== undefined) {
    const worker = dashboard?.workers.find((row) => row.userId === params.userId);
    parts.push(worker?.name ?? params.userId);
  }
  for (const [name, table] of Object.entries(TABLES) as Array<[keyof FigureParams, Labels]>) {
    const code = params[name];
    if (code === undefined) continue;
    if (name === 'tag' && code === UNTAGGED) parts.push(dt('dashUntagged'));
    else parts.push(table[code] ? label(table[code]) : code);
  }
  if (params.day !== undefined) parts.push(params.day);
  return parts.join(' · ');
}
