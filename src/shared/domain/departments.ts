import type { Department } from '../schemas/department.ts';

/**
 * The departments a new town starts with (部门接单), as seed data only: a town's departments are its
 * `departments` records, loaded by the server (the demo seed, `npm run town`), and every rule and
 * screen reads those. The ids stay as they were when this list was code, so department accounts and
 * problems dispatched before keep naming the same departments.
 */
export const DEFAULT_DEPARTMENTS = [
  { id: 'dept-police', name: '派出所' },
  { id: 'dept-market', name: '市场监管所' },
  { id: 'dept-enforcement', name: '综合行政执法队' },
  { id: 'dept-environment', name: '生态环境分局' },
  { id: 'dept-housing', name: '住建办' },
  { id: 'dept-civil', name: '民政办' },
  { id: 'dept-safety', name: '应急管理办' },
  { id: 'dept-water-power', name: '水电气服务站' },
] as const satisfies readonly Pick<Department, 'id' | 'name'>[];

/** DEFAULT_DEPARTMENTS as records written at `at`. */
export function defaultDepartmentRecords(at: number): Department[] {
  return DEFAULT_DEPARTMENTS.map(({ id, name }) => ({ id, name, isDeleted: false, updatedAt: at }));
}
