import type { VisitChanges } from '../../shared/schemas/index.ts';
import { runCommand, type CommandContext } from './run-command.ts';

/**
 * Takes back a visit made by mistake today (撤销 a quick visit, 撤回 on the household page): the
 * household is due again and the day's figures drop it, on the phone now and on the server on sync.
 */
export async function withdrawVisit(ctx: CommandContext, visitId: string): Promise<void> {
  const at = ctx.now();
  await runCommand(ctx, 'visit.withdraw', { id: visitId, at }, at);
}

/** Corrects what today's visit says (the outcome tapped by mistake, a note added afterwards). */
export async function correctVisit(
  ctx: CommandContext,
  visitId: string,
  changes: VisitChanges,
): Promise<void> {
  const at = ctx.now();
  await runCommand(ctx, 'visit.correct', { id: visitId, changes, at }, at);
}
