import { TOWN_TIME_ZONE } from '../../shared/time.ts';

/**
 * Times as the screens show them, on the town's clock (Asia/Shanghai) like every day and shift the
 * app works out, whatever zone the phone is set to. The formatters are made once: building one is
 * most of the cost of a toLocaleString call, and lists show hundreds of times.
 */
const SHORT = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TOWN_TIME_ZONE,
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const FULL = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TOWN_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const CLOCK = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TOWN_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "16:05": a time of today (the dashboard's "数据截至"). */
export const formatClock = (epochMs: number): string => CLOCK.format(epochMs);

/** "11/22 09:05": in lists and histories. */
export const formatShortTime = (epochMs: number): string => SHORT.format(epochMs);

/** "2026/11/22 09:05:30": last sync, the conflict log. */
export const formatFullTime = (epochMs: number): string => FULL.format(epochMs);
