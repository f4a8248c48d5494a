import { z } from 'zod';
import { calendarDateSchema, epochMsSchema, optionalText, recordIdSchema } from './schemas/common.ts';
import { householdChangesSchema, householdSchema } from './schemas/household.ts';
import { personChangesSchema, personSchema } from './schemas/person.ts';
import { checklistRunSchema, checklistTemplateSchema, hazardSchema } from './schemas/checklist.ts';
import { needSchema, needStatusSchema } from './schemas/need.ts';
import { visitChangesSchema, visitSchema } from './schemas/visit.ts';
import { problemActionSchema, problemSchema } from './schemas/problem.ts';
import { transitionPayloadSchema } from './domain/problem-workflow.ts';
import { cadenceConfigSchema } from './domain/cadence-config.ts';
import { gridTeamContentSchema, residentTokenSchema } from './schemas/grid-team.ts';
import {
  newTaskSchema,
  taskItemResultSchema,
  taskTargetsSchema,
  taskUpdateActionSchema,
} from './schemas/task.ts';

/**
 * Every write the app can make, by name, with the schema of its arguments. The device validates
 * with these before it writes; the server validates the same args again before it applies them.
 */
export const mutationArgsSchemas = {
  /** A new household with its members (manual entry or one row group of an import). */
  'household.create': z.object({
    household: householdSchema,
    people: z.array(personSchema).max(30),
  }),
  'household.update': z.object({ id: recordIdSchema, changes: householdChangesSchema }),
  'person.create': z.object({ person: personSchema }),
  'person.update': z.object({ id: recordIdSchema, changes: personChangesSchema }),
  /** Leaves the active register but stays on record; `at` is when it happened. */
  'person.moveOut': z.object({
    id: recordIdSchema,
    status: z.enum(['moved-out', 'deceased']),
    at: epochMsSchema,
  }),
  /** A visit with the needs found on it: one mutation, so the needs never arrive without their visit. */
  'visit.record': z.object({ visit: visitSchema, needs: z.array(needSchema).max(20) }),
  /** Corrects what a visit says, on the day it was made (the household page's 更正). */
  'visit.correct': z.object({ id: recordIdSchema, changes: visitChangesSchema, at: epochMsSchema }),
  /** Takes back a visit made by mistake, on its own day (撤销 after a quick visit, 撤回 on the household page). */
  'visit.withdraw': z.object({ id: recordIdSchema, at: epochMsSchema }),
  'need.create': z.object({ need: needSchema }),
  'need.setStatus': z.object({
    id: recordIdSchema,
    status: needStatusSchema,
    note: optionalText('说明', 500),
    at: epochMsSchema,
  }),
  /** A finished checklist run with a hazard record for each failed item. */
  'checklist.recordRun': z.object({ run: checklistRunSchema, hazards: z.array(hazardSchema).max(50) }),
  'checklistTemplate.save': z.object({ template: checklistTemplateSchema }),
  /** A new problem; when made from a hazard or a need, that record is linked back in the same write. */
  'problem.report': z.object({ problem: problemSchema }),
  /** One step of the closed loop; the server re-runs the same state machine with the user's real role. */
  'problem.act': z.object({
    id: recordIdSchema,
    action: problemActionSchema.exclude(['report']),
    payload: transitionPayloadSchema,
    at: epochMsSchema,
  }),
  /** A grid's visit cadence by care tag, set by its leader or the center (the whole config at once). */
  'cadence.set': z.object({ gridId: recordIdSchema, config: cadenceConfigSchema, at: epochMsSchema }),
  /**
   * A grid's team, promise, hours and hotline (网格连心卡), set by its leader or the center (all at
   * once). `token` is the resident QR token made on the device, used only when the grid has none yet.
   */
  'gridTeam.set': z.object({
    gridId: recordIdSchema,
    team: gridTeamContentSchema,
    token: residentTokenSchema,
    at: epochMsSchema,
  }),
  /** A new QR token for the grid's card (轮换二维码): the old one is retired, its cards stop working. */
  'gridTeam.rotateToken': z.object({ gridId: recordIdSchema, token: residentTokenSchema, at: epochMsSchema }),
  /**
   * A pushed task (上级任务) and one item per target, in one write: the creating device resolved its
   * choice (a care tag, buildings, whole grids) into ids from its own records; the server checks each.
   */
  'task.create': z.object({ task: newTaskSchema, targets: taskTargetsSchema, at: epochMsSchema }),
  /** The issuer (or the center) extends, cancels or closes a task; the items stay as they are. */
  'task.update': z.object({
    id: recordIdSchema,
    action: taskUpdateActionSchema,
    dueDate: calendarDateSchema.optional(),
    note: optionalText('说明', 500),
    at: epochMsSchema,
  }),
  /** A grid's worker finishes an item (or says why it cannot be done); again, to correct it. */
  'taskItem.complete': z.object({
    id: recordIdSchema,
    taskId: recordIdSchema,
    result: taskItemResultSchema,
    reason: optionalText('原因', 200),
    note: optionalText('说明', 1000),
    photoIds: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(9),
    at: epochMsSchema,
  }),
} as const;

export type MutationName = keyof typeof mutationArgsSchemas;
export type MutationArgs<N extends MutationName> = z.infer<(typeof mutationArgsSchemas)[N]>;
export const MUTATION_NAMES = Object.keys(mutationArgsSchemas) as MutationName[];
