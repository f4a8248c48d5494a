import { lastCountedDays } from '../../shared/domain/visit-cadence.ts';
import type { Visit } from '../../shared/schemas/index.ts';
import type { AppDB, VisitSummaryRow } from './app-db.ts';

/**
 * Keeps visitSummaries in step with the visits table. Visits are append-only (a visit id is recorded
 * once, and there is no visit.update), so a stored visit can only move a household's last counted day
 * later: a merge. A visit stored as deleted, or one removed, makes its household's summary be read
 * again from all its visits. Call after the visits are written, inside the same transaction
 * (writeTables covers both tables).
 */
export async function noteVisitsStored(db: AppDB, visits: readonly Visit[]): Promise<void> {
  if (visits.length === 0) return;
  const householdIds = [...new Set(visits.map((visit) => visit.householdId))];
  const known = await db.visitSummaries.bulkGet(householdIds);
  const summary = new Map<string, string>();
  for (const row of known) if (row) summary.set(row.householdId, row.lastCountedDay);
  const before = new Map(summary);
  lastCountedDays(visits, summary);
  const changed: VisitSummaryRow[] = [];
  for (const [householdId, lastCountedDay] of summary)
    if (before.get(householdId) !== lastCountedDay) changed.push({ householdId, lastCountedDay });
  if (changed.length > 0) await db.visitSummaries.bulkPut(changed);
  const withDeleted = visits.filter((visit) => visit.isDeleted).map((visit) => visit.householdId);
  if (withDeleted.length > 0) await noteVisitsRemoved(db, withDeleted);
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
