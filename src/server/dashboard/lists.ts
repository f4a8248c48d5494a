/**
 * GET /api/dashboard/list: the rows behind one figure, counted by the same conditions (problems,
 * needs, visits) or taken from the same due lists (the round) as the figure itself, so `count` is the
 * figure. Rows carry an id to open and a short label; the first `limit` are sent, newest first.
 */
import {
  DASHBOARD_FIGURES,
  DASHBOARD_LIST_PARAMS,
  dashboardPeriods,
  overdueTagKeys,
  type DashboardFigure,
  type DashboardPeriods,
} from '../../shared/domain/dashboard/index.ts';
import type { DashboardList, DashboardListQuery, DashboardListRow } from '../../shared/dashboard.ts';
import { BUILT_IN_TEMPLATES } from '../../shared/domain/checklist-templates.ts';
import { NEED_TYPES, type Need } from '../../shared/schemas/need.ts';
import {
  HANDLING_LEVELS,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  SEVERITIES,
  type Problem,
} from '../../shared/schemas/problem.ts';
import { CARE_TAG_CODES } from '../../shared/schemas/care-tags.ts';
import { SHIFTS, VISIT_OUTCOMES, type Visit } from '../../shared/schemas/visit.ts';
import type { Household } from '../../shared/schemas/household.ts';
import type { SqlFilter, Store } from '../store/store.ts';
import { COUNTED_OUTCOMES_SQL } from '../store/record-columns.ts';
import { needConditions, workersOf } from './activity.ts';
import { gridRounds } from './dashboard.ts';
import { gridCondition, type DashboardScope } from './grids.ts';
import { all, problemConditions, problemRows } from './problem-sql.ts';
import type { GridRound } from './round-figures.ts';
import { UNTAGGED } from '../../shared/domain/dashboard/figures.ts';

export class DashboardListError extends Error {}

const short = (text: string, max = 30) => (text.length > max ? `${text.slice(0, max)}…` : text);
const n = (value: unknown) => Number(value ?? 0);

/** A parameter's value when it is one of the table's codes; else a 400. */
function codeOf<T extends string>(
  table: Record<T, unknown>,
  value: string | undefined,
  what: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(value in table)) throw new DashboardListError(`${what}无效：${short(value, 20)}`);
  return value as T;
}

function checkParams(query: DashboardListQuery) {
  const definition = DASHBOARD_FIGURES[query.figure];
  const allowed: readonly string[] = definition.params;
  for (const param of DASHBOARD_LIST_PARAMS) {
    if (query[param] !== undefined && !allowed.includes(param))
      throw new DashboardListError(`统计项“${definition.zh}”不按 ${param} 细分`);
  }
  const required = 'requires' in definition ? definition.requires : undefined;
  if (required !== undefined && query[required] === undefined)
    throw new DashboardListError(`统计项“${definition.zh}”需要参数 ${required}`);
  if (query.severity !== undefined && query.level !== undefined)
    throw new DashboardListError('颜色和层级一次只能选一个');
  codeOf(SEVERITIES, query.severity, '颜色');
  codeOf(HANDLING_LEVELS, query.level, '办理层级');
  codeOf(PROBLEM_CATEGORIES, query.category, '问题类别');
  codeOf(PROBLEM_SOURCES, query.source, '问题来源');
  codeOf(NEED_TYPES, query.type, '需求类型');
  codeOf(SHIFTS, query.shift, '班次');
  if (query.tag !== undefined && query.tag !== UNTAGGED && !(CARE_TAG_CODES as string[]).includes(query.tag))
    throw new DashboardListError(`人群标签无效：${short(query.tag, 20)}`);
}

