import { z } from 'zod';
import { baseRecordSchema, nonEmptyText, optionalText, phoneSchema, recordIdSchema } from './common.ts';

/**
 * A household lives either in a building (unit/floor/room) or in a village (group + house number).
 * Both shapes share one record so lists, search and sync treat them alike.
 */
export const householdSchema = baseRecordSchema
  .extend({
    gridId: recordIdSchema,
    buildingId: recordIdSchema.optional(),
    unit: z.number().int().min(1).max(20).optional(),
    floor: z.number().int().min(-5).max(120).optional(),
    room: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z-]{1,8}$/, { error: '房号只能是数字或字母，例如 301' })
      .optional(),
    /** 村民小组, e.g. "王家组". */
    villageGroup: optionalText('村民小组', 30),
    houseNumber: optionalText('门牌号', 20),
    /** Full human-readable address, kept in step with the parts above. */
    address: nonEmptyText('地址', 120),
    phone: phoneSchema.optional(),
    notes: optionalText('备注', 1000),
  })
  .refine((h) => h.buildingId !== undefined || h.villageGroup !== undefined, {
    error: '住户必须属于一个楼栋或一个村民小组',
    path: ['buildingId'],
  });
export type Household = z.infer<typeof householdSchema>;

/** The fields a worker may edit on the household page; `null` clears an optional field. */
export const householdChangesSchema = z
  .object({
    phone: phoneSchema.nullable().optional(),
    notes: optionalText('备注', 1000).nullable(),
    address: nonEmptyText('地址', 120).optional(),
    houseNumber: optionalText('门牌号', 20).nullable(),
  })
  .strict();
export type HouseholdChanges = z.infer<typeof householdChangesSchema>;
