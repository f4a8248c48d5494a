import { answerIssues, hazardsOfRun } from '../../shared/domain/checklist-answers.ts';
import { newId } from '../../shared/domain/ids.ts';
import {
  checklistRunSchema,
  newNeedSchema,
  type CheckResult,
  type ChecklistTemplate,
  type FiveSees,
  type GpsFix,
  type Need,
  type NeedStatus,
  type NewNeed,
  type Shift,
  type VisitOutcome,
} from '../../shared/schemas/index.ts';
import { shanghaiDay } from '../../shared/time.ts';
import { CommandError, runCommand, validate, type CommandContext } from './run-command.ts';

export interface VisitInput {
  householdId: string;
  outcome: VisitOutcome;
  shift: Shift;
  personIds?: string[];
  fiveSees?: FiveSees;
  notes?: string;
  needs?: NewNeed[];
  photoIds?: string[];
  gps?: GpsFix;
  /** Defaults to now; a worker may record a visit made earlier today. */
  visitedAt?: number;
}

function buildNeed(
  fields: NewNeed,
  context: { householdId: string; gridId: string; at: number; visitId?: string },
): Need {
  return {
    ...validate(newNeedSchema, fields),
    id: newId(),
    updatedAt: context.at,
    isDeleted: false,
    householdId: context.householdId,
    gridId: context.gridId,
    status: 'open',
    history: [{ at: context.at, status: 'open' }],
    foundInVisitId: context.visitId,
    createdAt: context.at,
  };
}

/** Saves a visit and the needs found on it (each goes into the household's needs file). */
export async function recordVisit(ctx: CommandContext, input: VisitInput): Promise<string> {
  const household = await ctx.db.households.get(input.householdId);
  if (!household || household.isDeleted)
    throw new CommandError([{ path: '', message: '住户不存在或已被删除' }]);
  const now = ctx.now();
  const visitedAt = input.visitedAt ?? now;
  const visitId = newId();
  const needs = (input.needs ?? []).map((fields) =>
    buildNeed(fields, { householdId: household.id, gridId: household.gridId, at: visitedAt, visitId }),
  );
  await runCommand(
    ctx,
    'visit.record',
    {
      visit: {
        id: visitId,
        updatedAt: now,
        isDeleted: false,
        householdId: household.id,
        gridId: household.gridId,
        personIds: input.personIds ?? [],
        visitedAt,
        day: shanghaiDay(visitedAt),
        shift: input.shift,
        outcome: input.outcome,
        fiveSees: input.fiveSees ?? {},
        notes: input.notes,
        needIds: needs.map((n) => n.id),
        photoIds: input.photoIds ?? [],
        gps: input.gps,
      },
      needs,
    },
    now,
  );
  return visitId;
}

/** A need noted outside a visit (a phone call, a neighbour's word). */
export async function addNeed(ctx: CommandContext, householdId: string, fields: NewNeed): Promise<string> {
  const household = await ctx.db.households.get(householdId);
  if (!household || household.isDeleted)
    throw new CommandError([{ path: '', message: '住户不存在或已被删除' }]);
  const at = ctx.now();
  const need = buildNeed(fields, { householdId, gridId: household.gridId, at });
  await runCommand(ctx, 'need.create', { need }, at);
  return need.id;
}

export async function setNeedStatus(
  ctx: CommandContext,
  id: string,
  status: NeedStatus,
  note?: string,
): Promise<void> {
  const at = ctx.now();
  await runCommand(ctx, 'need.setStatus', { id, status, note: note?.trim() || undefined, at }, at);
}

export interface ChecklistRunInput {
  template: ChecklistTemplate;
  gridId: string;
  target: { buildingId: string } | { enterpriseId: string };
  shift: Shift;
  results: Array<{ itemId: string; result: CheckResult; note?: string; photoIds?: string[] }>;
}

/** Saves a finished run; each failed item is saved as a hazard linked to the run (checklist-answers.ts). */
export async function recordChecklistRun(ctx: CommandContext, input: ChecklistRunInput): Promise<string> {
  const at = ctx.now();
  const issues = answerIssues(input.template.items, input.results);
  if (issues.length > 0) throw new CommandError(issues);
  const run = validate(checklistRunSchema, {
    id: newId(),
    updatedAt: at,
    isDeleted: false,
    templateId: input.template.id,
    gridId: input.gridId,
    ...input.target,
    day: shanghaiDay(at),
    shift: input.shift,
    completedAt: at,
    results: input.results.map((r) => ({
      itemId: r.itemId,
      result: r.result,
      note: r.note?.trim() || undefined,
      photoIds: r.photoIds ?? [],
    })),
  });
  const hazards = hazardsOfRun(run, input.template, { at, newId });
  await runCommand(ctx, 'checklist.recordRun', { run, hazards }, at);
  return run.id;
}
