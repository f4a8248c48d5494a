import { z } from 'zod';
import { baseRecordSchema, nonEmptyText, phoneSchema, recordIdSchema } from './common.ts';

export const INDUSTRIES = {
  chemical: { zh: '化工', en: 'Chemicals' },
  manufacturing: { zh: '制造', en: 'Manufacturing' },
  logistics: { zh: '物流仓储', en: 'Logistics' },
  retail: { zh: '商贸', en: 'Retail' },
  catering: { zh: '餐饮', en: 'Catering' },
  construction: { zh: '建筑', en: 'Construction' },
} as const;
export type Industry = keyof typeof INDUSTRIES;

/** Unified social credit code (统一社会信用代码): 18 characters, digits and capitals without I O Z S V. */
export const CREDIT_CODE_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export const enterpriseSchema = baseRecordSchema.extend({
  gridId: recordIdSchema,
  name: nonEmptyText('企业名称', 80),
  creditCode: z.string().regex(CREDIT_CODE_PATTERN, { error: '统一社会信用代码应为 18 位' }),
  industry: z.enum(Object.keys(INDUSTRIES) as [Industry, ...Industry[]]),
  address: nonEmptyText('地址', 120),
  contactName: nonEmptyText('联系人', 30),
  contactPhone: phoneSchema,
  employees: z.number().int().min(0).max(200000),
  /** 危化品: handled through the special grid's safety checks. */
  isHazardousChemicals: z.boolean(),
});
export type Enterprise = z.infer<typeof enterpriseSchema>;