/** The problem conditions of a problem figure, with its cell. */
function problemWhere(
  query: DashboardListQuery,
  scope: DashboardScope,
  p: DashboardPeriods,
): { where: SqlFilter; order: string } | undefined {
  const c = problemConditions(p);
  const day = query.day === undefined ? -1 : p.trendDays.indexOf(query.day);
  // A day outside the trend has nothing behind it.
  const nothing: SqlFilter = { sql: '0 = 1', params: [] };
  const reported = (...conditions: SqlFilter[]) => ({ conditions, order: 'reported_at' });
  const closed = (...conditions: SqlFilter[]) => ({ conditions, order: 'resolved_at' });
  const byKey: Partial<Record<DashboardFigure, () => { conditions: SqlFilter[]; order: string }>> = {
    'problems.new-today': () => reported(c.newToday),
    'problems.new-week': () => reported(c.newWeek),
    'problems.new-month': () => reported(c.newMonth),
    'problems.responded': () => reported(c.newMonth, c.respondedInTime),
    'problems.response-missed': () => reported(c.newMonth, c.responseMissed),
    'problems.resolved-on-time': () => closed(c.resolvedOnTimeThisMonth),
    'problems.resolved-late': () => ({ conditions: [c.resolvedLateThisMonth], order: 'due_at' }),
    'problems.open': () => reported(c.open),
    'problems.overdue': () => ({ conditions: [c.overdue], order: 'due_at' }),
    'problems.by-category': () => reported(c.newMonth),
    'problems.by-source': () => reported(c.newMonth),
    'problems.closed': () => closed(c.closedThisMonth),
    'problems.feedback-given': () => closed(c.closedThisMonth, c.feedbackGiven),
    'problems.evaluated': () => closed(c.closedThisMonth, c.evaluated),
    'trend.reported': () => reported(day < 0 ? nothing : c.reportedOn(day)),
    'trend.resolved': () => closed(day < 0 ? nothing : c.closedOn(day)),
    'workers.problems-found': () => reported(c.newMonth, { sql: 'reporter_id = ?', params: [query.userId] }),
    'workers.resolved-on-time': () =>
      closed(c.resolvedOnTimeThisMonth, { sql: 'resolver_id = ?', params: [query.userId] }),
  };
  const figure = byKey[query.figure]?.();
  if (figure === undefined) return undefined;
  const cell = (column: string, value: string | number | undefined): SqlFilter[] =>
    value === undefined ? [] : [{ sql: `${column} = ?`, params: [value] }];
  const where = all(
    problemRows(scope.townId),
    gridCondition(scope),
    ...figure.conditions,
    ...cell('severity', query.severity),
    ...cell('level', query.level === undefined ? undefined : Number(query.level)),
    ...cell('category', query.category),
    ...cell('source', query.source),
  );
  return { where, order: figure.order };
}

