import {
  applyProblemAction,
  createProblemReport,
  type TransitionPayload,
} from '../../shared/domain/problem-workflow.ts';
import { newId } from '../../shared/domain/ids.ts';
import {
  NEED_TYPES,
  problemSchema,
  type Actor,
  type GpsFix,
  type NeedType,
  type ProblemAction,
  type ProblemCategory,
  type ProblemPlace,
  type ProblemSource,
  type Severity,
} from '../../shared/schemas/index.ts';
import type { AppDB } from '../db/app-db.ts';
import { CommandError, runCommand, validate } from './run-command.ts';

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
export async function reportProblem(db: AppDB, input: ProblemReportInput, actor: Actor): Promise<string> {
  const at = Date.now();
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
      actor,
      at,
    ),
  );
  await runCommand(db, 'problem.report', { problem }, async (args) => {
    await db.problems.add(args.problem);
    const { hazardId, needId } = args.problem.links;
    if (hazardId) {
      const hazard = await db.hazards.get(hazardId);
      if (!hazard) throw new CommandError([{ path: 'links.hazardId', message: '隐患记录不存在' }]);
      if (hazard.problemId)
        throw new CommandError([{ path: 'links.hazardId', message: '这条隐患已经转为问题' }]);
      await db.hazards.put({ ...hazard, problemId: args.problem.id, updatedAt: at });
    }
    if (needId) {
      const need = await db.needs.get(needId);
      if (!need) throw new CommandError([{ path: 'links.needId', message: '需求记录不存在' }]);
      if (need.problemId) throw new CommandError([{ path: 'links.needId', message: '这条需求已经转为问题' }]);
      await db.needs.put({ ...need, problemId: args.problem.id, updatedAt: at });
    }
  });
  return problem.id;
}

function defaultDescription(input: ProblemReportInput): string {
  return input.place.text ? `随手拍：${input.place.text}` : '随手拍（见照片）';
}

/** One tap from a failed checklist item: a safety hazard, orange, with the item's photos. */
export async function reportHazardAsProblem(db: AppDB, hazardId: string, actor: Actor): Promise<string> {
  const hazard = await db.hazards.get(hazardId);
  if (!hazard) throw new CommandError([{ path: '', message: '隐患记录不存在' }]);
  if (hazard.problemId) return hazard.problemId;
  const building = hazard.buildingId ? await db.buildings.get(hazard.buildingId) : undefined;
  return reportProblem(
    db,
    {
      gridId: hazard.gridId,
      category: 'safety-hazard',
      severity: 'orange',
      description: hazard.description,
      place: {
        buildingId: hazard.buildingId,
        enterpriseId: hazard.enterpriseId,
        text: building ? `${building.estate}${building.name}` : undefined,
      },
      photoIds: hazard.photoIds,
      source: 'checklist',
      links: { hazardId: hazard.id, checklistRunId: hazard.runId },
    },
    actor,
  );
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
export async function reportNeedAsProblem(db: AppDB, needId: string, actor: Actor): Promise<string> {
  const need = await db.needs.get(needId);
  if (!need) throw new CommandError([{ path: '', message: '需求记录不存在' }]);
  if (need.problemId) return need.problemId;
  const household = await db.households.get(need.householdId);
  return reportProblem(
    db,
    {
      gridId: need.gridId,
      category: CATEGORY_OF_NEED[need.type],
      severity: need.urgency === 'high' ? 'orange' : need.urgency === 'normal' ? 'yellow' : 'blue',
      description: `${NEED_TYPES[need.type].zh}：${need.description}`,
      place: { householdId: need.householdId, buildingId: household?.buildingId, text: household?.address },
      photoIds: [],
      source: 'visit',
      links: { needId: need.id, visitId: need.foundInVisitId },
    },
    actor,
  );
}

/** Any step of the closed loop; the shared state machine decides whether it is allowed. */
export async function actOnProblem(
  db: AppDB,
  id: string,
  action: Exclude<ProblemAction, 'report'>,
  payload: TransitionPayload,
  actor: Actor,
): Promise<void> {
  const at = Date.now();
  const normalized = { ...payload, photoIds: payload.photoIds ?? [] };
  await runCommand(db, 'problem.act', { id, action, payload: normalized, at }, async (args) => {
    const problem = await db.problems.get(args.id);
    if (!problem || problem.isDeleted)
      throw new CommandError([{ path: '', message: '问题不存在或已被删除' }]);
    const result = applyProblemAction(problem, args.action, actor, args.payload, args.at);
    if (!result.ok) throw new CommandError([{ path: result.reason, message: result.message }]);
    await db.problems.put(result.problem);
  });
}
