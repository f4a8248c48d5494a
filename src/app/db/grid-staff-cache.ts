import { gridStaffSchema, type GridStaff, type GridStaffMember } from '../../shared/grid-staff.ts';
import type { AppDB } from './app-db.ts';
import { META_KEYS, readMeta } from './meta.ts';

/**
 * The workers and helpers of the user's grids as the server last sent them (GET /api/grid-staff),
 * kept in the meta table so a leader can dispatch to a grid's worker offline. The meta table is
 * cleared with the rest at sign-in and sign-out, so one person's list never shows to the next.
 */
export async function storeGridStaff(db: AppDB, staff: GridStaff): Promise<void> {
  await db.meta.put({ key: META_KEYS.gridStaff, value: staff });
}

/**
 * The workers and helpers of one grid, by name; none when nothing is cached, or when another
 * version of the app stored it in a shape this one no longer reads (the next fetch replaces it).
 */
export async function gridStaffOf(db: AppDB, gridId: string): Promise<GridStaffMember[]> {
  const parsed = gridStaffSchema.safeParse(await readMeta<unknown>(db, META_KEYS.gridStaff));
  if (!parsed.success) return [];
  return parsed.data
    .filter((member) => member.gridIds.includes(gridId))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh'));
}
