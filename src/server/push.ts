/**
 * Applying a push (ARCHITECTURE.md sync step 2). The whole request is one SQLite transaction and each
 * mutation a savepoint inside it that also advances the client's lastMutationId: a crash mid-push
 * loses nothing (the request is rolled back and retried whole, and a retry skips what already landed),
 * and one commit per request instead of per mutation is what lets a page of 200 land quickly.
 */
import Database from 'better-sqlite3';
import zhCN from 'zod/v4/locales/zh-CN.js';
import {
  planMutation,
  readsFromLoaded,
  readsOf,
  refKey,
  type Plan,
  type PlanReads,
  type RecordRef,
} from '../shared/domain/apply-mutation.ts';
import { mutationArgsSchemas, type MutationArgs, type MutationName } from '../shared/mutations.ts';
import type {
  Mutation,
  MutationResult,
  PushResponse,
  RecordChange,
  RejectionReason,
} from '../shared/protocol.ts';
import { gridIdOf, type RecordKind } from '../shared/records.ts';
import { gridFilter, mayRead, mayWrite, recordFilter, type Scope } from './scope.ts';
import { photoIdsOf, type Store, type StoredRecord, type StoredUser } from './store/store.ts';
import { visibleChange } from './visible.ts';

const zhErrorMap = zhCN().localeError;
const OUT_OF_SCOPE = '无权操作这条记录：不在您负责的网格或承办范围内';

