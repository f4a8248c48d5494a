import { settings } from '../../state/settings.svelte.ts';
import { english } from './english.svelte.ts';
import { zh, type MessageKey } from './zh.ts';

/**
 * Looks up a message in the current language and fills {placeholders}. Reads `settings.lang`,
 * so markup that calls it re-renders when the language changes.
 */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const dictionary = settings.lang === 'en' ? (english.messages ?? zh) : zh;
  return fillMessage(dictionary[key], values);
}

/** A message's {placeholders} filled in; one left without a value shows as written. */
export function fillMessage(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** Picks the zh or en label of a const label table (care tags, relations, grid kinds...). */
export function label(entry: { zh: string; en: string }): string {
  return entry[settings.lang];
}

/**
 * A label table as choices for a ChoiceGroup (visit outcome, problem category): each code with its
 * label, in the table's order, or just `codes` when a screen offers only some.
 */
export function choicesOf<K extends string>(
  table: Record<K, { zh: string; en: string }>,
  codes: readonly K[] = Object.keys(table) as K[],
): Array<{ code: K; label: string }> {
  return codes.map((code) => ({ code, label: label(table[code]) }));
}

export type { MessageKey };
