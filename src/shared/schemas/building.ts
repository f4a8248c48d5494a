import { z } from 'zod';
import { baseRecordSchema, nonEmptyText, recordIdSchema } from './common.ts';

/** The shared installations the daily checklists walk (DOMAIN.md "Checklists"). */
export const facilitiesSchema = z.object({
  elevators: z.number().int().min(0).max(50),
  fireHydrants: z.number().int().min(0).max(100),
  hasGasPipes: z.boolean(),
  hasWaterPipes: z.boolean(),
});
export type Facilities = z.infer<typeof facilitiesSchema>;

export const buildingSchema = baseRecordSchema.extend({
  gridId: recordIdSchema,
  /** As residents say it: "3栋", "幸福里2号楼". */
  name: nonEmptyText('楼栋名称', 40),
  /** The courtyard / estate (小区院落) the building stands in. */
  estate: nonEmptyText('小区名称', 40),
  floors: z.number().int().min(1, { error: '楼层数至少为 1' }).max(120),
  units: z.number().int().min(1, { error: '单元数至少为 1' }).max(20),
  facilities: facilitiesSchema,
});
export type Building = z.infer<typeof buildingSchema>;
