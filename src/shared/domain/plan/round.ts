/** The daily round's writes: visits, the needs found on them, checklist runs and templates. */
import type { MutationArgs } from '../../mutations.ts';
import { checklistTemplateSchema } from '../../schemas/checklist.ts';
import type { Household } from '../../schemas/household.ts';
import { needSchema, type Need } from '../../schemas/need.ts';
import { isHazardResult } from '../checklist-answers.ts';
import { BUILT_IN_TEMPLATES } from '../checklist-templates.ts';
import {
  applied,
  check,
  existing,
  isRejection,
  notAfter,
  refuseDeleted,
  refuseExisting,
  reject,
  type Context,
  type Plan,
  type Rejection,
} from './common.ts';

/** New needs must start unlinked (only problem.report links them) and sit in their household's grid. */
function checkNewNeeds(ctx: Context, needs: readonly Need[], household: Household): Rejection | undefined {
  const refused = refuseDeleted(needs) ?? refuseExisting(ctx, 'needs', needs);
  if (refused) return refused;
  if (needs.some((n) => n.householdId !== household.id || n.gridId !== household.gridId))
    return reject('invalid', '需求的住户或网格与记录不一致');
  if (needs.some((n) => n.problemId !== undefined)) return reject('invalid', '新需求不能直接关联问题');
  return undefined;
}

export function planVisitRecord(args: MutationArgs<'visit.record'>, ctx: Context): Plan {
  const { visit, needs } = args;
  const refused = refuseDeleted([visit]) ?? refuseExisting(ctx, 'visits', [visit]);
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

export function planNeedCreate(args: MutationArgs<'need.create'>, ctx: Context): Plan {
  const household = existing(ctx, 'households', args.need.householdId);
  if (isRejection(household)) return household;
  return checkNewNeeds(ctx, [args.need], household) ?? applied([{ kind: 'needs', record: args.need }]);
}

export function planNeedSetStatus(args: MutationArgs<'need.setStatus'>, ctx: Context): Plan {
  const current = existing(ctx, 'needs', args.id);
  if (isRejection(current)) return current;
  if (current.status === args.status) return reject('illegal-transition', '状态没有变化', 'status');
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

export function planChecklistRun(args: MutationArgs<'checklist.recordRun'>, ctx: Context): Plan {
  const { run, hazards } = args;
  const refused =
    refuseDeleted([run, ...hazards]) ??
    refuseExisting(ctx, 'checklistRuns', [run]) ??
    refuseExisting(ctx, 'hazards', hazards);
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
  // A hazard is a fault of the building: only a failed check makes one, never a reminder not done.
  const failedItemIds = new Set(run.results.filter((r) => isHazardResult(r.result)).map((r) => r.itemId));
  if (hazards.some((h) => !failedItemIds.has(h.itemId)))
    return reject('invalid', '只有异常的检查项才记为隐患');
  return applied([
    { kind: 'checklistRuns', record: run },
    ...hazards.map((record) => ({ kind: 'hazards' as const, record })),
  ]);
}

const BUILT_IN_TEMPLATE_IDS: ReadonlySet<string> = new Set(BUILT_IN_TEMPLATES.map((t) => t.id));

export function planTemplateSave(args: MutationArgs<'checklistTemplate.save'>, _ctx: Context): Plan {
  // Built-ins are code with fixed ids; a saved template is always a grid's (or the town's) own.
  if (BUILT_IN_TEMPLATE_IDS.has(args.template.id)) return reject('forbidden', '内置检查模板不能修改');
  const template = check(checklistTemplateSchema, { ...args.template, isBuiltIn: false });
  return template.ok ? applied([{ kind: 'checklistTemplates', record: template.value }]) : template;
}
