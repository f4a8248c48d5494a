/** The closed loop's writes: a problem reported, and each step taken on it. */
import type { MutationArgs } from '../../mutations.ts';
import { problemSchema, type Problem } from '../../schemas/problem.ts';
import { applyProblemAction, createProblemReport } from '../problem-workflow.ts';
import {
  applied,
  check,
  existing,
  isRejection,
  LABELS,
  notAfter,
  refuseDeleted,
  refuseExisting,
  reject,
  type Context,
  type Plan,
  type RecordWrite,
  type Rejection,
} from './common.ts';

/** Links a hazard or need back to the problem made from it; each may be turned into a problem once. */
function checkLink(
  kind: 'hazards' | 'needs',
  record: { problemId?: string | undefined; gridId: string },
  problem: Problem,
): Rejection | undefined {
  if (record.problemId === problem.id) return undefined;
  if (record.problemId !== undefined) return reject('illegal-transition', `这条${LABELS[kind]}已经转为问题`);
  if (record.gridId !== problem.gridId) return reject('invalid', `问题与所关联的${LABELS[kind]}不在同一网格`);
  return undefined;
}

export function planProblemReport(args: MutationArgs<'problem.report'>, ctx: Context): Plan {
  const sent = args.problem;
  // Rebuilt from the reported fields with the real user: a device cannot send a problem that starts
  // dispatched, resolved or with someone else's name on it.
  const rebuilt = createProblemReport(
    {
      id: sent.id,
      gridId: sent.gridId,
      category: sent.category,
      severity: sent.severity,
      description: sent.description,
      place: sent.place,
      photoIds: sent.photoIds,
      source: sent.source,
      links: sent.links,
      level: sent.level,
      path: sent.path,
      gps: sent.gps,
      reporterPhone: sent.reporterPhone,
    },
    ctx.actor,
    Math.min(sent.reportedAt, ctx.at),
  );
  const problem = check(problemSchema, rebuilt);
  if (!problem.ok) return problem;
  const refused = refuseDeleted([sent]) ?? refuseExisting(ctx, 'problems', [problem.value]);
  if (refused) return refused;
  const writes: RecordWrite[] = [{ kind: 'problems', record: problem.value }];
  const { hazardId, needId } = problem.value.links;
  if (hazardId !== undefined) {
    const hazard = existing(ctx, 'hazards', hazardId);
    if (isRejection(hazard)) return hazard;
    const refusedLink = checkLink('hazards', hazard, problem.value);
    if (refusedLink) return refusedLink;
    writes.push({ kind: 'hazards', record: { ...hazard, problemId: problem.value.id, updatedAt: ctx.at } });
  }
  if (needId !== undefined) {
    const need = existing(ctx, 'needs', needId);
    if (isRejection(need)) return need;
    const refusedLink = checkLink('needs', need, problem.value);
    if (refusedLink) return refusedLink;
    writes.push({ kind: 'needs', record: { ...need, problemId: problem.value.id, updatedAt: ctx.at } });
  }
  return applied(writes);
}

export function planProblemAct(args: MutationArgs<'problem.act'>, ctx: Context): Plan {
  const current = existing(ctx, 'problems', args.id);
  if (isRejection(current)) return current;
  const result = applyProblemAction(current, args.action, ctx.actor, args.payload, notAfter(args.at, ctx));
  if (!result.ok) return reject(result.reason, result.message);
  // After the state machine, so who may not dispatch at all hears that first. The town's departments
  // are its records: one never loaded, or closed since, takes no orders.
  const assignee = args.payload.assignee;
  if (assignee?.kind === 'department') {
    const department = ctx.reads.get('departments', assignee.id);
    if (department === undefined || department.isDeleted)
      return reject('invalid', `没有这个承办部门：${assignee.name}`, 'payload.assignee');
  }
  const problem = check(problemSchema, result.problem);
  return problem.ok ? applied([{ kind: 'problems', record: problem.value }]) : problem;
}
