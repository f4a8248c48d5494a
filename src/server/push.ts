/**
 * Applying one pushed mutation (ARCHITECTURE.md sync step 2) inside the transaction of its batch
 * (push-batch.ts: the pushes of one town, under the town's lock). Mutations are planned in memory, in
 * order, over the records loaded once for the batch (an overlay that takes each applied mutation's
 * writes), so a refused mutation leaves nothing behind and a page of 200 costs a handful of
 * statements, not hundreds. What applied is written at the end with each client's lastMutationId: a
 * crash loses the batch whole, and a retry skips what landed.
 */
import {
  planMutation,
  readsFromLoaded,
  refKey,
  type Plan,
  type PlanReads,
  type RecordRef,
} from '../shared/domain/apply-mutation.ts';
import type { MutationArgs, MutationName } from '../shared/mutations.ts';
import type { Mutation, MutationResult, RecordChange, RejectionReason } from '../shared/protocol.ts';
import { gridIdOf, type RecordKind } from '../shared/records.ts';
import { DEPARTMENT_MUTATIONS, parsedOf, Refusal, refsOf } from './push-args.ts';
import { gridFilter, mayRead, mayWrite, recordFilter, type Scope } from './scope.ts';
import { prevAssigneeOf, type RecordWrite } from './store/records.ts';
import {
  assigneeKeyOf,
  photoIdsOf,
  type ConflictRow,
  type MutationLogEntry,
  type Store,
  type StoredRecord,
  type StoredUser,
} from './store/store.ts';
import { maySend, visibleChange } from './visible.ts';

const OUT_OF_SCOPE = '无权操作这条记录：不在您负责的网格或承办范围内';

/** What the pushes of one transaction share: the town's records as they stand, and what to write. */
export interface PushBatch {
  tx: Store;
  /** Every record the transaction has looked at, as it stands after the mutations applied so far. */
  overlay: Map<string, StoredRecord | null>;
  /** The last version handed out (the town's counter, locked). */
  counter: { version: number };
  writes: Map<string, RecordWrite>;
  conflicts: Omit<ConflictRow, 'id'>[];
  log: MutationLogEntry[];
}

/** One push (one device's request) within the batch. */
export interface PushContext extends PushBatch {
  user: StoredUser;
  scope: Scope;
  clientId: string;
  pulledVersion: number;
  now: number;
}

/** Loads into the overlay whatever of `refs` it does not hold yet (one query per kind). */
export async function load(ctx: PushBatch & { scope: Scope }, refs: readonly RecordRef[]) {
  const missing = refs.filter((ref) => !ctx.overlay.has(refKey(ref.kind, ref.id)));
  if (missing.length === 0) return;
  const found = await ctx.tx.records.getMany(ctx.scope.townId, missing);
  for (const ref of missing) {
    const key = refKey(ref.kind, ref.id);
    ctx.overlay.set(key, found.get(key) ?? null);
  }
}

const held = (ctx: PushContext, kind: RecordKind, id: string) =>
  ctx.overlay.get(refKey(kind, id)) ?? undefined;

/**
 * The records the mutation reads (its row of MUTATION_READS), scope-checked before it is planned: a
 * mutation naming another grid's record is refused before the planner can say anything about it.
 */
function scopedReads(ctx: PushContext, refs: readonly RecordRef[]): PlanReads {
  const data = new Map<string, unknown>();
  for (const ref of refs) {
    const stored = held(ctx, ref.kind, ref.id);
    if (stored && !mayRead(ctx.scope, stored)) throw new Refusal('forbidden', OUT_OF_SCOPE);
    data.set(refKey(ref.kind, ref.id), stored?.data);
  }
  // A version the client had already pulled was seen before it was overwritten: no conflict.
  const lastWriter = (kind: RecordKind, id: string): string | undefined => {
    const stored = held(ctx, kind, id);
    if (!stored || stored.writtenBy === null || stored.version <= ctx.pulledVersion) return undefined;
    return stored.writtenBy;
  };
  return readsFromLoaded(data, lastWriter);
}

/**
 * Plans with the real user as actor: the shared rules decide, not the device. Any failure in here is
 * this mutation's rejection, whatever threw it (a crafted value that trips a rule, a bug in a rule):
 * a push never answers 500 for one bad mutation, and the device's queue never blocks on it.
 */
