import { createProblemReport, type TransitionPayload } from '../../shared/domain/problem-workflow.ts';
import { newId } from '../../shared/domain/ids.ts';
import { placeOfHazard, placeOfNeed } from '../../shared/domain/problem-place.ts';
import {
  NEED_TYPES,
  problemSchema,
  type GpsFix,
  type NeedType,
  type ProblemAction,
  type Problem,
  type ProblemCategory,
  type ProblemPlace,
  type ProblemSource,
  type Severity,
} from '../../shared/schemas/index.ts';
import { CommandError, runCommand, validate, type CommandContext } from './run-command.ts';

export interface ProblemReportInput {
  gridId: string;
  category: ProblemCategory;
  severity: Severity;
  description?: string;
  place: ProblemPlace;
  gps?: GpsFix;
  photoIds: string[];
  source: ProblemSource;
  links?: { hazardId?: string; checklistRunId?: string; needId?: string; visitId?: string };
}

/** 随手拍 and friends: saves a new problem (and links the hazard or need it came from). */
export async function reportProblem(ctx: CommandContext, input: ProblemReportInput): Promise<string> {
  const at = ctx.now();
  const problem = validate(
    problemSchema,
    createProblemReport(
      {
        id: newId(),
        gridId: input.gridId,
        category: input.category,
        severity: input.severity,
        // Two taps after the photo: the category stands in for a description the worker had no time to type.
        description: input.description?.trim() || defaultDescription(input),
        place: input.place,
        gps: input.gps,
        photoIds: input.photoIds,
        source: input.source,
        links: input.links ?? {},
      },
      ctx.actor,
      at,
    ),
  ) satisfies Problem;
  await runCommand(ctx, 'problem.report', { problem }, at);
  return problem.id;
}

function defaultDescription(input: ProblemReportInput): string {
  return input.place.text ? `随手拍：${input.place.text}` : '随手拍（见照片）';
}

/** One tap from a failed checklist item: a safety hazard, orange, with the item's photos. */
export async function reportHazardAsProblem(ctx: CommandContext, hazardId: string): Promise<string> {
  const hazard = await ctx.db.hazards.get(hazardId);
  if (!hazard) throw new CommandError([{ path: '', message: '隐患记录不存在' }]);
  if (hazard.problemId) return hazard.problemId;
  const [building, enterprise] = await Promise.all([
    hazard.buildingId ? ctx.db.buildings.get(hazard.buildingId) : undefined,
    hazard.enterpriseId ? ctx.db.enterprises.get(hazard.enterpriseId) : undefined,
  ]);
  return reportProblem(ctx, {
    gridId: hazard.gridId,
    category: 'safety-hazard',
    severity: 'orange',
    description: hazard.description,
    place: placeOfHazard(hazard, { building, enterprise }),
    photoIds: hazard.photoIds,
    source: 'checklist',
    links: { hazardId: hazard.id, checklistRunId: hazard.runId },
  });
}

const CATEGORY_OF_NEED = {
  medical: 'welfare',
  'daily-living': 'welfare',
  repair: 'infrastructure',
  legal: 'dispute',
  employment: 'welfare',
  benefits: 'welfare',
  other: 'other',
} as const satisfies Record<NeedType, ProblemCategory>;

/** One tap from the needs file: the need becomes a tracked problem, coloured by its urgency. */
export async function reportNeedAsProblem(ctx: CommandContext, needId: string): Promise<string> {
  const need = await ctx.db.needs.get(needId);
  if (!need) throw new CommandError([{ path: '', message: '需求记录不存在' }]);
  if (need.problemId) return need.problemId;
  const household = await ctx.db.households.get(need.householdId);
  return reportProblem(ctx, {
    gridId: need.gridId,
    category: CATEGORY_OF_NEED[need.type],
    severity: need.urgency === 'high' ? 'orange' : need.urgency === 'normal' ? 'yellow' : 'blue',
    description: `${NEED_TYPES[need.type].zh}：${need.description}`,
    place: placeOfNeed(need.householdId, household),
    photoIds: [],
    source: 'visit',
    links: { needId: need.id, visitId: need.foundInVisitId },
  });
}

/** Any step of the closed loop; the shared state machine decides whether it is allowed. */
export async function actOnProblem(
  ctx: CommandContext,
  id: string,
  action: Exclude<ProblemAction, 'report'>,
  payload: TransitionPayload,
): Promise<void> {
  const at = ctx.now();
  const normalized = { ...payload, photoIds: payload.photoIds ?? [] };
  await runCommand(ctx, 'problem.act', { id, action, payload: normalized, at }, at);
}
