/**
 * What every planner shares: the plan types, the context a planner runs in, and the small checks
 * (exists, not yet taken, valid after merging, sensitive fields) each mutation's rules are built of.
 */
// The one locale, not the zod/locales index: Vite's dev server would fetch every locale file.
import zhCN from 'zod/v4/locales/zh-CN.js';
import type { z } from 'zod';
import type { RejectionReason } from '../../protocol.ts';
import type { RecordKind, RecordOf } from '../../records.ts';
import { CARE_TAGS, type CareTag } from '../../schemas/care-tags.ts';
import type { Actor } from '../../schemas/problem.ts';
import { canSeeSensitive } from '../privacy.ts';
import { applyFieldChanges } from '../changes.ts';

/** Read access to the current state: the server's store, or the device's database. */
export interface PlanReads {
  get<K extends RecordKind>(kind: K, id: string): RecordOf<K> | undefined;
  /**
   * Who wrote the current version, when the writer of this mutation may not have seen it (the caller
   * decides: e.g. the server answers undefined once the client has pulled that version). A field
   * this mutation overwrites with a different value is then logged as a conflict.
   */
  lastWriter?(kind: RecordKind, id: string): string | undefined;
}

export type PlanActor = Actor & { userId: string };

export type RecordWrite = { [K in RecordKind]: { kind: K; record: RecordOf<K> } }[RecordKind];

export interface FieldConflict {
  kind: RecordKind;
  id: string;
  field: string;
  /** The value that was there and is now lost (null when the field was empty). */
  overwritten: unknown;
  value: unknown;
}

export type Plan =
  | { ok: true; writes: RecordWrite[]; conflicts: FieldConflict[] }
  /** `path`: the field at fault (dotted, in the record written), when one is. */
  | { ok: false; reason: RejectionReason; message: string; path?: string };
export type Rejection = Extract<Plan, { ok: false }>;

export interface Context {
  reads: PlanReads;
  actor: PlanActor;
  at: number;
  writer: string;
}

export const reject = (reason: RejectionReason, message: string, path?: string): Rejection =>
  path ? { ok: false, reason, message, path } : { ok: false, reason, message };

export const applied = (writes: RecordWrite[], conflicts: FieldConflict[] = []): Plan => ({
  ok: true,
  writes,
  conflicts,
});

const zhErrorMap = zhCN().localeError;

/** Re-validates a merged record; the first issue names the field so the worker can find it. */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; value: z.output<S> } | Rejection {
  const parsed = schema.safeParse(value, { error: zhErrorMap });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return reject('invalid', issue?.message ?? '内容无效', issue?.path.map(String).join('.') || undefined);
}

export const LABELS: Record<RecordKind, string> = {
  grids: '网格',
  buildings: '楼栋',
  enterprises: '企业',
  households: '住户',
  people: '人员',
  visits: '走访记录',
  needs: '需求',
  checklistTemplates: '检查模板',
  checklistRuns: '检查记录',
  hazards: '隐患',
  problems: '问题',
  departments: '承办部门',
  cadences: '走访频次',
  tasks: '上级任务',
  taskItems: '任务对象',
  gridTeams: '网格团队',
};

/** The refusal for a record that is not there (or, to this actor, must look as if it were not). */
export const notFound = (kind: RecordKind): Rejection =>
  reject('not-found', `${LABELS[kind]}不存在或已被删除`);

export function existing<K extends RecordKind>(ctx: Context, kind: K, id: string): RecordOf<K> | Rejection {
  const record = ctx.reads.get(kind, id);
  if (record === undefined || record.isDeleted) return notFound(kind);
  return record;
}

export const isRejection = (value: unknown): value is Rejection =>
  typeof value === 'object' && value !== null && 'ok' in value && value.ok === false;

/** JSON with object keys sorted: equal content gives equal text whatever order the keys were set in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export const sameValue = (a: unknown, b: unknown) => a === b || canonical(a) === canonical(b);

/**
 * A create must not overwrite: the same id already stored with other content is a forgery or a
 * clash. The very record already stored (a replay, or a device re-planning its own pending create
 * over its own copy) is the same write again, not a refusal.
 */
export function refuseExisting<R extends { id: string }>(
  ctx: Context,
  kind: RecordKind,
  records: readonly R[],
): Rejection | undefined {
  const taken = records.find((record) => {
    const stored = ctx.reads.get(kind, record.id);
    return stored !== undefined && !sameValue(stored, record);
  });
  return taken === undefined ? undefined : reject('invalid', `${LABELS[kind]}已存在：${taken.id}`);
}

export const refuseDeleted = (records: readonly { isDeleted: boolean }[]): Rejection | undefined =>
  records.some((r) => r.isDeleted) ? reject('invalid', '不能新建已删除的记录') : undefined;

/** The sensitive part of a person (PIPL) that a role which may not read it must not write either. */
export function sensitiveWrite(
  actor: PlanActor,
  fields: { idNumber?: string | null | undefined; tags?: readonly CareTag[] | undefined },
): Rejection | undefined {
  if (canSeeSensitive(actor.role)) return undefined;
  // Clearing (null) is a change too: a role that cannot see the number may not touch it.
  if (fields.idNumber !== undefined) return reject('forbidden', '无权填写或修改身份证号', 'idNumber');
  const sensitiveTag = fields.tags?.find((tag) => CARE_TAGS[tag].isSensitive);
  if (sensitiveTag !== undefined)
    return reject('forbidden', `无权填写敏感标签“${CARE_TAGS[sensitiveTag].zh}”`, 'tags');
  return undefined;
}

/** A time the device stamped, never later than the plan's own time (a phone clock running fast). */
export const notAfter = (at: number, ctx: Context) => Math.min(at, ctx.at);

/** Fields this mutation changes over a version its writer had not seen: the old value would vanish silently. */
export function conflictsOf(
  ctx: Context,
  kind: RecordKind,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  fields: readonly string[],
): FieldConflict[] {
  const id = String(before.id);
  const lastWriter = ctx.reads.lastWriter?.(kind, id);
  if (lastWriter === undefined || lastWriter === ctx.writer) return [];
  return fields
    .filter((field) => !sameValue(before[field], after[field]))
    .map((field) => ({ kind, id, field, overwritten: before[field] ?? null, value: after[field] ?? null }));
}

/** Changes as sent (see applyFieldChanges: null clears, absent keeps), stamped with the apply time. */
export function merge<T extends object>(record: T, changes: object, at: number): T {
  return { ...applyFieldChanges(record, changes), updatedAt: at };
}
