import { lastCountedDays } from '../../shared/domain/visit-cadence.ts';
import { VISIT_OUTCOMES, type Visit } from '../../shared/schemas/index.ts';
import type { AppDB, VisitSummaryRow } from './app-db.ts';

/**
 * Keeps visitSummaries in step with the visits table. A new visit that counts can only move its
 * household's last counted day later: a merge. A visit stored as withdrawn (deleted), or corrected
 * to an outcome that does not count, may have been the one its summary came from: when it falls on
 * the summary's day, that household is read again from all its visits. Call after the visits are
 * written, inside the same transaction (writeTables covers both tables).
 */
export async function noteVisitsStored(db: AppDB, visits: readonly Visit[]): Promise<void> {
  if (visits.length === 0) return;
  const householdIds = [...new Set(visits.map((visit) => visit.householdId))];
  const known = await db.visitSummaries.bulkGet(householdIds);
  const summary = new Map<string, string>();
  for (const row of known) if (row) summary.set(row.householdId, row.lastCountedDay);
  const before = new Map(summary);
  const takenBack = visits
    .filter(
      (visit) =>
        (visit.isDeleted || !VISIT_OUTCOMES[visit.outcome].countsAsVisit) &&
        before.get(visit.householdId) === visit.day,
    )
    .map((visit) => visit.householdId);
  lastCountedDays(visits, summary);
  const changed: VisitSummaryRow[] = [];
  for (const [householdId, lastCountedDay] of summary)
    if (before.get(householdId) !== lastCountedDay) changed.push({ householdId, lastCountedDay });
  if (changed.length > 0) await db.visitSummaries.bulkPut(changed);
  if (takenBack.length > 0) await noteVisitsRemoved(db, takenBack);
}

/** Reads these households' summaries again from their visits, after a visit of theirs went away. */
export async function noteVisitsRemoved(db: AppDB, householdIds: readonly string[]): Promise<void> {
  for (const householdId of new Set(householdIds)) {
    const visits = await db.visits.where('householdId').equals(householdId).toArray();
    const lastCountedDay = lastCountedDays(visits).get(householdId);
    if (lastCountedDay === undefined) await db.visitSummaries.delete(householdId);
    else await db.visitSummaries.put({ householdId, lastCountedDay });
  }
}

/** The summaries of these households, as computeDueList takes them. */
export async function lastCountedDaysOf(
  db: AppDB,
  householdIds: readonly string[],
): Promise<Map<string, string>> {
  const rows = await db.visitSummaries.bulkGet([...householdIds]);
  const summary = new Map<string, string>();
  for (const row of rows) if (row) summary.set(row.householdId, row.lastCountedDay);
  return summary;
}
