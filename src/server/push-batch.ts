/**
 * Pushes of one town, batched (ARCHITECTURE.md sync step 2). A town's pushes must not interleave:
 * each takes the town's lock in the database first, so every read sees what the push before
 * committed and versions are handed out in commit order. Rather than queueing every request on that
 * lock (holding a connection each, a round trip per statement under the lock), the requests of a town
 * that arrive while one is in the database wait here, in this process, and then go in together: one
 * transaction, one lock, one read of their records, one multi-row write, one commit. Each mutation
 * is still planned in order on top of the ones before it (push.ts), and each request gets its own
 * answer. Other towns never wait on it, and the rest of the pool stays free for pulls and sign-ins.
 */
import { refKey } from '../shared/domain/apply-mutation.ts';
import type { Mutation, MutationResult, PushResponse, RecordChange } from '../shared/protocol.ts';
import { applyOne, load, retried, truthFor, type PushBatch, type PushContext } from './push.ts';
import { refsOf } from './push-args.ts';
import type { Scope } from './scope.ts';
import type { Store, StoredUser } from './store/store.ts';

export interface PushInput {
  clientId: string;
  mutations: Mutation[];
}

interface PushRequest {
  user: StoredUser;
  scope: Scope;
  input: PushInput;
  now: number;
}

interface Waiting {
  request: PushRequest;
  resolve: (response: PushResponse) => void;
  reject: (error: unknown) => void;
}

/** A batch stops growing here, so one transaction stays short. */
const MAX_BATCH_MUTATIONS = 2_000;

const townQueues = new WeakMap<Store['database'], Map<string, Waiting[]>>();

/**
 * ARCHITECTURE.md push step 2, per mutation in order:
 *   2.1 skip ids <= the client's lastMutationId (already applied or rejected: a retry);
 *   2.2 re-validate args with zod; 2.3 check the role and the scope of every record read;
 *   2.4 plan with the shared rules and the real actor; 2.5 check the scope of every record written;
 *   2.6 take the records, conflicts and the log entry.
 * A refusal at 2.2-2.5 is logged as rejected and still advances lastMutationId. The caller has bound
 * the client id to this user. Database errors (disk full, connection lost) escape: the request rolls
 * back whole, answers 500, and the device retries it.
 */
export function pushMutations(
  store: Store,
  user: StoredUser,
  scope: Scope,
  input: PushInput,
  now: number,
): Promise<PushResponse> {
  return new Promise((resolve, reject) => {
    let queues = townQueues.get(store.database);
    if (!queues) townQueues.set(store.database, (queues = new Map()));
    const waiting: Waiting = { request: { user, scope, input, now }, resolve, reject };
    const queue = queues.get(scope.townId);
    if (queue) queue.push(waiting);
    else {
      const started = [waiting];
      queues.set(scope.townId, started);
      void drain(store, scope.townId, queues, started);
    }
  });
}

async function drain(store: Store, townId: string, queues: Map<string, Waiting[]>, queue: Waiting[]) {
  try {
    while (queue.length > 0) {
      let size = 0;
      let count = 0;
      while (
        count < queue.length &&
        (count === 0 || size + queue[count]!.request.input.mutations.length <= MAX_BATCH_MUTATIONS)
      )
        size += queue[count++]!.request.input.mutations.length;
      const batch = queue.splice(0, count);
      try {
        const answers = await pushBatch(
          store,
          townId,
          batch.map((w) => w.request),
        );
        answers.forEach((answer, i) =>
          answer instanceof Error ? batch[i]!.reject(answer) : batch[i]!.resolve(answer),
        );
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        // One request's failure must not fail the others with it: each goes again on its own.
        else
          for (const waiting of batch) {
            try {
              const [answer] = await pushBatch(store, townId, [waiting.request]);
              if (answer instanceof Error) waiting.reject(answer);
              else waiting.resolve(answer!);
            } catch (alone) {
              waiting.reject(alone);
            }
          }
      }
    }
  } finally {
    queues.delete(townId);
  }
}

/** The requests in one transaction; an answer per request (an Error for one that cannot run). */
function pushBatch(
  store: Store,
  townId: string,
  requests: readonly PushRequest[],
): Promise<(PushResponse | Error)[]> {
  return store.transaction(async (tx) => {
    // The town's lock first: everything read after it is what the previous batch of the town committed.
    const { version } = await tx.towns.lock(townId);
    const clients = await tx.clients.getMany(requests.map((r) => r.input.clientId));
    const batch: PushBatch = {
      tx,
      overlay: new Map(),
      counter: { version },
      writes: new Map(),
      conflicts: [],
      log: [],
    };
    const lastMutationIds = new Map<string, number>();
    const done: {
      ctx: PushContext;
      request: PushRequest;
      results: MutationResult[];
      lastMutationId: number;
    }[] = [];
    const answers: (PushResponse | Error | undefined)[] = requests.map(() => undefined);
    await load(
      { ...batch, scope: requests[0]!.scope },
      requests.flatMap((r) => r.input.mutations.flatMap(refsOf)),
    );
    for (const [i, request] of requests.entries()) {
      const { user, scope, input, now } = request;
      const client = clients.get(input.clientId);
      if (!client || client.userId !== user.id || scope.townId !== townId) {
        answers[i] = new Error('client not bound to this user');
        continue;
      }
      const ctx: PushContext = {
        ...batch,
        user,
        scope,
        clientId: input.clientId,
        pulledVersion: client.pulledVersion,
        now,
      };
      const before = lastMutationIds.get(input.clientId) ?? client.lastMutationId;
      const results: MutationResult[] = [];
      for (const mutation of input.mutations) {
        if (mutation.mutationId <= before)
          results.push(await retried(batch, input.clientId, mutation.mutationId));
        else {
          try {
            results.push(await applyOne(ctx, mutation));
          } catch (error) {
            // The request rolls back and the device retries it: name the write that keeps failing.
            console.error(
              `push: mutation ${mutation.mutationId} (${mutation.name}) of ${input.clientId} failed`,
            );
            throw error;
          }
        }
      }
      const lastMutationId = Math.max(before, input.mutations.at(-1)?.mutationId ?? 0);
      lastMutationIds.set(input.clientId, lastMutationId);
      done.push({ ctx, request, results, lastMutationId });
    }
    await tx.records.put(townId, [...batch.writes.values()]);
    await tx.journal.insertConflicts(townId, batch.conflicts);
    await tx.clients.logMutations(batch.log);
    for (const [clientId, lastMutationId] of lastMutationIds)
      if (lastMutationId !== clients.get(clientId)!.lastMutationId)
        await tx.clients.setLastMutationId(clientId, lastMutationId);
    await tx.towns.advance(townId, batch.counter.version);

    // Read after the whole batch: what a later mutation wrote is the truth now.
    for (const { ctx, request, results, lastMutationId } of done) {
      const refused = request.input.mutations.filter((m) =>
        results.some((r) => r.mutationId === m.mutationId && r.status === 'rejected'),
      );
      const truth = new Map<string, RecordChange>();
      for (const m of refused)
        for (const change of await truthFor(ctx, m)) truth.set(refKey(change.kind, change.id), change);
      answers[requests.indexOf(request)] =
        refused.length === 0
          ? { lastMutationId, results }
          : { lastMutationId, results, records: [...truth.values()] };
    }
    return answers.map((answer) => answer ?? new Error('push was not answered'));
  });
}
