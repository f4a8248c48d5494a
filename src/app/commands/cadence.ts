import type { CadenceConfig } from '../../shared/domain/cadence-config.ts';
import { runCommand, type CommandContext } from './run-command.ts';

/**
 * Sets a grid's visit cadence (the leader's or the center's 走访频次): the grid's due lists follow it
 * on this phone now, and on its workers' phones once they sync.
 */
export async function setGridCadence(
  ctx: CommandContext,
  gridId: string,
  config: CadenceConfig,
): Promise<void> {
  const at = ctx.now();
  await runCommand(ctx, 'cadence.set', { gridId, config, at }, at);
}
