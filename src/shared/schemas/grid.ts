import { z } from 'zod';
import { baseRecordSchema, nonEmptyText, recordIdSchema } from './common.ts';

/** Levels of the grid tree (DOMAIN.md "Places"). A special grid serves enterprises, parks or schools. */
export const GRID_KINDS = ['town', 'community', 'village', 'grid', 'micro', 'special'] as const;
export const gridKindSchema = z.enum(GRID_KINDS, { error: '网格类型无效' });
export type GridKind = z.infer<typeof gridKindSchema>;

export const GRID_KIND_LABELS = {
  town: { zh: '镇/街道', en: 'Town' },
  community: { zh: '社区', en: 'Community' },
  village: { zh: '村', en: 'Village' },
  grid: { zh: '综合网格', en: 'Grid' },
  micro: { zh: '微网格', en: 'Micro-grid' },
  special: { zh: '专属网格', en: 'Special grid' },
} as const satisfies Record<GridKind, { zh: string; en: string }>;

export const gridSchema = baseRecordSchema.extend({
  parentId: recordIdSchema.nullable(),
  kind: gridKindSchema,
  name: nonEmptyText('网格名称', 60),
  /** Short code printed on the grid card, e.g. "HX-07". */
  code: nonEmptyText('网格编码', 20),
});
export type Grid = z.infer<typeof gridSchema>;
