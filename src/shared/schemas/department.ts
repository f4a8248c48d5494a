import { z } from 'zod';
import { baseRecordSchema, nonEmptyText } from './common.ts';

/**
 * A department's id, as assignees ("department:<id>") and department accounts name it. Not a UUID
 * like other records' ids: a town's departments are loaded by the server (dept-police...), and an id
 * only has to be unique within its town, since every key on the server includes the town.
 */
export const departmentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: '部门编号只能用字母、数字、- 和 _，最多 64 个字符' });

/**
 * A department of the town that accepts dispatched work orders (部门接单). Town-wide: it belongs to
 * no grid, and every role of the town reads the list (to dispatch, to transfer, to open accounts).
 */
export const departmentSchema = baseRecordSchema.extend({
  id: departmentIdSchema,
  name: nonEmptyText('部门名称', 40),
});
export type Department = z.infer<typeof departmentSchema>;
