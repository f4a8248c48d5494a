import type { RecordChange } from '../../shared/protocol.ts';
import { recordSchemas, type RecordKind } from '../../shared/records.ts';
import type { PinyinOf } from '../../shared/domain/search-keys.ts';
import { refKey, type RecordRef } from '../../shared/domain/mutation-reads.ts';
import type { AppDB } from '../db/app-db.ts';
import { forgetAnswered, replayPending, storeServerTruth, type Replay } from '../db/pending-base.ts';
import { putRecords, removeRecords, tableOf } from '../db/write-records.ts';

/**
 * Applies records the server sent (ARCHITECTURE.md sync step 4): written as the server sent them
 * (validated with the shared schemas; a record that does not parse is skipped, never half-stored),
 * tombstones remove the local row. Must run inside a transaction over writeTables.
 */
export async function applyPulledChanges(
  db: AppDB,
  changes: readonly RecordChange[],
  pinyinOf: PinyinOf,
): Promise<void> {
  const puts: { kind: RecordKind; record: unknown }[] = [];
  const deletes: RecordRef[] = [];
  for (const change of changes) {
    if (change.isDeleted && change.data === undefined) {
      deletes.push({ kind: change.kind, id: change.id });
      continue;
    }
    const parsed = recordSchemas[change.kind].safeParse(change.data);
    if (parsed.success) puts.push({ kind: change.kind, record: parsed.data });
  }
  await putRecords(db, puts, pinyinOf);
  await removeRecords(db, deletes);
}

/**
 * Server truth in, pending writes kept on top (sync step 4 and 9): the changes are stored, and when
 * one moves the base of a pending write, the queue is planned again over the new base. `force`
 * replays even when no base moved (a rejection: its own writes must go).
 */
export async function storeAndRebase(
  db: AppDB,
  changes: readonly RecordChange[],
  replay: Replay,
  force = false,
): Promise<void> {
  await applyPulledChanges(db, changes, replay.pinyinOf);
  const moved = await storeServerTruth(db, changes);
  if (!moved && !force) return;
  // Writes the server has answered for are on the server (or refused, and then just healed): their
  // records keep what the tables hold; only those a still-pending write touches go back to base.
  await forgetAnswered(db, replay.answeredUpTo);
  await replayPending(db, replay);
}

/**
 * After a pass over the whole scope (sync step 9: the scope changed, or the server was reset): removes
 * every record the pass did not bring, but those a pending write holds (the server decides on them).
 */
export async function removeUnseen(db: AppDB, seen: ReadonlySet<string>): Promise<number> {
  const held = new Set(await db.pendingBase.toCollection().primaryKeys());
  let removed = 0;
  for (const kind of Object.keys(recordSchemas) as RecordKind[]) {
    const ids = await tableOf(db, kind).toCollection().primaryKeys();
    const gone = ids.filter((id) => !seen.has(refKey(kind, id)) && !held.has(refKey(kind, id)));
    await removeRecords(
      db,
      gone.map((id) => ({ kind, id })),
    );
    removed += gone.length;
  }
  return removed;
}
