/**
 * The town's departments that accept dispatched work orders (部门接单). Ids are stable: the
 * server's department accounts act for these ids, and assignees refer to them.
 */
export const DEPARTMENTS = [
  { id: 'dept-police', name: '派出所' },
  { id: 'dept-market', name: '市场监管所' },
  { id: 'dept-enforcement', name: '综合行政执法队' },
  { id: 'dept-environment', name: '生态环境分局' },
  { id: 'dept-housing', name: '住建办' },
  { id: 'dept-civil', name: '民政办' },
  { id: 'dept-safety', name: '应急管理办' },
  { id: 'dept-water-power', name: '水电气服务站' },
] as const;

export type DepartmentId = (typeof DEPARTMENTS)[number]['id'];
