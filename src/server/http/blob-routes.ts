import type { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { BLOB_TYPES } from '../../shared/protocol.ts';
import { coversGrid, gridFilter, recordFilter } from '../scope.ts';
import { ApiFailure, type AppEnv, type ServerDeps } from './context.ts';
import { requireAuth } from './auth-routes.ts';

/** Header naming the grid a photo was taken for (optional; kept only when the user covers it). */
import { BLOB_GRID_HEADER } from '../../shared/protocol.ts';

type BlobType = (typeof BLOB_TYPES)[number];
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** The bytes must be what the header says: a stored "image" that is really HTML would be served as such. */
function looksLike(type: BlobType, bytes: Uint8Array): boolean {
  const starts = (...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (type === 'image/jpeg') return starts(0xff, 0xd8, 0xff);
  if (type === 'image/png') return starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  return ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP';
}

function sha256Param(value: string): string {
  if (!SHA256_PATTERN.test(value))
    throw new ApiFailure(400, 'invalid-request', '照片编号应为 64 位小写十六进制 sha-256');
  return value;
}

export function registerBlobRoutes(app: Hono<AppEnv>, deps: ServerDeps) {
  const { store } = deps;

  // ARCHITECTURE.md sync step 5: content-addressed, so a retry or a second device uploading the same
  // photo is harmless (200 instead of 201).
  app.put('/api/blobs/:sha256', requireAuth(deps), async (c) => {
    const sha256 = sha256Param(c.req.param('sha256'));
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(BLOB_TYPES as readonly string[]).includes(type))
      throw new ApiFailure(
        415,
        'unsupported-type',
        `只接受 JPEG、PNG 或 WebP 照片（收到 ${type || '未知类型'}）`,
      );
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new ApiFailure(400, 'invalid-request', '照片内容为空');
    if (createHash('sha256').update(bytes).digest('hex') !== sha256)
      throw new ApiFailure(400, 'invalid-request', '照片内容与编号（sha-256）不符：上传可能不完整');
    if (!looksLike(type as BlobType, bytes))
      throw new ApiFailure(415, 'unsupported-type', '照片内容与声明的类型不符');
    const user = c.get('user');
    const claimedGrid = c.req.header(BLOB_GRID_HEADER);
    const gridId = claimedGrid && coversGrid(c.get('scope'), claimedGrid) ? claimedGrid : null;
    const isNew = await store.blobs.put(
      user.townId,
      { sha256, size: bytes.length, type, uploadedBy: user.id, gridId, at: deps.now() },
      bytes,
    );
    return c.json({ sha256, size: bytes.length, type }, isNew ? 201 : 200);
  });

  app.get('/api/blobs/:sha256', requireAuth(deps), async (c) => {
    const sha256 = sha256Param(c.req.param('sha256'));
    const scope = c.get('scope');
    const meta = await store.blobs.get(sha256);
    // Not there and not yours read the same, so hashes of other grids' photos cannot be probed.
    const mayRead =
      meta !== undefined &&
      (await store.blobs.mayRead(
        scope.townId,
        sha256,
        scope.userId,
        gridFilter(scope),
        recordFilter(scope, 'r.'),
      ));
    const bytes = mayRead ? await store.blobs.read(sha256) : undefined;
    if (!meta || !bytes) throw new ApiFailure(404, 'not-found', '照片不存在或无权查看');
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': meta.type,
      'Content-Length': String(bytes.length),
      // Content-addressed: the bytes behind a hash never change.
      'Cache-Control': 'private, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      ETag: `"${sha256}"`,
    });
  });
}
