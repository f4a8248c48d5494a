import { z } from 'zod';

/** Every stored record carries these: a time-ordered uuid, a last-change time and a soft-delete flag. */
export const recordIdSchema = z.uuid({ error: '编号必须是 UUID' });

/** Epoch milliseconds. Numbers index and compare faster than ISO strings in IndexedDB and SQLite. */
export const epochMsSchema = z.number().int().nonnegative();

export const baseRecordSchema = z.object({
  id: recordIdSchema,
  updatedAt: epochMsSchema,
  isDeleted: z.boolean(),
});

/** Mainland mobile (1[3-9]xxxxxxxxx) or landline with area code (0xx-xxxxxxx). */
export const PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
export const phoneSchema = z
  .string()
  .trim()
  .regex(PHONE_PATTERN, { error: '电话号码格式不对：手机号为 1 开头的 11 位数字，座机为区号-号码' });

/** Calendar date as YYYY-MM-DD (a birth date has no time zone). */
export const calendarDateSchema = z.iso.date({ error: '日期格式应为 YYYY-MM-DD，例如 1950-03-08' });

export const nonEmptyText = (label: string, max = 200) =>
  z
    .string()
    .trim()
    .min(1, { error: `${label}不能为空` })
    .max(max, { error: `${label}不能超过 ${max} 个字` });

export const optionalText = (label: string, max = 500) =>
  z
    .string()
    .trim()
    .max(max, { error: `${label}不能超过 ${max} 个字` })
    .optional();

/**
 * A value as it may appear inside an error message. Messages are built from whatever a client sent,
 * so this never calls the value's own methods (`String({ toString: 1 })` throws) and never repeats
 * more than a short piece of it.
 */
export function describeInput(input: unknown): string {
  if (typeof input === 'string') return input.length > 40 ? `${input.slice(0, 40)}…` : input;
  if (typeof input === 'number' || typeof input === 'boolean' || typeof input === 'bigint') return `${input}`;
  if (input === null || input === undefined) return '（空）';
  return Array.isArray(input) ? '（列表）' : '（不是文字）';
}
