import type { Dashboard } from '../../../shared/dashboard.ts';
import type { TableSheet } from '../../export/table-xlsx.ts';
import { t } from '../i18n/index.ts';
import type { Ratio } from './figure-format.ts';

/**
 * The dashboard's two tables as they go to Excel: the same rows the screen shows, with the scope and
 * the "数据截至" time under the title. A share goes as a number (0…1, shown as a percentage), empty
 * when there was nothing to divide by.
 */
const share = ({ part, whole }: Ratio): number | null => (whole === 0 ? null : part / whole);

export function rankingSheet(dashboard: Dashboard, lines: readonly string[]): TableSheet {
  return {
    title: t('dashRanking'),
    lines,
    columns: [
      { header: t('dashRank'), width: 6, kind: 'number' },
      { header: t('dashGrid'), width: 24, kind: 'text' },
      { header: t('dashScore'), width: 8, kind: 'number' },
      { header: t('dashVisitsRate'), width: 10, kind: 'percent' },
      { header: t('dashOnTime'), width: 12, kind: 'percent' },
      { header: t('dashResponded'), width: 10, kind: 'percent' },
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
    title: t('dashWorkers'),
    lines,
    columns: [
      { header: t('dashWorker'), width: 12, kind: 'text' },
      { header: t('dashWorkerVisits'), width: 10, kind: 'number' },
      { header: t('dashWorkerFound'), width: 10, kind: 'number' },
      { header: t('dashWorkerOnTime'), width: 10, kind: 'number' },
    ],
    rows: dashboard.workers.map((row) => [row.name, row.visits, row.problemsFound, row.resolvedOnTime]),
  };
}
