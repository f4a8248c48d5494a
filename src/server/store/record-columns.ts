/**
 * The records table's typed columns: copied out of each record's data on every write, so the
 * dashboard counts with SQL over plain columns on both engines instead of parsing JSON. Which column
 * holds what depends on the kind (one narrow table rather than a column per kind's field):
 *
 * | column        | problems            | visits      | people  | needs            | checklistRuns |
 * |---------------|---------------------|-------------|---------|------------------|---------------|
 * | status        | status              | outcome     | status  | status           |               |
 * | category      | category            |             |         | type             |               |
 * | reported_at   | reportedAt          | visitedAt   |         | createdAt        | completedAt   |
 * | resolved_at   | resolvedAt          |             |         | met at (metAtOf) |               |
 * | household_id  |                     | householdId | …       | householdId      |               |
 * | day, shift    |                     | day, shift  |         |                  | day, shift    |
 *
 * problems also fill severity, level, source, due_at, responded_at (respondedAtOf), reporter_id,
 * resolver_id (resolverOf) and score (scoreOf); people fill tags (JSON); every kind fills updated_at.
 * The rules that derive a column (respondedAtOf, metAtOf…) are the dashboard's shared ones, so a
 * column means exactly what the figure counting it means.
 */
import type { RecordKind, RecordOf } from '../../shared/records.ts';
import { REACHED_OUTCOMES } from '../../shared/domain/day-summary.ts';
import { respondedAtOf, resolverOf, scoreOf } from '../../shared/domain/dashboard/problem-rules.ts';
import { metAtOf } from '../../shared/domain/dashboard/round-rules.ts';

/** In the order typedColumnsOf returns them. The first eight came with schema step 2. */
export const TYPED_COLUMNS = [
  'status',
  'severity',
  'level',
  'category',
  'source',
  'reported_at',
  'due_at',
  'resolved_at',
  'updated_at',
  'household_id',
  'day',
  'shift',
  'tags',
  'responded_at',
  'reporter_id',
  'resolver_id',
  'score',
] as const;

type Columns = Partial<Record<(typeof TYPED_COLUMNS)[number], string | number | null>>;

function columnsOf(kind: RecordKind, record: RecordOf<RecordKind>): Columns {
  switch (kind) {
    case 'problems': {
      const p = record as RecordOf<'problems'>;
      return {
        status: p.status,
        severity: p.severity,
        level: p.level,
        category: p.category,
        source: p.source,
        reported_at: p.reportedAt,
        due_at: p.dueAt,
        resolved_at: p.resolvedAt ?? null,
        responded_at: respondedAtOf(p),
        reporter_id: p.reporter.userId ?? null,
        resolver_id: resolverOf(p),
        score: scoreOf(p),
      };
    }
    case 'visits': {
      const v = record as RecordOf<'visits'>;
      return {
        status: v.outcome,
        reported_at: v.visitedAt,
        household_id: v.householdId,
        day: v.day,
        shift: v.shift,
      };
    }
    case 'people': {
      const p = record as RecordOf<'people'>;
      return { status: p.status, household_id: p.householdId, tags: JSON.stringify(p.tags) };
    }
    case 'needs': {
      const n = record as RecordOf<'needs'>;
      return {
        status: n.status,
        category: n.type,
        reported_at: n.createdAt,
        resolved_at: metAtOf(n),
        household_id: n.householdId,
      };
    }
    case 'checklistRuns': {
      const r = record as RecordOf<'checklistRuns'>;
      return { reported_at: r.completedAt, day: r.day, shift: r.shift };
    }
    default:
      return {};
  }
}

/** The typed columns of one record, in TYPED_COLUMNS order (null where the kind has none). */
export function typedColumnsOf(kind: RecordKind, record: RecordOf<RecordKind>): (string | number | null)[] {
  const columns = columnsOf(kind, record);
  columns.updated_at = record.updatedAt;
  return TYPED_COLUMNS.map((name) => columns[name] ?? null);
}

/** Outcomes that count as a visit (VISIT_OUTCOMES.countsAsVisit), as an SQL list. */
export const COUNTED_OUTCOMES_SQL = `(${REACHED_OUTCOMES.map((o) => `'${o}'`).join(', ')})`;

