/**
 * What each mutation means, as a pure planner: given the parsed args, the records it reads and who
 * acts, it says which records to write (or why the mutation can never succeed). The server applies
 * every synced mutation through here with the real user as actor, so a device cannot forge a
 * reporter, skip a status or write a field its role may not see; the device can run the same plan to
 * stay in step with the server.
 *
 * Grid scope (which grids the user covers) is the caller's job: the planner knows roles, not grids.
 */
// The one locale, not the zod/locales index: Vite's dev server would fetch every locale file.
import zhCN from 'zod/v4/locales/zh-CN.js';
import type { z } from 'zod';
import type { MutationArgs, MutationName } from '../mutations.ts';
import type { RejectionReason } from '../protocol.ts';
import type { RecordKind, RecordOf } from '../records.ts';
import { CARE_TAGS, type CareTag } from '../schemas/care-tags.ts';
import { checklistTemplateSchema } from '../schemas/checklist.ts';
import { householdSchema, type Household } from '../schemas/household.ts';
import { needSchema, type Need } from '../schemas/need.ts';
import { personSchema, type Person } from '../schemas/person.ts';
import { problemSchema, type Actor, type Problem } from '../schemas/problem.ts';
import { BUILT_IN_TEMPLATES } from './checklist-templates.ts';
import { DEPARTMENTS } from './departments.ts';
import { canSeeSensitive } from './privacy.ts';
import { applyFieldChanges } from './changes.ts';
import { applyProblemAction, createProblemReport } from './problem-workflow.ts';

/** Read access to the current state: the server's store, or the device's database. */
export interface PlanReads {
  get<K extends RecordKind>(kind: K, id: string): RecordOf<K> | undefined;
  /**
   * Who wrote the current version, when the writer of this mutation may not have seen it (the caller
   * decides: e.g. the server answers undefined once the client has pulled that version). A field
   * this mutation overwrites with a different value is then logged as a conflict.
   */
  lastWriter?(kind: RecordKind, id: string): string | undefined;
}

export type PlanActor = Actor & { userId: string };

export type RecordWrite = { [K in RecordKind]: { kind: K; record: RecordOf<K> } }[RecordKind];

export interface FieldConflict {
  kind: RecordKind;
  id: string;
  field: string;
  /** The value that was there and is now lost (null when the field was empty). */
  overwritten: unknown;
  value: unknown;
}

export type Plan =
  | { ok: true; writes: RecordWrite[]; conflicts: FieldConflict[] }
  | { ok: false; reason: RejectionReason; message: string };
type Rejection = Extract<Plan, { ok: false }>;

export interface PlanOptions {
  /** Identity compared with PlanReads.lastWriter (the server uses the client id); defaults to the user. */
  writer?: string;
}

interface Context {
  reads: PlanReads;
  actor: PlanActor;
  at: number;
  writer: string;
}

const reject = (reason: RejectionReason, message: string): Rejection => ({ ok: false, reason, message });
const applied = (writes: RecordWrite[], conflicts: FieldConflict[] = []): Plan => ({
  ok: true,
  writes,
  conflicts,
});

const zhErrorMap = zhCN().localeError;

/** Re-validates a merged record; the first issue names the field so the worker can find it. */
function check<S extends z.ZodType>(schema: S, value: unknown): { ok: true; value: z.output<S> } | Rejection {
  const parsed = schema.safeParse(value, { error: zhErrorMap });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return reject(
    'invalid',
    path ? `${issue?.message ?? '内容无效'}（${path}）` : (issue?.message ?? '内容无效'),
  );
}

const LABELS: Record<RecordKind, string> = {
  grids: '网格',
  buildings: '楼栋',
  enterprises: '企业',
  households: '住户',
  people: '人员',
  visits: '走访记录',
  needs: '需求',
  checklistTemplates: '检查模板',
  checklistRuns: '检查记录',
  hazards: '隐患',
  problems: '问题',
};

function existing<K extends RecordKind>(ctx: Context, kind: K, id: string): RecordOf<K> | Rejection {
  const record = ctx.reads.get(kind, id);
  if (record === undefined || record.isDeleted) return reject('not-found', `${LABELS[kind]}不存在或已被删除`);
  return record;
}

const isRejection = (value: unknown): value is Rejection =>
  typeof value === 'object' && value !== null && 'ok' in value && value.ok === false;

/** A create must not overwrite: the same id already stored means a replay from another device or a forgery. */
function refuseExisting(ctx: Context, kind: RecordKind, ids: readonly string[]): Rejection | undefined {
  const taken = ids.find((id) => ctx.reads.get(kind, id) !== undefined);
  return taken === undefined ? undefined : reject('invalid', `${LABELS[kind]}已存在：${taken}`);
}

