import type { z } from 'zod';
import { cadenceConfigSchema } from '../domain/cadence-config.ts';
import { baseRecordSchema, recordIdSchema } from './common.ts';

/**
 * A grid's visit cadence by care tag (走访频次), set by its leader or the center and synced to the
 * phones of the grid's workers. One record per grid, under the grid's own id (`id` = `gridId`), so
 * two leaders setting it offline write the same record instead of two that disagree. A grid without
 * one uses DEFAULT_CADENCE_CONFIG.
 */
export const gridCadenceSchema = baseRecordSchema.extend({
  gridId: recordIdSchema,
  ...cadenceConfigSchema.shape,
});
export type GridCadence = z.infer<typeof gridCadenceSchema>;