/**
 * Schema step 3, the same on both engines: the columns past step 2's problem columns, the indexes
 * the dashboard's ranges run on (partial: only the rows of kinds that fill them), and two summaries
 * of the visits, kept up to date by every write of a visit (visit-summaries.ts): each household's
 * last visit that counts (what the due list needs of a year of visits), and the visits that count per
 * grid, day and device (the trend and the workers' month, without reading a month of visits).
 */
export const TYPED_COLUMNS_STEP_SQL = `
  ALTER TABLE records ADD COLUMN updated_at BIGINT;
  ALTER TABLE records ADD COLUMN household_id TEXT;
  ALTER TABLE records ADD COLUMN day TEXT;
  ALTER TABLE records ADD COLUMN shift TEXT;
  ALTER TABLE records ADD COLUMN tags TEXT;
  ALTER TABLE records ADD COLUMN responded_at BIGINT;
  ALTER TABLE records ADD COLUMN reporter_id TEXT;
  ALTER TABLE records ADD COLUMN resolver_id TEXT;
  ALTER TABLE records ADD COLUMN score INTEGER;
  CREATE INDEX records_by_household ON records (town_id, household_id, kind, day) WHERE household_id IS NOT NULL;
  CREATE INDEX records_by_day ON records (town_id, kind, day, grid_id) WHERE day IS NOT NULL;
  CREATE INDEX records_by_reported ON records (town_id, kind, reported_at) WHERE reported_at IS NOT NULL;
  CREATE INDEX records_by_resolved ON records (town_id, kind, resolved_at) WHERE resolved_at IS NOT NULL;
  CREATE INDEX records_by_due ON records (town_id, kind, due_at) WHERE due_at IS NOT NULL;
  CREATE TABLE household_visits (
    town_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    -- The day (YYYY-MM-DD, Asia/Shanghai) of the household's last visit that counts.
    last_counted_day TEXT NOT NULL,
    PRIMARY KEY (town_id, household_id)
  );
  CREATE TABLE visit_days (
    town_id TEXT NOT NULL,
    grid_id TEXT NOT NULL,
    day TEXT NOT NULL,
    -- The device (client id) that wrote the visits; '' for the demo seed and imports.
    written_by TEXT NOT NULL,
    -- Visits that count (已访) of that grid, day and device.
    counted INTEGER NOT NULL,
    PRIMARY KEY (town_id, day, grid_id, written_by)
  );
`;

/**
 * Schema step 5: what the dashboard reads, whole from indexes (no table row visited, at 85,000 people
 * and 60,000 problems a year that was most of a dashboard's time). Partial on the kind, so only the
 * rows of that kind pay for them (a problem is one row in a hundred); the queries name the kind as a
 * literal so both engines can use them; the kind is no column of them (PostgreSQL drops a condition
 * the index's own WHERE implies, and a column left unbound before the range would make it scan the
 * town's every problem). Each problem index leads with the range one query runs on (reported,
 * resolved, due, open) and carries the columns its figures count by (status for every one: a report
 * marked as abuse counts in none, problem-rules.ts isCountedProblem). And household_visits
 * gets the version of the write that moved it, for a reader to keep a copy up to date
 * (dashboard/round-cache.ts).
 */
export const DASHBOARD_INDEXES_STEP_SQL = `
  DROP INDEX records_by_reported;
  DROP INDEX records_by_due;
  CREATE INDEX problems_by_reported ON records (town_id, reported_at, is_deleted, grid_id, category, source,
    severity, responded_at, reporter_id, status) WHERE kind = 'problems';
  CREATE INDEX problems_by_resolved ON records (town_id, resolved_at, is_deleted, grid_id, status, due_at,
    reported_at, resolver_id, score) WHERE kind = 'problems';
  CREATE INDEX problems_by_due ON records (town_id, due_at, is_deleted, grid_id, resolved_at, status)
    WHERE kind = 'problems';
  CREATE INDEX problems_open ON records (town_id, status, is_deleted, grid_id, severity, level, due_at)
    WHERE kind = 'problems';
  CREATE INDEX people_by_household ON records (town_id, status, is_deleted, grid_id, household_id, id, tags)
    WHERE kind = 'people';
  CREATE INDEX households_by_grid ON records (town_id, is_deleted, grid_id, id, updated_at)
    WHERE kind = 'households';
  -- The version of the write that last moved the household's summary ('' for a day: none left).
  ALTER TABLE household_visits ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
  CREATE INDEX household_visits_by_version ON household_visits (town_id, version);
`;