const refuseDeleted = (records: readonly { isDeleted: boolean }[]): Rejection | undefined =>
  records.some((r) => r.isDeleted) ? reject('invalid', '不能新建已删除的记录') : undefined;

/** The sensitive part of a person (PIPL) that a role which may not read it must not write either. */
function sensitiveWrite(
  actor: PlanActor,
  fields: { idNumber?: string | null | undefined; tags?: readonly CareTag[] | undefined },
) {
  if (canSeeSensitive(actor.role)) return undefined;
  // Clearing (null) is a change too: a role that cannot see the number may not touch it.
  if (fields.idNumber !== undefined) return reject('forbidden', '无权填写或修改身份证号');
  const sensitiveTag = fields.tags?.find((tag) => CARE_TAGS[tag].isSensitive);
  if (sensitiveTag !== undefined)
    return reject('forbidden', `无权填写敏感标签“${CARE_TAGS[sensitiveTag].zh}”`);
  return undefined;
}

/** A time the device stamped, never later than the plan's own time (a phone clock running fast). */
const notAfter = (at: number, ctx: Context) => Math.min(at, ctx.at);

const sameValue = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Fields this mutation changes over a version its writer had not seen: the old value would vanish silently. */
function conflictsOf(
  ctx: Context,
  kind: RecordKind,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  fields: readonly string[],
): FieldConflict[] {
  const id = String(before.id);
  const lastWriter = ctx.reads.lastWriter?.(kind, id);
  if (lastWriter === undefined || lastWriter === ctx.writer) return [];
  return fields
    .filter((field) => !sameValue(before[field], after[field]))
    .map((field) => ({ kind, id, field, overwritten: before[field] ?? null, value: after[field] ?? null }));
}

/** Changes as sent (see applyFieldChanges: null clears, absent keeps), stamped with the apply time. */
function merge<T extends object>(record: T, changes: object, at: number): T {
  return { ...applyFieldChanges(record, changes), updatedAt: at };
}

function planHouseholdCreate(args: MutationArgs<'household.create'>, ctx: Context): Plan {
  const { household, people } = args;
  const refused =
    refuseDeleted([household, ...people]) ??
    refuseExisting(ctx, 'households', [household.id]) ??
    refuseExisting(
      ctx,
      'people',
      people.map((p) => p.id),
    );
  if (refused) return refused;
  const stray = people.find((p) => p.householdId !== household.id || p.gridId !== household.gridId);
  if (stray) return reject('invalid', `成员“${stray.name}”不属于这个住户或网格`);
  for (const person of people) {
    const forbidden = sensitiveWrite(ctx.actor, person);
    if (forbidden) return forbidden;
  }
  return applied([
    { kind: 'households', record: household },
    ...people.map((record) => ({ kind: 'people' as const, record })),
  ]);
}

function planHouseholdUpdate(args: MutationArgs<'household.update'>, ctx: Context): Plan {
  const current = existing(ctx, 'households', args.id);
  if (isRejection(current)) return current;
  const merged = check(householdSchema, merge(current, args.changes, ctx.at));
  if (!merged.ok) return merged;
  const conflicts = conflictsOf(ctx, 'households', current, merged.value, Object.keys(args.changes));
  return applied([{ kind: 'households', record: merged.value satisfies Household }], conflicts);
}

function planPersonCreate(args: MutationArgs<'person.create'>, ctx: Context): Plan {
  const { person } = args;
  const refused = refuseDeleted([person]) ?? refuseExisting(ctx, 'people', [person.id]);
  if (refused) return refused;
  const household = existing(ctx, 'households', person.householdId);
  if (isRejection(household)) return household;
  if (household.gridId !== person.gridId) return reject('invalid', '人员的网格与住户的网格不一致');
  return sensitiveWrite(ctx.actor, person) ?? applied([{ kind: 'people', record: person }]);
}

function planPersonUpdate(args: MutationArgs<'person.update'>, ctx: Context): Plan {
  const current = existing(ctx, 'people', args.id);
  if (isRejection(current)) return current;
  const forbidden = sensitiveWrite(ctx.actor, args.changes);
  if (forbidden) return forbidden;
  const changes = { ...args.changes };
  // A role that never saw the sensitive tags sends only the others: keep the ones it could not see.
  if (changes.tags !== undefined && !canSeeSensitive(ctx.actor.role))
    changes.tags = [...changes.tags, ...current.tags.filter((tag) => CARE_TAGS[tag].isSensitive)];
  const merged = check(personSchema, merge(current, changes, ctx.at));
  if (!merged.ok) return merged;
  const conflicts = conflictsOf(ctx, 'people', current, merged.value, Object.keys(changes));
  return applied([{ kind: 'people', record: merged.value satisfies Person }], conflicts);
}