/** COUNT(*) and the first `limit` rows of a condition on records, newest first by `order`. */
async function selectRows(store: Store, where: SqlFilter, order: string, limit: number) {
  const counted = await store.sql.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM records WHERE ${where.sql}`,
    where.params,
  );
  const rows = await store.sql.all<{ id: string; grid_id: string | null; at: number | null; data: string }>(
    `SELECT id, grid_id, ${order} AS at, data FROM records WHERE ${where.sql} ORDER BY ${order} DESC, id LIMIT ?`,
    [...where.params, limit],
  );
  return { count: n(counted?.n), rows };
}

/** Each household's address and grid, for the rows naming it. */
async function householdsById(store: Store, townId: string, ids: readonly string[]) {
  const found = await store.records.getMany(
    townId,
    ids.map((id) => ({ kind: 'households' as const, id })),
  );
  const households = new Map<string, Household>();
  for (const record of found.values()) households.set(record.id, record.data as Household);
  return households;
}

function householdsOf(
  query: DashboardListQuery,
  scope: DashboardScope,
  rounds: readonly GridRound[],
): string[] {
  const pick: Partial<Record<DashboardFigure, (round: GridRound) => string[]>> = {
    'round.daily-due': (r) =>
      r.items.filter((i) => i.cadence === 'daily' && i.status !== 'upcoming').map((i) => i.householdId),
    'round.daily-done': (r) =>
      r.items.filter((i) => i.cadence === 'daily' && i.status === 'done').map((i) => i.householdId),
    'round.due': (r) => r.items.filter((i) => i.status !== 'upcoming').map((i) => i.householdId),
    'round.done': (r) => r.items.filter((i) => i.status === 'done').map((i) => i.householdId),
    'round.overdue': (r) => r.items.filter((i) => i.status === 'overdue').map((i) => i.householdId),
    'round.overdue-by-tag': (r) =>
      r.items
        .filter((i) => i.status === 'overdue' && overdueTagKeys(i, scope.seesSensitive).includes(query.tag!))
        .map((i) => i.householdId),
    'round.scheduled': (r) => r.items.map((i) => i.householdId),
    'round.up-to-date': (r) => r.items.filter((i) => i.status !== 'overdue').map((i) => i.householdId),
    'round.catch-up': (r) => r.catchUp.listed,
    'round.catch-up-done': (r) => r.catchUp.done,
  };
  return rounds.flatMap((round) => pick[query.figure]?.(round) ?? []);
}

export async function dashboardList(
  store: Store,
  scope: DashboardScope,
  query: DashboardListQuery,
  now: number,
): Promise<DashboardList> {
  checkParams(query);
  const p = dashboardPeriods(now);
  const { figure, limit } = query;
  const answer = (count: number, rows: DashboardListRow[]): DashboardList => ({
    asOf: now,
    figure,
    count,
    rows: rows.slice(0, limit),
    isTruncated: count > limit,
  });
  return store.transaction(
    async (tx) => {
      const problems = problemWhere(query, scope, p);
      if (problems) {
        const { count, rows } = await selectRows(tx, problems.where, problems.order, limit);
        return answer(
          count,
          rows.map((row) => {
            const problem = JSON.parse(row.data) as Problem;
            return {
              key: row.id,
              kind: 'problems',
              id: row.id,
              label: `${PROBLEM_CATEGORIES[problem.category].zh}·${short(problem.description)}`,
              gridId: row.grid_id,
              at: row.at === null ? null : n(row.at),
            };
          }),
        );
      }
      if (figure === 'needs.open' || figure === 'needs.met') {
        const c = needConditions(scope, p);
        const type: SqlFilter[] =
          query.type === undefined ? [] : [{ sql: 'category = ?', params: [query.type] }];
        const where = all(figure === 'needs.open' ? c.open : c.metThisMonth, ...type);
        const { count, rows } = await selectRows(
          tx,
          where,
          figure === 'needs.open' ? 'reported_at' : 'resolved_at',
          limit,
        );
        return answer(
          count,
          rows.map((row) => {
            const need = JSON.parse(row.data) as Need;
            return {
              key: row.id,
              kind: 'needs',
              id: row.id,
              label: `${NEED_TYPES[need.type].zh}·${short(need.description)}`,
              gridId: row.grid_id,
              at: row.at === null ? null : n(row.at),
            };
          }),
        );
      }
      if (figure === 'trend.visits' || figure === 'workers.visits') {
        const clients =
          figure === 'workers.visits'
            ? ((await workersOf(tx, scope)).find((w) => w.userId === query.userId)?.clientIds ?? [])
            : [];
        const days: SqlFilter =
          figure === 'trend.visits'
            ? { sql: 'day = ? AND day >= ? AND day <= ?', params: [query.day, p.trendDays[0], p.today] }
            : { sql: 'day >= ? AND day <= ?', params: [p.monthStartDay, p.today] };
        const byDevice: SqlFilter[] =
          figure === 'workers.visits'
            ? [
                {
                  sql:
                    clients.length === 0 ? '0 = 1' : `written_by IN (${clients.map(() => '?').join(', ')})`,
                  params: clients,
                },
              ]
            : [];
        const where = all(
          {
            sql: `town_id = ? AND kind = 'visits' AND is_deleted = 0 AND status IN ${COUNTED_OUTCOMES_SQL}`,
            params: [scope.townId],
          },
          gridCondition(scope),
          days,
          ...byDevice,
        );
        const { count, rows } = await selectRows(tx, where, 'reported_at', limit);
        const visits = rows.map((row) => JSON.parse(row.data) as Visit);
        const households = await householdsById(
          tx,
          scope.townId,
          visits.map((v) => v.householdId),
        );
        return answer(
          count,
          visits.map((visit) => ({
            key: visit.id,
            kind: 'visits',
            id: visit.id,
            label: `${households.get(visit.householdId)?.address ?? '—'}·${VISIT_OUTCOMES[visit.outcome].zh}`,
            gridId: visit.gridId,
            at: visit.visitedAt,
          })),
        );
      }

      // The round: the same due lists, checks and runs as the figures.
      const rounds = await gridRounds(tx, scope, p.today);
      if (figure === 'checks.due' || figure === 'checks.done') {
        const rows = rounds
          .flatMap((round) => round.checks.map((row) => ({ row, gridId: round.figures.gridId })))
          .filter(
            ({ row }) =>
              (query.shift === undefined || row.shift === query.shift) &&
              (figure === 'checks.due' || row.run !== undefined),
          )
          .map(({ row, gridId }): DashboardListRow => ({
            key: `${row.target.templateId}:${row.target.targetId}:${row.shift}`,
            kind: 'checks',
            id: row.run?.id ?? row.target.targetId,
            label: `${row.target.targetName}·${row.target.templateName}·${SHIFTS[row.shift].zh}`,
            gridId,
            at: row.run?.completedAt ?? null,
          }));
        return answer(rows.length, rows);
      }
      if (figure === 'checks.failed-items') {
        const own = await tx.records.live(scope.townId, 'checklistTemplates');
        const templates = new Map([...BUILT_IN_TEMPLATES, ...own].map((t) => [t.id, t]));
        const rows = rounds.flatMap((round) =>
          round.failedItems.map(({ run, itemId }): DashboardListRow => {
            const text =
              templates.get(run.templateId)?.items.find((item) => item.id === itemId)?.text ?? itemId;
            return {
              key: `${run.id}:${itemId}`,
              kind: 'items',
              id: run.id,
              label: short(text),
              gridId: run.gridId,
              at: run.completedAt,
            };
          }),
        );
        return answer(rows.length, rows);
      }
      const ids = householdsOf(query, scope, rounds);
      const households = await householdsById(tx, scope.townId, ids.slice(0, limit));
      return answer(
        ids.length,
        ids.slice(0, limit).map((id) => ({
          key: id,
          kind: 'households',
          id,
          label: households.get(id)?.address ?? '—',
          gridId: households.get(id)?.gridId ?? null,
          at: null,
        })),
      );
    },
    { readOnlySnapshot: true },
  );
}
