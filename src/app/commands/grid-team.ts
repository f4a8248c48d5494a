import { RESIDENT_TOKEN_BYTES, residentTokenFrom } from '../../shared/domain/grid-team.ts';
import type { GridTeamContent } from '../../shared/schemas/grid-team.ts';
import { runCommand, type CommandContext } from './run-command.ts';

/** A fresh resident token: 144 random bits from the device's CSPRNG, never from the grid's id. */
export const newResidentToken = () =>
  residentTokenFrom(crypto.getRandomValues(new Uint8Array(RESIDENT_TOKEN_BYTES)));

/**
 * Sets a grid's team, promise, hours and hotline (the leader's or the center's 网格团队): its card
 * and the residents' page show them once the phone syncs. The token is used only when the grid has
 * none yet, so the cards already on the residents' doors keep working.
 */
export async function setGridTeam(ctx: CommandContext, gridId: string, team: GridTeamContent): Promise<void> {
  const at = ctx.now();
  await runCommand(ctx, 'gridTeam.set', { gridId, team, token: newResidentToken(), at }, at);
}

/** Replaces the grid card's QR code (轮换二维码): the printed cards stop working once it syncs. */
export async function rotateGridToken(ctx: CommandContext, gridId: string): Promise<void> {
  const at = ctx.now();
  await runCommand(ctx, 'gridTeam.rotateToken', { gridId, token: newResidentToken(), at }, at);
}