function planPersonMoveOut(args: MutationArgs<'person.moveOut'>, ctx: Context): Plan {
  const current = existing(ctx, 'people', args.id);
  if (isRejection(current)) return current;
  if (current.status !== 'resident') return reject('illegal-transition', '此人已不在住');
  const record: Person = {
    ...current,
    status: args.status,
    movedOutAt: notAfter(args.at, ctx),
    updatedAt: ctx.at,
  };
  return applied([{ kind: 'people', record }]);
}

/** New needs must start unlinked (only problem.report links them) and sit in their household's grid. */
function checkNewNeeds(ctx: Context, needs: readonly Need[], household: Household): Rejection | undefined {
  const refused =
    refuseDeleted(needs) ??
    refuseExisting(
      ctx,
      'needs',
      needs.map((n) => n.id),
    );
  if (refused) return refused;
  if (needs.some((n) => n.householdId !== household.id || n.gridId !== household.gridId))
    return reject('invalid', '需求的住户或网格与记录不一致');
  if (needs.some((n) => n.problemId !== undefined)) return reject('invalid', '新需求不能直接关联问题');
  return undefined;
}

function planVisitRecord(args: MutationArgs<'visit.record'>, ctx: Context): Plan {
  const { visit, needs } = args;
  const refused = refuseDeleted([visit]) ?? refuseExisting(ctx, 'visits', [visit.id]);
  if (refused) return refused;
  const household = existing(ctx, 'households', visit.householdId);
  if (isRejection(household)) return household;
  if (household.gridId !== visit.gridId) return reject('invalid', '走访的网格与住户的网格不一致');
  const badNeed = checkNewNeeds(ctx, needs, household);
  if (badNeed) return badNeed;
  return applied([
    { kind: 'visits', record: visit },
    ...needs.map((record) => ({ kind: 'needs' as const, record })),
  ]);
}

function planNeedCreate(args: MutationArgs<'need.create'>, ctx: Context): Plan {
  const household = existing(ctx, 'households', args.need.householdId);
  if (isRejection(household)) return household;
  return checkNewNeeds(ctx, [args.need], household) ?? applied([{ kind: 'needs', record: args.need }]);
}

function planNeedSetStatus(args: MutationArgs<'need.setStatus'>, ctx: Context): Plan {
  const current = existing(ctx, 'needs', args.id);
  if (isRejection(current)) return current;
  if (current.status === args.status) return reject('illegal-transition', '状态没有变化');
  const at = notAfter(args.at, ctx);
  const entry = { at, status: args.status, ...(args.note ? { note: args.note } : {}) };
  const next = check(needSchema, {
    ...current,
    status: args.status,
    history: [...current.history, entry],
    updatedAt: at,
  });
  return next.ok ? applied([{ kind: 'needs', record: next.value }]) : next;
}

function planChecklistRun(args: MutationArgs<'checklist.recordRun'>, ctx: Context): Plan {
  const { run, hazards } = args;
  const refused =
    refuseDeleted([run, ...hazards]) ??
    refuseExisting(ctx, 'checklistRuns', [run.id]) ??
    refuseExisting(
      ctx,
      'hazards',
      hazards.map((h) => h.id),
    );
  if (refused) return refused;
  const target =
    run.buildingId !== undefined
      ? existing(ctx, 'buildings', run.buildingId)
      : existing(ctx, 'enterprises', run.enterpriseId ?? '');
  if (isRejection(target)) return target;
  if (target.gridId !== run.gridId) return reject('invalid', '检查记录的网格与检查对象的网格不一致');
  if (hazards.some((h) => h.runId !== run.id || h.gridId !== run.gridId))
    return reject('invalid', '隐患记录与检查记录不一致');
  if (hazards.some((h) => h.problemId !== undefined)) return reject('invalid', '新隐患不能直接关联问题');
  return applied([
    { kind: 'checklistRuns', record: run },
    ...hazards.map((record) => ({ kind: 'hazards' as const, record })),
  ]);
}

const BUILT_IN_TEMPLATE_IDS: ReadonlySet<string> = new Set(BUILT_IN_TEMPLATES.map((t) => t.id));

function planTemplateSave(args: MutationArgs<'checklistTemplate.save'>, _ctx: Context): Plan {
  // Built-ins are code with fixed ids; a saved template is always a grid's (or the town's) own.
  if (BUILT_IN_TEMPLATE_IDS.has(args.template.id)) return reject('forbidden', '内置检查模板不能修改');
  const template = check(checklistTemplateSchema, { ...args.template, isBuiltIn: false });
  return template.ok ? applied([{ kind: 'checklistTemplates', record: template.value }]) : template;
}

