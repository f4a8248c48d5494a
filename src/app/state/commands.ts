import type { CommandContext } from '../commands/run-command.ts';
import { appDb } from '../db/index.ts';
import { session } from './session.svelte.ts';

/**
 * What every command a screen runs is given: the app's database, who is signed in (or the offline
 * demo's worker) and the clock. The wall clock is read here, at the edge, and nowhere in the rules.
 */
export function commandContext(): CommandContext {
  return { db: appDb, actor: session.actor, now: () => Date.now() };
}
