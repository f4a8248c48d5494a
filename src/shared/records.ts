import type { z } from 'zod';
import { buildingSchema } from './schemas/building.ts';
import { gridCadenceSchema } from './schemas/cadence.ts';
import { checklistRunSchema, checklistTemplateSchema, hazardSchema } from './schemas/checklist.ts';
import { departmentSchema } from './schemas/department.ts';
import { enterpriseSchema } from './schemas/enterprise.ts';
import { gridSchema } from './schemas/grid.ts';
import { gridTeamSchema } from './schemas/grid-team.ts';
import { householdSchema } from './schemas/household.ts';
import { needSchema } from './schemas/need.ts';
import { personSchema } from './schemas/person.ts';
import { problemSchema } from './schemas/problem.ts';
import { taskItemSchema, taskSchema } from './schemas/task.ts';
import { visitSchema } from './schemas/visit.ts';

/**
 * Every record type that syncs, by the name used on the wire and in the server's store. The device
 * keeps each kind in the Dexie table of the same name.
 */
export const recordSchemas = {
  grids: gridSchema,
  buildings: buildingSchema,
  enterprises: enterpriseSchema,
  households: householdSchema,
  people: personSchema,
  visits: visitSchema,
  needs: needSchema,
  checklistTemplates: checklistTemplateSchema,
  checklistRuns: checklistRunSchema,
  hazards: hazardSchema,
  problems: problemSchema,
  departments: departmentSchema,
  cadences: gridCadenceSchema,
  tasks: taskSchema,
  taskItems: taskItemSchema,
  gridTeams: gridTeamSchema,
} as const;

/**
 * Which edition of recordSchemas this code is. Raise it whenever a schema starts to accept what an
 * older app refused (a new answer, a new record kind): an older app skips a record it cannot parse
 * while its cursor moves on, so an app that finds another edition stored on the device pulls its
 * whole scope once more, and what its older self skipped arrives. 2: checklist reminders (已提醒 /
 * 未完成), departments and cadences. 3: pushed tasks (tasks, taskItems). 4: each grid's team and
 * card (gridTeams). 5: residents' reports (the abuse mark's status and action, the reply to the
 * resident, the resident's phone).
 */
export const RECORD_SCHEMAS_EDITION = 5;

export type RecordKind = keyof typeof recordSchemas;
export const RECORD_KINDS = Object.keys(recordSchemas) as RecordKind[];
export type RecordOf<K extends RecordKind> = z.infer<(typeof recordSchemas)[K]>;

/**
 * The grid a record belongs to (scope checks); grids are their own scope, templates may be global,
 * and departments and tasks are always the whole town's (a task's items are in their targets' grids).
 */
export function gridIdOf(
  kind: RecordKind,
  record: { id: string; gridId?: string | undefined },
): string | null {
  if (kind === 'grids') return record.id;
  if (kind === 'departments' || kind === 'tasks') return null;
  return record.gridId ?? null;
}
