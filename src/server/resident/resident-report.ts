/**
 * A resident's report from the public page, made into a problem through the shared planner (the
 * report goes to the grid leader, like any report that is not a worker's own), with its photo
 * cleaned and stored, and a tracking code handed back whose hash alone is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { createProblemReport } from '../../shared/domain/problem-workflow.ts';
import { newId } from '../../shared/domain/ids.ts';
import { mutationArgsSchemas } from '../../shared/mutations.ts';
import { phoneSchema } from '../../shared/schemas/common.ts';
import { problemCategorySchema, type Problem } from '../../shared/schemas/problem.ts';
import { ApiFailure } from '../http/context.ts';
import type { Store } from '../store/store.ts';
import { stripPhotoMetadata } from './photo-strip.ts';
import { applyAsResident } from './resident-apply.ts';
import { recordReport } from './resident-store.ts';

/** The card's token (grid-team.ts: base64url, 22-43 characters). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22,43}$/;
/** The photo after decoding: the page sends a canvas JPEG of at most 1600 px, well under this. */
export const MAX_PHOTO_BYTES = 1024 * 1024;

const emptyToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export const publicReportBodySchema = z.object({
  token: z.string().regex(TOKEN_PATTERN, { error: '二维码无效' }),
  category: problemCategorySchema,
  description: z
    .string({ error: '请填写问题描述' })
    .trim()
    .min(2, { error: '问题描述至少 2 个字' })
    .max(500, { error: '问题描述最多 500 字' }),
  place: z.preprocess(emptyToUndefined, z.string().trim().max(100, { error: '位置最多 100 字' }).optional()),
  /** The photo as base64 (no data: prefix), in the same request: no upload without a report. */
  photo: z
    .string()
    .max(Math.ceil((MAX_PHOTO_BYTES * 4) / 3) + 4, { error: '照片太大了（上限 1 MB），请重新拍摄' })
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: '照片数据无效' })
    .optional(),
  location: z
    .object({
      lat: z.number().min(-90).max(90),
      lng: z.number().min(-180).max(180),
      accuracy: z.number().nonnegative().max(100_000),
    })
    .optional(),
  phone: z.preprocess(emptyToUndefined, phoneSchema.optional()),
  /** A field people never see: a bot that fills it is answered as if it worked. */
  website: z.string().max(500).optional(),
});
export type PublicReportBody = z.infer<typeof publicReportBodySchema>;

/** Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 160 random bits, 32 characters. */
export const CODE_LENGTH = 32;
export const CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{32}$/;

export function newTrackingCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  // 32 bytes, 5 bits each: one character per byte, 160 bits in all.
  return Array.from(bytes, (b) => ALPHABET[b & 31]).join('');
}

/** What a resident typed or copied: groups, dashes, spaces and lower case are all the same code. */
export function normalizeCode(raw: string): string | undefined {
  const code = raw.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return CODE_PATTERN.test(code) ? code : undefined;
}

function photoOf(base64: string): { sha256: string; bytes: Uint8Array; type: string } {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (bytes.length === 0) throw new ApiFailure(400, 'invalid-request', '照片数据无效');
  if (bytes.length > MAX_PHOTO_BYTES)
    throw new ApiFailure(413, 'payload-too-large', '照片太大了（上限 1 MB），请重新拍摄');
  const clean = stripPhotoMetadata(bytes);
  if (!clean.ok) throw new ApiFailure(415, 'unsupported-type', clean.message);
  return {
    sha256: createHash('sha256').update(clean.bytes).digest('hex'),
    bytes: clean.bytes,
    type: clean.type,
  };
}

/** Files the report; the tracking code (only this answer ever holds it). */
export async function fileResidentReport(
  store: Store,
  where: { townId: string; gridId: string },
  body: PublicReportBody,
  now: number,
): Promise<{ code: string; problemId: string }> {
  const photo = body.photo !== undefined ? photoOf(body.photo) : undefined;
  const problem: Problem = createProblemReport(
    {
      id: newId(),
      gridId: where.gridId,
      category: body.category,
      // The leader sets the colour when triaging; a resident's report starts at the middle one.
      severity: 'yellow',
      description: body.description,
      place: body.place !== undefined ? { text: body.place } : {},
      photoIds: photo ? [photo.sha256] : [],
      source: 'resident',
      links: {},
      ...(body.location ? { gps: { ...body.location, at: now } } : {}),
      ...(body.phone !== undefined ? { reporterPhone: body.phone } : {}),
    },
    { role: 'resident' },
    now,
  );
  const args = mutationArgsSchemas['problem.report'].safeParse({ problem });
  if (!args.success)
    throw new ApiFailure(400, 'invalid-request', args.error.issues[0]?.message ?? '内容无效');
  const code = newTrackingCode();
  await applyAsResident(
    store,
    where.townId,
    [{ name: 'problem.report', args: args.data }],
    now,
    async (tx) => {
      if (photo)
        await tx.blobs.put(
          where.townId,
          {
            sha256: photo.sha256,
            size: photo.bytes.length,
            type: photo.type,
            uploadedBy: 'resident',
            gridId: where.gridId,
            at: now,
          },
          photo.bytes,
        );
      await recordReport(tx.sql, code, where.townId, problem.id, now);
    },
  );
  return { code, problemId: problem.id };
}
