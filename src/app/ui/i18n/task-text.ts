import { settings } from '../../state/settings.svelte.ts';
import { enTasks } from './en-tasks.ts';
import { fillMessage } from './index.ts';
import { zhTasks } from './zh-tasks.ts';

export type TaskTextKey = keyof typeof zhTasks;

/**
 * t() for the words of pushed tasks: the same language switch and {placeholders}, from dictionaries
 * that only the task screens' chunks import (the first screen's JavaScript stays within its budget).
 */
export function tt(key: TaskTextKey, values: Record<string, string | number> = {}): string {
  return fillMessage((settings.lang === 'en' ? enTasks : zhTasks)[key], values);
}
