import type { CommandContext } from './run-command.ts';

/**
 * The worker has read a refused write. Local only: the rejection is this device's note of the
 * server's answer (or of its own provisional one), never synced, so no outbox row.
 */
export async function dismissRejection(ctx: CommandContext, id: number): Promise<void> {
  await ctx.db.rejections.delete(id);
}
