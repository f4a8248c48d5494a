/**
 * Needs, visits per day and the workers' month: the figures that are not problems nor today's round.
 * Visits come from visit_days (visit-summaries.ts), never from a month of visit rows.
 */
import type { DashboardPeriods } from '../../shared/domain/dashboard/index.ts';
import { NEED_TYPES, OPEN_NEED_STATUSES } from '../../shared/schemas/need.ts';
import type { SqlExecutor } from '../store/sql.ts';
import type { SqlFilter, Store } from '../store/store.ts';
import { gridCondition, type DashboardScope } from './grids.ts';
import { all } from './problem-sql.ts';

const n = (value: unknown) => Number(value ?? 0);
const quoted = (values: readonly string[]) => `(${values.map((v) => `'${v}'`).join(', ')})`;

/** The conditions of the needs figures (category holds a need's type, resolved_at when it was met). */
export function needConditions(scope: DashboardScope, p: DashboardPeriods) {
  const needs: SqlFilter = all(
    { sql: "town_id = ? AND kind = 'needs' AND is_deleted = 0", params: [scope.townId] },
    gridCondition(scope),
  );
  return {
    open: all(needs, { sql: `status IN ${quoted(OPEN_NEED_STATUSES)}`, params: [] }),
    metThisMonth: all(needs, { sql: 'resolved_at >= ? AND resolved_at <= ?', params: [p.monthStart, p.now] }),
  };
}

export async function needFigures(sql: SqlExecutor, scope: DashboardScope, p: DashboardPeriods) {
  const c = needConditions(scope, p);
  const byType = async (where: SqlFilter) => {
    const counts: Record<string, number> = Object.fromEntries(Object.keys(NEED_TYPES).map((t) => [t, 0]));
    const rows = await sql.all<{ category: string; n: number }>(
      `SELECT category, COUNT(*) AS n FROM records WHERE ${where.sql} GROUP BY category`,
      where.params,
    );
    for (const row of rows) counts[row.category] = (counts[row.category] ?? 0) + n(row.n);
    return counts;
  };
  return { openByType: await byType(c.open), metByType: await byType(c.metThisMonth) };
}

/** Visits that count (已访) per day over [fromDay, toDay], and per writing device. */
export async function visitDays(sql: SqlExecutor, scope: DashboardScope, fromDay: string, toDay: string) {
  const where = all(
    { sql: 'town_id = ? AND day >= ? AND day <= ?', params: [scope.townId, fromDay, toDay] },
    gridCondition(scope),
  );
  return sql.all<{ day: string; written_by: string; counted: number }>(
    `SELECT day, written_by, SUM(counted) AS counted FROM visit_days WHERE ${where.sql} GROUP BY day, written_by`,
    where.params,
  );
}

export interface WorkerAccount {
  userId: string;
  name: string;
  clientIds: string[];
}

/**
 * The workers and helpers of the scope's grids (any of their grids counted), with the devices they
 * pushed from: a visit is credited to the account whose device wrote it.
 */
export async function workersOf(store: Store, scope: DashboardScope): Promise<WorkerAccount[]> {
  const users = (await store.accounts.list(scope.townId)).filter(
    (user) =>
      (user.role === 'worker' || user.role === 'helper') &&
      user.revokedAt === null &&
      (scope.gridIds === null || user.gridIds.some((id) => scope.gridIds!.has(id))),
  );
  if (users.length === 0) return [];
  const clients = await store.sql.all<{ client_id: string; user_id: string }>(
    'SELECT client_id, user_id FROM clients WHERE town_id = ?',
    [scope.townId],
  );
  const byUser = new Map<string, string[]>();
  for (const row of clients) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.client_id]);
  return users.map((user) => ({ userId: user.id, name: user.name, clientIds: byUser.get(user.id) ?? [] }));
}
