import { settings } from '../../state/settings.svelte.ts';
import { enDashboard } from '../i18n/en-dashboard.ts';
import { fillMessage } from '../i18n/index.ts';
import { zhDashboard } from '../i18n/zh-dashboard.ts';

export type DashKey = keyof typeof zhDashboard;

/**
 * t() for the dashboard's own words: the same language switch and {placeholders}, from dictionaries
 * that only the dashboard's chunk imports (the first screen's JavaScript stays within its budget).
 */
export function dt(key: DashKey, values: Record<string, string | number> = {}): string {
  return fillMessage((settings.lang === 'en' ? enDashboard : zhDashboard)[key], values);
}
