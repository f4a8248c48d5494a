/**
 * A resident's write, as a push applies one (push.ts): under the town's lock, planned by the one
 * shared planner with the resident as actor, written at the town's next versions, so it reaches the
 * grid's devices on their next pull like any other change and goes through the same state machine.
 * The resident has no account or device: nothing here touches clients or the mutation log.
 */
import {
  planMutation,
  readsFromLoaded,
  readsOf,
  refKey,
  type PlanActor,
} from '../../shared/domain/apply-mutation.ts';
import type { MutationArgs } from '../../shared/mutations.ts';
import { ApiFailure } from '../http/context.ts';
import { prevAssigneeOf, type RecordWrite } from '../store/records.ts';
import { assigneeKeyOf, type Store } from '../store/store.ts';

/** The only mutations a resident's page sends: a report, and a step on their own report. */
export type ResidentMutation =
  | { name: 'problem.report'; args: MutationArgs<'problem.report'> }
  | { name: 'problem.act'; args: MutationArgs<'problem.act'> };

/**
 * The anonymous resident has no user id. The problem planners read the actor only to write it into
 * the report and its events and to match assignees (never a resident), so none is invented.
 */
const RESIDENT = { role: 'resident' } as PlanActor;

/**
 * Applies the mutations in order in one transaction under the town's lock; `alongside` runs in the
 * same transaction after the writes (the tracking code, the photo). A refusal by the rules is a 409
 * with the rule's own words; nothing of it is written.
 */
export async function applyAsResident(
  store: Store,
  townId: string,
  mutations: readonly ResidentMutation[],
  now: number,
  alongside?: (tx: Store) => Promise<void>,
): Promise<void> {
  await store.transaction(async (tx) => {
    const { version } = await tx.towns.lock(townId);
    let counter = version;
    const loaded = new Map<string, unknown>();
    // Each record's assignee as it stands, for the department that passed it on (prevAssigneeOf).
    const assignees = new Map<string, { assigneeKey: string | null; prevAssigneeKey: string | null }>();
    const writes = new Map<string, RecordWrite>();
    for (const mutation of mutations) {
      const refs = readsOf(mutation.name, mutation.args).filter((r) => !loaded.has(refKey(r.kind, r.id)));
      const found = await tx.records.getMany(townId, refs);
      for (const ref of refs) {
        const key = refKey(ref.kind, ref.id);
        const row = found.get(key);
        if (row) assignees.set(key, row);
        loaded.set(key, row?.data);
      }
      const plan = planMutation(mutation.name, mutation.args, readsFromLoaded(loaded), RESIDENT, now, {
        writer: 'resident',
      });
      if (!plan.ok) throw new ApiFailure(409, 'conflict', plan.message);
      for (const { kind, record } of plan.writes) {
        const key = refKey(kind, record.id);
        const prevAssigneeKey = prevAssigneeOf(kind, record, assignees.get(key));
        writes.set(key, {
          kind,
          record,
          version: ++counter,
          writtenBy: null,
          writtenAt: now,
          prevAssigneeKey,
        });
        assignees.set(key, { assigneeKey: assigneeKeyOf(kind, record), prevAssigneeKey });
        loaded.set(key, record);
      }
    }
    await tx.records.put(townId, [...writes.values()]);
    await alongside?.(tx);
    await tx.towns.advance(townId, counter);
  });
}