/** Thrown inside a mutation's savepoint to refuse it; caught by applyOne, never escapes. */
class Refusal extends Error {
  readonly reason: RejectionReason;
  constructor(reason: RejectionReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Mutations a department may send: it handles the orders it is given, and nothing else. */
const DEPARTMENT_MUTATIONS: ReadonlySet<MutationName> = new Set<MutationName>(['problem.act']);

function parseArgs<N extends MutationName>(name: N, raw: unknown): MutationArgs<N> {
  const parsed = mutationArgsSchemas[name].safeParse(raw, {
    error: zhErrorMap,
  });
  if (parsed.success) return parsed.data as MutationArgs<N>;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new Refusal('invalid', `${issue?.message ?? '数据不符合要求'}${path ? `（${path}）` : ''}`);
}

/**
 * The records the mutation reads (its row of MUTATION_READS), loaded and scope-checked before it is
 * planned: a mutation naming another grid's record is refused before the planner can say anything
 * about it.
 */
function scopedReads(
  store: Store,
  scope: Scope,
  pulledVersion: number,
  refs: readonly RecordRef[],
): PlanReads & { loaded: Map<string, StoredRecord> } {
  const loaded = new Map<string, StoredRecord>();
  const data = new Map<string, unknown>();
  for (const ref of refs) {
    const key = refKey(ref.kind, ref.id);
    const stored = store.getRecord(ref.kind, ref.id);
    if (stored && !mayRead(scope, stored)) throw new Refusal('forbidden', OUT_OF_SCOPE);
    if (stored) loaded.set(key, stored);
    data.set(key, stored?.data);
  }
  // A version the client had already pulled was seen before it was overwritten: no conflict.
  const lastWriter = (kind: RecordKind, id: string): string | undefined => {
    const stored = loaded.get(refKey(kind, id));
    if (!stored || stored.writtenBy === null || stored.version <= pulledVersion) return undefined;
    return stored.writtenBy;
  };
  return { loaded, ...readsFromLoaded(data, lastWriter) };
}

/**
 * Rejections heal (ARCHITECTURE.md sync step 9): the server's current version of every record the
 * refused mutation reads, as this user may see it, or a tombstone where the user may hold nothing
 * (never stored, deleted, or out of scope). The device stores these and replays what it still has
 * queued on top, so the refused write leaves no trace on the phone.
 */
function truthFor(
  store: Store,
  user: StoredUser,
  scope: Scope,
  name: MutationName,
  raw: unknown,
): RecordChange[] {
  const parsed = mutationArgsSchemas[name].safeParse(raw);
  if (!parsed.success) return [];
  const changes: RecordChange[] = [];
  for (const ref of readsOf(name, parsed.data as MutationArgs<typeof name>)) {
    const stored = store.getRecord(ref.kind, ref.id);
    if (stored && mayRead(scope, stored)) {
      const change = { ...ref, version: stored.version, isDeleted: stored.isDeleted };
      changes.push(stored.isDeleted ? change : visibleChange(user, { ...change, data: stored.data }));
      // Out of scope or never stored look the same: the version is the counter, not the record's.
    } else changes.push({ ...ref, version: Math.max(1, store.currentVersion()), isDeleted: true });
  }
  return changes;
}

interface ApplyContext {
  store: Store;
  user: StoredUser;
  scope: Scope;
  clientId: string;
  pulledVersion: number;
  now: number;
}

/**
 * Steps 2.2-2.5: everything short of writing. Any failure here is this mutation's rejection, whatever
 * threw it (a crafted value that trips a rule, a bug in a rule): a push never answers 500 for one bad
 * mutation, and the device's queue never blocks on it. Only the database failing escapes (the whole
 * request is then rolled back and retried).
 */
function planChecked(ctx: ApplyContext, mutation: Mutation) {
  try {
    return planOrRefuse(ctx, mutation);
  } catch (error) {
    if (error instanceof Refusal || error instanceof Database.SqliteError) throw error;
    // Logged to be fixed; the message names nothing of the input.
    console.error(`push: ${mutation.name} could not be planned`, error);
    throw new Refusal('invalid', '服务器无法处理此操作，已记录待查');
  }
}

function planOrRefuse(ctx: ApplyContext, mutation: Mutation) {
  const { store, user, scope, clientId, now } = ctx;
  const name = mutation.name;
  // 2.2 Re-validate the args with the shared schema: the device's check is a courtesy, this one counts.
  const args = parseArgs(name, mutation.args);
  // 2.3 The role may send this kind of mutation at all.
  if (scope.role === 'department' && !DEPARTMENT_MUTATIONS.has(name))
    throw new Refusal('forbidden', '职能部门只能办理派给本部门的问题');
  const reads = scopedReads(store, scope, ctx.pulledVersion, readsOf(name, args));
  // 2.4 Plan with the real user as actor: the shared rules decide, not the device.
  const actor = {
    role: user.role,
    userId: user.id,
    name: user.name,
    ...(user.departmentId ? { departmentId: user.departmentId } : {}),
  };
  // A device clock running fast must not stamp records in the future.
  const at = Math.min(mutation.createdAt, now);
  const plan: Plan = planMutation(name, args, reads, actor, at, { writer: clientId });
  if (!plan.ok) throw new Refusal(plan.reason, plan.path ? `${plan.message}（${plan.path}）` : plan.message);
  // 2.5 Every record written stays in (or lands in) the user's scope, and names only photos the user
  // may already see: a photo's hash is not a key to another grid's photo.
  for (const write of plan.writes) {
    const before =
      reads.loaded.get(`${write.kind}/${write.record.id}`) ?? store.getRecord(write.kind, write.record.id);
    if (!mayWrite(scope, before, { gridId: gridIdOf(write.kind, write.record) }))
      throw new Refusal('forbidden', OUT_OF_SCOPE);
    checkPhotos(ctx, photoIdsOf(write.record), new Set(photoIdsOf(before?.data)));
  }
  return { plan, reads };
}

/**
 * A photo newly named by a write must be on the server and readable by the writer already: uploaded by
 * them (or for a grid they cover), or on a record they may read. Its readers then come from the records
 * the server accepted, never from knowing a hash.
 */
function checkPhotos(ctx: ApplyContext, photoIds: readonly string[], alreadyNamed: ReadonlySet<string>) {
  const { store, user, scope } = ctx;
  for (const sha256 of photoIds) {
    if (alreadyNamed.has(sha256)) continue;
    if (store.getBlob(sha256) === undefined)
      throw new Refusal('invalid', '照片还没有上传到服务器：请重新同步');
    if (!store.mayReadBlob(sha256, user.id, gridFilter(scope), recordFilter(scope, 'r.')))
      throw new Refusal('forbidden', '无权使用这张照片：它不属于您负责的网格');
  }
}

/** Steps 2.2-2.6 for one mutation, inside its transaction. Returns the result to report. */
function applyOne(ctx: ApplyContext, mutation: Mutation): MutationResult {
  const { store, user, clientId, now } = ctx;
  const name = mutation.name;
  const log = (status: 'applied' | 'rejected', reason?: RejectionReason, message?: string) => {
    store.logMutation({
      clientId,
      mutationId: mutation.mutationId,
      userId: user.id,
      name,
      status,
      reason,
      message,
      at: now,
    });
    store.setLastMutationId(clientId, mutation.mutationId);
  };
  try {
    const { plan, reads } = planChecked(ctx, mutation);
    // 2.6 Write, log the overwritten values, acknowledge.
    const gridOf = new Map(plan.writes.map((w) => [`${w.kind}/${w.record.id}`, gridIdOf(w.kind, w.record)]));
    for (const conflict of plan.conflicts) {
      store.insertConflict({
        kind: conflict.kind,
        recordId: conflict.id,
        field: conflict.field,
        overwritten: conflict.overwritten,
        value: conflict.value,
        userId: user.id,
        overwrittenClientId: reads.loaded.get(`${conflict.kind}/${conflict.id}`)?.writtenBy ?? null,
        at: now,
        gridId: gridOf.get(`${conflict.kind}/${conflict.id}`) ?? null,
      });
    }
    for (const write of plan.writes) store.writeRecord(write.kind, write.record, clientId, now);
    log('applied');
    return { mutationId: mutation.mutationId, status: 'applied' };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    log('rejected', error.reason, error.message);
    return {
      mutationId: mutation.mutationId,
      status: 'rejected',
      reason: error.reason,
      message: error.message,
    };
  }
}

/**
 * 2.1 for a retry: already answered, so not applied again, but told how it ended. A device whose first
 * answer was lost still learns that a write was refused, and gets the truth to undo it with.
 */
function retried(store: Store, clientId: string, mutationId: number): MutationResult {
  const outcome = store.mutationOutcome(clientId, mutationId);
  if (outcome?.status !== 'rejected') return { mutationId, status: 'duplicate' };
  return {
    mutationId,
    status: 'rejected',
    reason: (outcome.reason ?? 'invalid') as RejectionReason,
    message: outcome.message ?? '',
  };
}

export interface PushInput {
  clientId: string;
  mutations: Mutation[];
}

/**
 * ARCHITECTURE.md push step 2, per mutation in order:
 *   2.1 skip ids <= the client's lastMutationId (already applied or rejected: a retry);
 *   2.2 re-validate args with zod; 2.3 check the role and the scope of every record read;
 *   2.4 plan with the shared rules and the real actor; 2.5 check the scope of every record written;
 *   2.6 write records, conflicts and the log, and advance lastMutationId, all in one savepoint.
 * A refusal at 2.2-2.5 is logged as rejected and still advances lastMutationId in its savepoint.
 * The caller has bound the client id to this user.
 */
export function pushMutations(
  store: Store,
  user: StoredUser,
  scope: Scope,
  input: PushInput,
  now: number,
): PushResponse {
  // SQLite errors (disk full, busy) escape: the whole request rolls back, the push fails with 500 and
  // the client retries it.
  return store.transaction(() => {
    const client = store.getClient(input.clientId);
    if (!client || client.userId !== user.id) throw new Error('client not bound to this user');
    const ctx: ApplyContext = {
      store,
      user,
      scope,
      clientId: input.clientId,
      pulledVersion: client.pulledVersion,
      now,
    };
    let lastMutationId = client.lastMutationId;
    const results: MutationResult[] = [];
    for (const mutation of input.mutations) {
      // 2.1
      if (mutation.mutationId <= lastMutationId) {
        results.push(retried(store, input.clientId, mutation.mutationId));
        continue;
      }
      // A savepoint: a mutation that fails half-way leaves nothing behind it.
      try {
        results.push(store.transaction(() => applyOne(ctx, mutation)));
      } catch (error) {
        // The request rolls back and the device retries it: name the write that keeps failing.
        console.error(`push: mutation ${mutation.mutationId} (${mutation.name}) of ${input.clientId} failed`);
        throw error;
      }
      lastMutationId = mutation.mutationId;
    }
    const refused = input.mutations.filter((m) =>
      results.some((r) => r.mutationId === m.mutationId && r.status === 'rejected'),
    );
    if (refused.length === 0) return { lastMutationId, results };
    // Read after the whole request: what a later mutation of the same push wrote is the truth now.
    const truth = new Map<string, RecordChange>();
    for (const m of refused)
      for (const change of truthFor(store, user, scope, m.name, m.args))
        truth.set(refKey(change.kind, change.id), change);
    return { lastMutationId, results, records: [...truth.values()] };
  });
}
