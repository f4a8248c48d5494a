/**
 * GET /api/grid-staff on the wire: the workers and helpers of the caller's grids, so a leader's phone
 * can dispatch a problem to the grid's own worker (the accounts live on the server only). The device
 * keeps the last answer, so dispatching works offline too.
 */
import { z } from 'zod';

/** The roles a problem is dispatched to by user id (isCurrentAssignee in problem-workflow.ts). */
export const GRID_STAFF_ROLES = ['worker', 'helper'] as const;

export const gridStaffMemberSchema = z.object({
  userId: z.string().min(1),
  name: z.string(),
  role: z.enum(GRID_STAFF_ROLES),
  /** The member's grids that are in the caller's scope (never the grids of someone else's). */
  gridIds: z.array(z.string()),
});
export type GridStaffMember = z.infer<typeof gridStaffMemberSchema>;

export const gridStaffSchema = z.array(gridStaffMemberSchema);
export type GridStaff = z.infer<typeof gridStaffSchema>;
