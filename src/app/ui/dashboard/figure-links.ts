import { DASHBOARD_LIST_PARAMS, type DashboardFigure } from '../../../shared/dashboard.ts';
import type { FigureParams } from '../../../shared/domain/dashboard/figure-value.ts';
import { hrefOf } from '../../state/router.svelte.ts';

/**
 * Where a figure taps through to: the list behind it, #/dashboard/list/<figure>/<params>, the same
 * figure key and cell parameters GET /api/dashboard/list takes (DASHBOARD_FIGURES), so the list's
 * count is the figure's.
 */
export interface FigureLink {
  figure: DashboardFigure;
  params: FigureParams;
}

/** "severity=red&gridId=…", in a fixed order, so one cell always has one address. */
export function paramsText(params: FigureParams): string {
  const entries = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return new URLSearchParams(entries).toString();
}

export function figureHref(figure: DashboardFigure, params: FigureParams = {}): string {
  return hrefOf({ page: 'dashboard-list', figure, cell: paramsText(params) });
}

/** What a figure's link carries for the tests and the list page: "problems.overdue?severity=red". */
export function figureId(figure: DashboardFigure, params: FigureParams = {}): string {
  const query = paramsText(params);
  return query ? `${figure}?${query}` : figure;
}

/** The link attributes of a figure: its address, its id, and the count its list must show. */
export function figureAttrs(figure: DashboardFigure, params: FigureParams, count: number) {
  return {
    href: figureHref(figure, params),
    'data-figure': figureId(figure, params),
    'data-count': count,
    'data-testid': 'dash-figure',
  };
}

const PARAM_NAMES: ReadonlySet<string> = new Set<string>([...DASHBOARD_LIST_PARAMS, 'gridId']);

/** The cell of an address back into parameters; names the list does not take are dropped. */
export function paramsOf(cell: string): FigureParams {
  const params: FigureParams = {};
  for (const [name, value] of new URLSearchParams(cell)) {
    if (PARAM_NAMES.has(name)) params[name as keyof FigureParams] = value;
  }
  return params;
}
