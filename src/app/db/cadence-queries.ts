import { DEFAULT_CADENCE_CONFIG, type CadenceConfig } from '../../shared/domain/cadence-config.ts';
import type { AppDB } from './app-db.ts';

/**
 * The visit cadence a grid's workers go by: the one its leader or the center set (synced down with
 * the grid's records), or the town's default while nobody has set one.
 */
export async function cadenceOfGrid(db: AppDB, gridId: string): Promise<CadenceConfig> {
  const row = await db.cadences.get(gridId);
  if (!row || row.isDeleted) return DEFAULT_CADENCE_CONFIG;
  return { byTag: row.byTag, everyoneElse: row.everyoneElse };
}
