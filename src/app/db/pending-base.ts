/**
 * The server's truth under the device's pending writes (ARCHITECTURE.md sync step 9). Every record a
 * queued mutation reads or writes keeps, in `pendingBase`, its value as the server last gave it (or
 * null: the server has none). The tables show base + pending; when the base moves under them (a
 * pulled change, a rejection's heal) the touched records are reset to base and the queue is planned
 * again on top, with the same planner the server runs. So a refused write leaves no trace, and a
 * pending create replayed over its own copy is the same write, never a second one.
 */
import {
  planMutation,
  readsFromLoaded,
  readsOf,
  refKey,
  type Plan,
  type PlanActor,
} from '../../shared/domain/apply-mutation.ts';
import type { PinyinOf } from '../../shared/domain/search-keys.ts';
import { mutationArgsSchemas, type MutationArgs, type MutationName } from '../../shared/mutations.ts';
import type { RecordChange } from '../../shared/protocol.ts';
import type { RecordRef } from '../../shared/domain/mutation-reads.ts';
import { recordSchemas } from '../../shared/records.ts';
import type { AppDB, OutboxRow, PendingBaseRow } from './app-db.ts';
import { loadRecords, putRecords, removeRecords } from './write-records.ts';

export interface LocalMutation<N extends MutationName = MutationName> {
  name: N;
  args: MutationArgs<N>;
  mutationId: number;
  /** When it was made: the plan's time, as the server takes it (never later than its own clock). */
  createdAt: number;
}

/**
 * Plans one mutation over the device's records and, if it plans, writes it and remembers the base of
 * what it touches. Inside a transaction over writeTables. Returns the plan (a rejection writes nothing).
 */
export async function applyLocally(
  db: AppDB,
  mutation: LocalMutation,
  actor: PlanActor,
  pinyinOf: PinyinOf,
): Promise<Plan> {
  const refs = readsOf(mutation.name, mutation.args);
  const keys = refs.map((ref) => refKey(ref.kind, ref.id));
  // Issued together: the transaction runs them in order anyway, without a wait between each.
  const [loaded, known] = await Promise.all([loadRecords(db, refs), db.pendingBase.bulkGet(keys)]);
  const plan = planMutation(mutation.name, mutation.args, readsFromLoaded(loaded), actor, mutation.createdAt);
  if (!plan.ok) return plan;
  await Promise.all([
    db.pendingBase.bulkPut(baseRows(refs, keys, known, loaded, mutation.mutationId)),
    putRecords(db, plan.writes, pinyinOf),
  ]);
  return plan;
}

/** A record with no base yet holds the server's value now (no pending write has touched it). */
function baseRows(
  refs: readonly RecordRef[],
  keys: readonly string[],
  known: readonly (PendingBaseRow | undefined)[],
  loaded: ReadonlyMap<string, unknown>,
  mutationId: number,
): PendingBaseRow[] {
  return refs.map((ref, i) => {
    const existing = known[i];
    if (existing) return { ...existing, mutationId: Math.max(existing.mutationId, mutationId) };
    return { key: keys[i]!, kind: ref.kind, id: ref.id, record: loaded.get(keys[i]!) ?? null, mutationId };
  });
}

/** Base entries only writes up to `lastMutationId` held: the server has answered for all of them. */
export async function forgetAnswered(db: AppDB, lastMutationId: number): Promise<void> {
  await db.pendingBase.where('mutationId').belowOrEqual(lastMutationId).delete();
}

/**
 * Stores what the server sent (a pulled page, or the truth a rejection brought back): the tables
 * take it, and so does the base of any record a pending write touches. Returns whether a base moved,
 * i.e. whether the queue must be planned again on top.
 */
export async function storeServerTruth(db: AppDB, changes: readonly RecordChange[]): Promise<boolean> {
  if (changes.length === 0 || (await db.pendingBase.count()) === 0) return false;
  const keys = changes.map((c) => refKey(c.kind, c.id));
  const known = await db.pendingBase.bulkGet(keys);
  const moved: PendingBaseRow[] = [];
  changes.forEach((change, i) => {
    const entry = known[i];
    if (!entry) return;
    let record: unknown = null;
    if (change.data !== undefined) {
      const parsed = recordSchemas[change.kind].safeParse(change.data);
      if (!parsed.success) return;
      record = parsed.data;
    }
    moved.push({ ...entry, record });
  });
  if (moved.length > 0) await db.pendingBase.bulkPut(moved);
  return moved.length > 0;
}

export interface Replay {
  actor: PlanActor;
  pinyinOf: PinyinOf;
  /** Rows the server has already answered for: not planned again (their effect comes from the server). */
  answeredUpTo: number;
  now: number;
}

/**
 * Resets every record under a pending write to its base, then plans the queue again in order. A write
 * that no longer plans is written down as a rejection the person sees (marked provisional: the
 * server, which still gets it, has the last word).
 */
export async function replayPending(db: AppDB, replay: Replay): Promise<void> {
  const base = await db.pendingBase.toArray();
  await removeRecords(
    db,
    base.filter((b) => b.record === null),
  );
  await putRecords(
    db,
    base.filter((b) => b.record !== null),
    replay.pinyinOf,
  );
  const rows = await db.outbox.where('mutationId').above(replay.answeredUpTo).sortBy('seq');
  for (const row of rows) {
    const plan = await replayOne(db, row, replay);
    if (!plan.ok) await noteRefusedLocally(db, row, plan, replay.now);
  }
}

async function replayOne(db: AppDB, row: OutboxRow, replay: Replay): Promise<Plan> {
  const parsed = mutationArgsSchemas[row.name].safeParse(row.args);
  if (!parsed.success) return { ok: false, reason: 'invalid', message: '数据不符合要求' };
  const mutation = {
    name: row.name,
    args: parsed.data,
    mutationId: row.mutationId,
    createdAt: row.createdAt,
  };
  return applyLocally(db, mutation as LocalMutation, replay.actor, replay.pinyinOf);
}

async function noteRefusedLocally(db: AppDB, row: OutboxRow, plan: Extract<Plan, { ok: false }>, at: number) {
  if ((await db.rejections.where('mutationId').equals(row.mutationId).count()) > 0) return;
  await db.rejections.add({
    mutationId: row.mutationId,
    name: row.name,
    args: row.args,
    reason: plan.reason,
    message: plan.message,
    at,
    isProvisional: true,
  });
}