function planChecked(
  ctx: PushContext,
  mutation: Mutation,
  args: MutationArgs<MutationName>,
  refs: readonly RecordRef[],
): Extract<Plan, { ok: true }> {
  try {
    const reads = scopedReads(ctx, refs);
    const { user } = ctx;
    const actor = {
      role: user.role,
      userId: user.id,
      name: user.name,
      ...(user.departmentId ? { departmentId: user.departmentId } : {}),
    };
    // A device clock running fast must not stamp records in the future.
    const at = Math.min(mutation.createdAt, ctx.now);
    const plan: Plan = planMutation(mutation.name, args, reads, actor, at, { writer: ctx.clientId });
    if (!plan.ok)
      throw new Refusal(plan.reason, plan.path ? `${plan.message}（${plan.path}）` : plan.message);
    return plan;
  } catch (error) {
    if (error instanceof Refusal) throw error;
    // Logged to be fixed; the message names nothing of the input.
    console.error(`push: ${mutation.name} could not be planned`, error);
    throw new Refusal('invalid', '服务器无法处理此操作，已记录待查');
  }
}

/**
 * A photo newly named by a write must be on the server and readable by the writer already: uploaded by
 * them (or for a grid they cover), or on a record they may read. Its readers then come from the records
 * the server accepted, never from knowing a hash.
 */
async function checkPhotos(ctx: PushContext, photoIds: readonly string[], alreadyNamed: ReadonlySet<string>) {
  const { tx, user, scope } = ctx;
  for (const sha256 of photoIds) {
    if (alreadyNamed.has(sha256)) continue;
    if ((await tx.blobs.get(sha256)) === undefined)
      throw new Refusal('invalid', '照片还没有上传到服务器：请重新同步');
    if (
      !(await tx.blobs.mayRead(scope.townId, sha256, user.id, gridFilter(scope), recordFilter(scope, 'r.')))
    )
      throw new Refusal('forbidden', '无权使用这张照片：它不属于您负责的网格');
  }
}

