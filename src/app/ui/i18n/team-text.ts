import { settings } from '../../state/settings.svelte.ts';
import { enTeam } from './en-team.ts';
import { fillMessage } from './index.ts';
import { zhTeam } from './zh-team.ts';

export type TeamTextKey = keyof typeof zhTeam;

/**
 * t() for the words of a grid's team and card: the same language switch and {placeholders}, from
 * dictionaries only the grid page's and the card screen's chunks import.
 */
export function tm(key: TeamTextKey, values: Record<string, string | number> = {}): string {
  return fillMessage((settings.lang === 'en' ? enTeam : zhTeam)[key], values);
}