/** Links a hazard or need back to the problem made from it; each may be turned into a problem once. */
function checkLink(
  kind: 'hazards' | 'needs',
  record: { problemId?: string | undefined; gridId: string },
  problem: Problem,
): Rejection | undefined {
  if (record.problemId !== undefined) return reject('illegal-transition', `这条${LABELS[kind]}已经转为问题`);
  if (record.gridId !== problem.gridId) return reject('invalid', `问题与所关联的${LABELS[kind]}不在同一网格`);
  return undefined;
}

function planProblemReport(args: MutationArgs<'problem.report'>, ctx: Context): Plan {
  const sent = args.problem;
  const refused = refuseDeleted([sent]) ?? refuseExisting(ctx, 'problems', [sent.id]);
  if (refused) return refused;
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
    },
    ctx.actor,
    Math.min(sent.reportedAt, ctx.at),
  );
  const problem = check(problemSchema, rebuilt);
  if (!problem.ok) return problem;
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

const DEPARTMENT_IDS: ReadonlySet<string> = new Set(DEPARTMENTS.map((d) => d.id));

function planProblemAct(args: MutationArgs<'problem.act'>, ctx: Context): Plan {
  const current = existing(ctx, 'problems', args.id);
  if (isRejection(current)) return current;
  const assignee = args.payload.assignee;
  if (assignee?.kind === 'department' && !DEPARTMENT_IDS.has(assignee.id))
    return reject('invalid', `没有这个承办部门：${assignee.name}`);
  const result = applyProblemAction(current, args.action, ctx.actor, args.payload, notAfter(args.at, ctx));
  if (!result.ok) return reject(result.reason, result.message);
  const problem = check(problemSchema, result.problem);
  return problem.ok ? applied([{ kind: 'problems', record: problem.value }]) : problem;
}

type Planner<N extends MutationName> = (args: MutationArgs<N>, ctx: Context) => Plan;

const PLANNERS: { [N in MutationName]: Planner<N> } = {
  'household.create': planHouseholdCreate,
  'household.update': planHouseholdUpdate,
  'person.create': planPersonCreate,
  'person.update': planPersonUpdate,
  'person.moveOut': planPersonMoveOut,
  'visit.record': planVisitRecord,
  'need.create': planNeedCreate,
  'need.setStatus': planNeedSetStatus,
  'checklist.recordRun': planChecklistRun,
  'checklistTemplate.save': planTemplateSave,
  'problem.report': planProblemReport,
  'problem.act': planProblemAct,
};

/**
 * Plans one mutation. `args` must already have passed mutationArgsSchemas[name]; `at` is when it is
 * applied (the server uses the mutation's createdAt, never later than its own clock).
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

export interface RecordRef {
  kind: RecordKind;
  id: string;
}

/** Every record planMutation may read for these args, so a caller can load (and scope-check) them first. */
export function readsFor<N extends MutationName>(name: N, args: MutationArgs<N>): RecordRef[] {
  const a = args as MutationArgs<MutationName>;
  const refs: RecordRef[] = [];
  const add = (kind: RecordKind, id: string | undefined) => {
    if (id !== undefined) refs.push({ kind, id });
  };
  if ('household' in a) {
    add('households', a.household.id);
    for (const person of a.people) add('people', person.id);
  } else if ('person' in a) {
    add('people', a.person.id);
    add('households', a.person.householdId);
  } else if ('visit' in a) {
    add('visits', a.visit.id);
    add('households', a.visit.householdId);
    for (const need of a.needs) add('needs', need.id);
  } else if ('need' in a) {
    add('needs', a.need.id);
    add('households', a.need.householdId);
  } else if ('run' in a) {
    add('checklistRuns', a.run.id);
    add('buildings', a.run.buildingId);
    add('enterprises', a.run.enterpriseId);
    for (const hazard of a.hazards) add('hazards', hazard.id);
  } else if ('template' in a) {
    add('checklistTemplates', a.template.id);
  } else if ('problem' in a) {
    add('problems', a.problem.id);
    add('hazards', a.problem.links.hazardId);
    add('needs', a.problem.links.needId);
  } else {
    const kinds = {
      'household.update': 'households',
      'person.update': 'people',
      'person.moveOut': 'people',
      'need.setStatus': 'needs',
      'problem.act': 'problems',
    } as const satisfies Partial<Record<MutationName, RecordKind>>;
    const kind = (kinds as Partial<Record<MutationName, RecordKind>>)[name];
    if (kind !== undefined) add(kind, a.id);
  }
  return refs;
}