/** Steps 2.2-2.6 for one mutation: checked, planned, and (when it applies) written into the overlay. */
export async function applyOne(ctx: PushContext, mutation: Mutation): Promise<MutationResult> {
  const { user, clientId, now, scope } = ctx;
  const name = mutation.name;
  const logged = (status: 'applied' | 'rejected', reason?: RejectionReason, message?: string) =>
    ctx.log.push({
      clientId,
      mutationId: mutation.mutationId,
      userId: user.id,
      name,
      status,
      reason,
      message,
      at: now,
    });
  try {
    // 2.2 Re-validate the args with the shared schema: the device's check is a courtesy, this one counts.
    const parsed = parsedOf(mutation);
    if (!parsed.ok) throw parsed.refusal;
    const args = parsed.args;
    // 2.3 The role may send this kind of mutation at all.
    if (scope.role === 'department' && !DEPARTMENT_MUTATIONS.has(name))
      throw new Refusal('forbidden', '职能部门只能办理派给本部门的问题');
    const refs = refsOf(mutation);
    await load(ctx, refs);
    // 2.4
    const plan = planChecked(ctx, mutation, args, refs);
    // 2.5 Every record written stays in (or lands in) the user's scope, and names only photos the user
    // may already see: a photo's hash is not a key to another grid's photo.
    await load(
      ctx,
      plan.writes.map((w) => ({ kind: w.kind, id: w.record.id })),
    );
    for (const write of plan.writes) {
      const before = held(ctx, write.kind, write.record.id);
      if (!mayWrite(scope, before, { kind: write.kind, gridId: gridIdOf(write.kind, write.record) }))
        throw new Refusal('forbidden', OUT_OF_SCOPE);
      await checkPhotos(ctx, photoIdsOf(write.record), new Set(photoIdsOf(before?.data)));
    }
    // A record lands only in a grid of this town: a town-wide role covers every grid id, so a
    // stray one (another town's, or none) would otherwise pass the scope check.
    const gridsNamed = plan.writes.flatMap((w) => {
      const gridId = w.kind === 'grids' ? null : gridIdOf(w.kind, w.record);
      return gridId === null ? [] : [{ kind: 'grids' as const, id: gridId }];
    });
    await load(ctx, gridsNamed);
    for (const grid of gridsNamed) {
      const stored = held(ctx, 'grids', grid.id);
      if (!stored || stored.isDeleted) throw new Refusal('invalid', `没有这个网格：${grid.id}`);
    }
    // 2.6 Into the overlay: conflicts, records at the next versions, the log.
    const gridOf = new Map(plan.writes.map((w) => [refKey(w.kind, w.record.id), gridIdOf(w.kind, w.record)]));
    for (const conflict of plan.conflicts) {
      ctx.conflicts.push({
        kind: conflict.kind,
        recordId: conflict.id,
        field: conflict.field,
        overwritten: conflict.overwritten,
        value: conflict.value,
        userId: user.id,
        overwrittenClientId: held(ctx, conflict.kind, conflict.id)?.writtenBy ?? null,
        at: now,
        gridId: gridOf.get(refKey(conflict.kind, conflict.id)) ?? null,
      });
    }
    for (const { kind, record } of plan.writes) {
      const key = refKey(kind, record.id);
      const before = held(ctx, kind, record.id);
      const row: RecordWrite = {
        kind,
        record,
        version: ++ctx.counter.version,
        writtenBy: clientId,
        writtenAt: now,
        prevAssigneeKey: prevAssigneeOf(kind, record, before),
      };
      // A record written twice in one request is written once, at its last version.
      ctx.writes.set(key, row);
      ctx.overlay.set(key, {
        kind,
        id: record.id,
        gridId: gridIdOf(kind, record),
        assigneeKey: assigneeKeyOf(kind, record),
        prevAssigneeKey: row.prevAssigneeKey,
        data: record,
        version: row.version,
        isDeleted: record.isDeleted,
        writtenBy: clientId,
        writtenAt: now,
      });
    }
    logged('applied');
    return { mutationId: mutation.mutationId, status: 'applied' };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    logged('rejected', error.reason, error.message);
    return {
      mutationId: mutation.mutationId,
      status: 'rejected',
      reason: error.reason,
      message: error.message,
    };
  }
}

/**
 * Rejections heal (ARCHITECTURE.md sync step 9): the server's current version of every record the
 * refused mutation reads, as this user may see it, or a tombstone where the user may hold nothing
 * (never stored, deleted, or out of scope). The device stores these and replays what it still has
 * queued on top, so the refused write leaves no trace on the phone.
 */
export async function truthFor(ctx: PushContext, mutation: Mutation): Promise<RecordChange[]> {
  const refs = refsOf(mutation);
  await load(ctx, refs);
  const changes: RecordChange[] = [];
  for (const ref of refs) {
    const stored = held(ctx, ref.kind, ref.id);
    if (
      stored &&
      mayRead(ctx.scope, stored) &&
      (stored.isDeleted || maySend(ctx.user, ref.kind, stored.data))
    ) {
      const change = { ...ref, version: stored.version, isDeleted: stored.isDeleted };
      changes.push(
        stored.isDeleted ? change : visibleChange(ctx.user, ctx.scope, { ...change, data: stored.data }),
      );
      // Out of scope or never stored look the same: the version is the counter, not the record's.
    } else changes.push({ ...ref, version: Math.max(1, ctx.counter.version), isDeleted: true });
  }
  return changes;
}

/**
 * 2.1 for a retry: already answered, so not applied again, but told how it ended. A device whose first
 * answer was lost still learns that a write was refused, and gets the truth to undo it with.
 */
export async function retried(
  batch: PushBatch,
  clientId: string,
  mutationId: number,
): Promise<MutationResult> {
  // Answered earlier in this transaction (the same device twice in one batch) or in an earlier one.
  const outcome =
    batch.log.find((e) => e.clientId === clientId && e.mutationId === mutationId) ??
    (await batch.tx.clients.outcome(clientId, mutationId));
  if (outcome?.status !== 'rejected') return { mutationId, status: 'duplicate' };
  return {
    mutationId,
    status: 'rejected',
    reason: (outcome.reason ?? 'invalid') as RejectionReason,
    message: outcome.message ?? '',
  };
}
