import { z } from 'zod';
import { idNumberBirthDate, isValidIdNumber } from '../domain/id-number.ts';
import { careTagSchema } from './care-tags.ts';
import {
  baseRecordSchema,
  calendarDateSchema,
  epochMsSchema,
  nonEmptyText,
  optionalText,
  phoneSchema,
  recordIdSchema,
} from './common.ts';

export const RELATIONS = {
  head: { zh: '户主', en: 'Head' },
  spouse: { zh: '配偶', en: 'Spouse' },
  child: { zh: '子女', en: 'Child' },
  parent: { zh: '父母', en: 'Parent' },
  grandchild: { zh: '孙子女', en: 'Grandchild' },
  sibling: { zh: '兄弟姐妹', en: 'Sibling' },
  tenant: { zh: '租户', en: 'Tenant' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type Relation = keyof typeof RELATIONS;
export const relationSchema = z.enum(Object.keys(RELATIONS) as [Relation, ...Relation[]], {
  error: '与户主关系无效',
});

export const GENDERS = { male: { zh: '男', en: 'Male' }, female: { zh: '女', en: 'Female' } } as const;
export const genderSchema = z.enum(['male', 'female'], { error: '性别只能是男或女' });

/** Residency status: people who move away or die stay on record (history), but leave the active list. */
export const PERSON_STATUSES = {
  resident: { zh: '在住', en: 'Resident' },
  'moved-out': { zh: '已迁出', en: 'Moved out' },
  deceased: { zh: '已故', en: 'Deceased' },
} as const;
export type PersonStatus = keyof typeof PERSON_STATUSES;
export const personStatusSchema = z.enum(Object.keys(PERSON_STATUSES) as [PersonStatus, ...PersonStatus[]]);

export const idNumberSchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isValidIdNumber, { error: '身份证号无效：应为 18 位，且校验位正确' });

/** The fields a person is made of, without the record envelope; shared by create, update and import. */
export const personFieldsSchema = z.object({
  name: nonEmptyText('姓名', 30),
  gender: genderSchema,
  relation: relationSchema,
  birthDate: calendarDateSchema,
  phone: phoneSchema.optional(),
  idNumber: idNumberSchema.optional(),
  tags: z.array(careTagSchema).max(9),
  notes: optionalText('备注', 1000),
});

const birthDateMatchesIdNumber = (p: { idNumber?: string | undefined; birthDate: string }) =>
  p.idNumber === undefined || idNumberBirthDate(p.idNumber) === p.birthDate;
const birthDateMismatch = { error: '出生日期与身份证号中的日期不一致', path: ['birthDate'] };

export const personSchema = baseRecordSchema
  .extend({
    householdId: recordIdSchema,
    gridId: recordIdSchema,
    status: personStatusSchema,
    movedOutAt: epochMsSchema.optional(),
  })
  .extend(personFieldsSchema.shape)
  .refine(birthDateMatchesIdNumber, birthDateMismatch);
export type Person = z.infer<typeof personSchema>;

export const newPersonSchema = personFieldsSchema.refine(birthDateMatchesIdNumber, birthDateMismatch);
export type NewPerson = z.infer<typeof newPersonSchema>;

/** Edits from the household page: any subset of the person's fields; `null` clears an optional one. */
export const personChangesSchema = personFieldsSchema
  .partial()
  .extend({
    phone: phoneSchema.nullable().optional(),
    idNumber: idNumberSchema.nullable().optional(),
    notes: optionalText('备注', 1000).nullable(),
  })
  .strict();
export type PersonChanges = z.infer<typeof personChangesSchema>;
