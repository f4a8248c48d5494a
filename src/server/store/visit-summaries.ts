/**
 * The two summaries of visits the dashboard reads instead of a year of visit rows (schema step 3):
 * household_visits (each household's last visit that counts) and visit_days (visits that count per
 * grid, day and writing device). Both are recomputed from the records for what a write touched, in
 * the write's transaction, so they can never disagree with the visits they summarize.
 */
import type { RecordOf } from '../../shared/records.ts';
import { COUNTED_OUTCOMES_SQL } from './record-columns.ts';
import { chunked, placeholders, type SqlExecutor } from './sql.ts';

/** What a write of visits touched: their households, and their (grid, day) pairs. */
export function touchedByVisits(visits: readonly RecordOf<'visits'>[]) {
  const households = new Set<string>();
  const gridDays = new Map<string, { gridId: string; day: string }>();
  for (const visit of visits) {
    households.add(visit.householdId);
    gridDays.set(`${visit.gridId}|${visit.day}`, { gridId: visit.gridId, day: visit.day });
  }
  return { households: [...households], gridDays: [...gridDays.values()] };
}

/**
 * Recomputes household_visits for these households from their visits, stamped with the write's
 * version (schema step 5), so a reader that has the summary up to some version reads only what moved
 * since. A household left with no visit that counts keeps its row with '' for a day, for the same
 * reader to see it go.
 */
export async function refreshHouseholdVisits(
  sql: SqlExecutor,
  townId: string,
  householdIds: readonly string[],
  version: number,
) {
  for (const chunk of chunked(householdIds, 1, 1_000)) {
    const rows = await sql.all<{ household_id: string; day: string }>(
      `SELECT household_id, MAX(day) AS day FROM records
       WHERE town_id = ? AND household_id IN ${placeholders(chunk.length)} AND kind = 'visits' AND is_deleted = 0
         AND status IN ${COUNTED_OUTCOMES_SQL}
       GROUP BY household_id`,
      [townId, ...chunk],
    );
    const days = new Map(rows.map((row) => [row.household_id, row.day]));
    for (const part of chunked(chunk, 4)) {
      await sql.run(
        `INSERT INTO household_visits (town_id, household_id, last_counted_day, version) VALUES ${placeholders(4, part.length)}
         ON CONFLICT (town_id, household_id) DO UPDATE SET last_counted_day = excluded.last_counted_day,
           version = excluded.version`,
        part.flatMap((id) => [townId, id, days.get(id) ?? '', version]),
      );
    }
  }
}

/** Recomputes visit_days for these grids' days. */
export async function refreshVisitDays(
  sql: SqlExecutor,
  townId: string,
  gridDays: readonly { gridId: string; day: string }[],
) {
  for (const { gridId, day } of gridDays) {
    await sql.run('DELETE FROM visit_days WHERE town_id = ? AND day = ? AND grid_id = ?', [
      townId,
      day,
      gridId,
    ]);
    await sql.run(
      `INSERT INTO visit_days (town_id, grid_id, day, written_by, counted)
       SELECT town_id, grid_id, day, COALESCE(written_by, ''), COUNT(*) FROM records
       WHERE town_id = ? AND kind = 'visits' AND day = ? AND grid_id = ? AND is_deleted = 0
         AND status IN ${COUNTED_OUTCOMES_SQL}
       GROUP BY town_id, grid_id, day, COALESCE(written_by, '')`,
      [townId, day, gridId],
    );
  }
}

/** Both summaries after a write of visits. */
export async function refreshVisitSummaries(
  sql: SqlExecutor,
  townId: string,
  visits: readonly RecordOf<'visits'>[],
  version: number,
) {
  if (visits.length === 0) return;
  const { households, gridDays } = touchedByVisits(visits);
  await refreshHouseholdVisits(sql, townId, households, version);
  await refreshVisitDays(sql, townId, gridDays);
}

/**
 * Both summaries from scratch, for every town (schema step 3's backfill; household_visits' version,
 * added by step 5, is then 0 for every row).
 */
export async function rebuildVisitSummaries(sql: SqlExecutor) {
  await sql.run('DELETE FROM household_visits');
  await sql.run(
    `INSERT INTO household_visits (town_id, household_id, last_counted_day)
     SELECT town_id, household_id, MAX(day) FROM records
     WHERE kind = 'visits' AND is_deleted = 0 AND status IN ${COUNTED_OUTCOMES_SQL}
     GROUP BY town_id, household_id`,
  );
  await sql.run('DELETE FROM visit_days');
  await sql.run(
    `INSERT INTO visit_days (town_id, grid_id, day, written_by, counted)
     SELECT town_id, grid_id, day, COALESCE(written_by, ''), COUNT(*) FROM records
     WHERE kind = 'visits' AND is_deleted = 0 AND status IN ${COUNTED_OUTCOMES_SQL}
     GROUP BY town_id, grid_id, day, COALESCE(written_by, '')`,
  );
}
