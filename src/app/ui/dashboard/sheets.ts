import type { Dashboard } from '../../../shared/dashboard.ts';
import type { TableSheet } from '../../export/table-xlsx.ts';
import { dt } from './dt.ts';
import type { Ratio } from './figure-format.ts';

/**
 * The dashboard's two tables as they go to Excel: the same rows the screen shows, with the scope and
 * the "数据截至" time under the title. A share goes as a number (0…1, shown as a percentage), empty
 * when there was nothing to divide by.
 */
const share = ({ part, whole }: Ratio): number | null => (whole === 0 ? null : part / whole);

export function rankingSheet(dashboard: Dashboard, lines: readonly string[]): TableSheet {
  return {
    title: dt('dashRanking'),
    lines,
    columns: [
      { header: dt('dashRank'), width: 6, kind: 'number' },
      { header: dt('dashGrid'), width: 24, kind: 'text' },
      { header: dt('dashScore'), width: 8, kind: 'number' },
      { header: dt('dashVisitsRate'), width: 10, kind: 'percent' },
      { header: dt('dashOnTime'), width: 12, kind: 'percent' },
      { header: dt('dashResponded'), width: 10, kind: 'percent' },
    ],
    rows: dashboard.ranking.map((row, i) => [
      i + 1,
      row.name,
      row.score,
      share(row.visitsDone),
      share(row.resolvedOnTime),
      share(row.responded),
    ]),
  };
}

export function workersSheet(dashboard: Dashboard, lines: readonly string[]): TableSheet {
  return {
    title: dt('dashWorkers'),
    lines,
    columns: [
      { header: dt('dashWorker'), width: 12, kind: 'text' },
      { header: dt('dashWorkerVisits'), width: 10, kind: 'number' },
      { header: dt('dashWorkerFound'), width: 10, kind: 'number' },
      { header: dt('dashWorkerOnTime'), width: 10, kind: 'number' },
    ],
    rows: dashboard.workers.map((row) => [row.name, row.visits, row.problemsFound, row.resolvedOnTime]),
  };
}
