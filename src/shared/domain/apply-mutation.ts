/**
 * What each mutation means, as a pure planner: given the parsed args, the records it reads and who
 * acts, it says which records to write (or why the mutation can never succeed). It is the one write
 * path: the device's commands, the device's rebase and the server all run it, so a device cannot
 * forge a reporter, skip a status or write a field its role may not see, and a phone's records are
 * what the server will make of the same write.
 *
 * Grid scope (which grids the user covers) is the caller's job: the planner knows roles, not grids.
 * What each mutation reads is the typed table in mutation-reads.ts.
 */
import type { MutationArgs, MutationName } from '../mutations.ts';
import type { RecordKind, RecordOf } from '../records.ts';
import type { Context, Plan, PlanActor, PlanReads } from './plan/common.ts';
import { refKey } from './mutation-reads.ts';
import { planCadenceSet } from './plan/cadence.ts';
import { planGridTeamRotateToken, planGridTeamSet } from './plan/grid-team.ts';
import { planProblemAct, planProblemReport } from './plan/problems.ts';
import {
  planHouseholdCreate,
  planHouseholdUpdate,
  planPersonCreate,
  planPersonMoveOut,
  planPersonUpdate,
} from './plan/register.ts';
import {
  planChecklistRun,
  planNeedCreate,
  planNeedSetStatus,
  planTemplateSave,
  planVisitRecord,
} from './plan/round.ts';
import { planTaskCreate, planTaskItemComplete, planTaskUpdate } from './plan/tasks.ts';
import { planVisitCorrect, planVisitWithdraw } from './plan/visit-corrections.ts';

export type { FieldConflict, Plan, PlanActor, PlanReads, RecordWrite, Rejection } from './plan/common.ts';
export { readsOf, refKey, type RecordRef } from './mutation-reads.ts';

export interface PlanOptions {
  /** Identity compared with PlanReads.lastWriter (the server uses the client id); defaults to the user. */
  writer?: string;
}

type Planner<N extends MutationName> = (args: MutationArgs<N>, ctx: Context) => Plan;

const PLANNERS: { [N in MutationName]: Planner<N> } = {
  'household.create': planHouseholdCreate,
  'household.update': planHouseholdUpdate,
  'person.create': planPersonCreate,
  'person.update': planPersonUpdate,
  'person.moveOut': planPersonMoveOut,
  'visit.record': planVisitRecord,
  'visit.correct': planVisitCorrect,
  'visit.withdraw': planVisitWithdraw,
  'need.create': planNeedCreate,
  'need.setStatus': planNeedSetStatus,
  'checklist.recordRun': planChecklistRun,
  'checklistTemplate.save': planTemplateSave,
  'problem.report': planProblemReport,
  'problem.act': planProblemAct,
  'cadence.set': planCadenceSet,
  'gridTeam.set': planGridTeamSet,
  'gridTeam.rotateToken': planGridTeamRotateToken,
  'task.create': planTaskCreate,
  'task.update': planTaskUpdate,
  'taskItem.complete': planTaskItemComplete,
};

/**
 * Plans one mutation. `args` must already have passed mutationArgsSchemas[name]; `at` is when it is
 * applied (the device's clock when it is made; on the server the mutation's createdAt, never later
 * than the server's own clock).
 */
export function planMutation<N extends MutationName>(
  name: N,
  args: MutationArgs<N>,
  reads: PlanReads,
  actor: PlanActor,
  at: number,
  options: PlanOptions = {},
): Plan {
  const ctx: Context = { reads, actor, at, writer: options.writer ?? actor.userId };
  // TypeScript cannot correlate PLANNERS[name] with MutationArgs<N>; the mapped type above guarantees it.
  const planner = PLANNERS[name] as Planner<N>;
  return planner(args, ctx);
}

/**
 * PlanReads over records loaded beforehand (by refKey; undefined = not stored). A planner reading
 * a record its mutation's row in MUTATION_READS does not name is a bug in that table: it throws, so
 * tests find it, rather than quietly reading nothing.
 */
export function readsFromLoaded(
  loaded: ReadonlyMap<string, unknown>,
  lastWriter?: PlanReads['lastWriter'],
): PlanReads {
  return {
    get<K extends RecordKind>(kind: K, id: string): RecordOf<K> | undefined {
      const key = refKey(kind, id);
      if (!loaded.has(key)) throw new Error(`planner read ${key}, which MUTATION_READS does not list`);
      return loaded.get(key) as RecordOf<K> | undefined;
    },
    ...(lastWriter ? { lastWriter } : {}),
  };
}
