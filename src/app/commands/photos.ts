import type { PhotoRow } from '../db/app-db.ts';
import { storePhoto } from '../db/photos.ts';
import type { CommandContext } from './run-command.ts';

/**
 * Keeps a photo the worker just took, compressed, on the device. Local only: no outbox row, the
 * photo travels (content-addressed) before the write that first references it.
 */
export async function addPhoto(ctx: CommandContext, file: Blob): Promise<PhotoRow> {
  return storePhoto(ctx.db, file, ctx.now());
}
