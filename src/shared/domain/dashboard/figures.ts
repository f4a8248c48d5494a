/**
 * The dashboard's figures by name: every number GET /api/dashboard sends has a key here, and
 * GET /api/dashboard/list?figure=<key>&… answers the rows behind it, as many as the figure says.
 * A key names what is counted; `params` are the query parameters that pick one cell of a breakdown
 * (a colour of overdue problems, one grid of the round). Every key also takes `gridId` (one grid
 * inside the caller's scope). What each figure means is defined in this folder's rules; the server's
 * SQL and the brute-force tests both follow them.
 */

/** What a list behind a figure is made of. */
export const DASHBOARD_ROW_KINDS = {
  problems: { zh: '问题', en: 'Problems' },
  households: { zh: '住户', en: 'Households' },
  needs: { zh: '需求', en: 'Needs' },
  checks: { zh: '巡查点', en: 'Checks' },
  items: { zh: '检查项', en: 'Checklist items' },
  visits: { zh: '走访', en: 'Visits' },
} as const;
export type DashboardRowKind = keyof typeof DASHBOARD_ROW_KINDS;

/** Query parameters a figure's list may take, beside `gridId`. */
export const DASHBOARD_LIST_PARAMS = [
  'severity',
  'level',
  'category',
  'source',
  'tag',
  'type',
  'shift',
  'day',
  'userId',
] as const;
export type DashboardListParam = (typeof DASHBOARD_LIST_PARAMS)[number];

interface FigureDefinition {
  zh: string;
  en: string;
  rows: DashboardRowKind;
  /** Parameters that pick one cell of the figure; a list asked without one counts them all. */
  params: readonly DashboardListParam[];
  /** A parameter the list cannot do without (the figure has no total of its own). */
  requires?: DashboardListParam;
}

export const DASHBOARD_FIGURES = {
  // Problems (事件/诉求). "This month" and "this week" are Asia/Shanghai calendar periods up to now.
  'problems.new-today': { zh: '今日新增', en: 'New today', rows: 'problems', params: [] },
  'problems.new-week': { zh: '本周新增', en: 'New this week', rows: 'problems', params: [] },
  'problems.new-month': { zh: '本月新增', en: 'New this month', rows: 'problems', params: [] },
  /** problems.responded.part: answered (dispatched, accepted, closed on the spot) within RESPONSE_HOURS. */
  'problems.responded': { zh: '按时响应', en: 'Responded in time', rows: 'problems', params: [] },
  /** problems.responded.whole − part: this month's problems whose response time passed unanswered. */
  'problems.response-missed': { zh: '响应超时', en: 'Response late', rows: 'problems', params: [] },
  /** problems.resolvedOnTime.part: resolved by their due time, counted in the month they were. */
  'problems.resolved-on-time': { zh: '按期办结', en: 'Resolved on time', rows: 'problems', params: [] },
  /** problems.resolvedOnTime.whole − part: their due time passed this month before they were resolved. */
  'problems.resolved-late': { zh: '超期办结/未结', en: 'Past due', rows: 'problems', params: [] },
  'problems.open': { zh: '在办', en: 'Open', rows: 'problems', params: [] },
  /** Open and past due now; by colour (severity) or handling level (level). */
  'problems.overdue': {
    zh: '超期未办结',
    en: 'Overdue',
    rows: 'problems',
    params: ['severity', 'level'],
  },
  /** This month's new problems by category. */
  'problems.by-category': { zh: '按类别', en: 'By category', rows: 'problems', params: ['category'] },
  /** This month's new problems by source. */
  'problems.by-source': { zh: '按来源', en: 'By source', rows: 'problems', params: ['source'] },
  /** Closed this month (resolved or closed on the spot): what the median time to close is of. */
  'problems.closed': { zh: '本月办结', en: 'Closed this month', rows: 'problems', params: [] },
  /** Of those closed this month: the reporter has been told (信息反馈). */
  'problems.feedback-given': { zh: '已反馈', en: 'Feedback given', rows: 'problems', params: [] },
  /** Of those closed this month: scored (考核评价); meanScore is their mean. */
  'problems.evaluated': { zh: '已评价', en: 'Evaluated', rows: 'problems', params: [] },

  // The round today (日必访, 白加黑, 巡查), per grid with `gridId`.
  'round.daily-due': { zh: '日必访应访', en: 'Daily visits due', rows: 'households', params: [] },
  'round.daily-done': { zh: '日必访已访', en: 'Daily visits done', rows: 'households', params: [] },
  /** Due, overdue or done today: the due list's "today" total. */
  'round.due': { zh: '今日应访', en: 'Due today', rows: 'households', params: [] },
  'round.done': { zh: '今日已访', en: 'Visited today', rows: 'households', params: [] },
  'round.overdue': { zh: '逾期未访', en: 'Overdue visits', rows: 'households', params: [] },
  /** Overdue households by the care tag that sets their cadence (a household under each of its tags). */
  'round.overdue-by-tag': {
    zh: '逾期未访（按人群）',
    en: 'Overdue by tag',
    rows: 'households',
    params: ['tag'],
    requires: 'tag',
  },
  /** Every household on a visit cadence (the ranking's 走访到位 whole). */
  'round.scheduled': { zh: '应走访户', en: 'Households on a cadence', rows: 'households', params: [] },
  /** Scheduled and not overdue (the ranking's 走访到位 part). */
  'round.up-to-date': { zh: '走访到位', en: 'Visits up to date', rows: 'households', params: [] },
  /** 白加黑: found nobody home on today's day round (still to knock tonight, or knocked). */
  'round.catch-up': { zh: '今晚补访', en: 'Catch-up tonight', rows: 'households', params: [] },
  'round.catch-up-done': { zh: '补访已做', en: 'Catch-up done', rows: 'households', params: [] },
  'checks.due': { zh: '巡查应查', en: 'Checks due', rows: 'checks', params: ['shift'] },
  'checks.done': { zh: '巡查已查', en: 'Checks done', rows: 'checks', params: ['shift'] },
  'checks.failed-items': { zh: '异常项', en: 'Failed items', rows: 'items', params: [] },

  // Needs (群众需求档案).
  'needs.open': { zh: '待解决需求', en: 'Open needs', rows: 'needs', params: ['type'] },
  /** Met this month (still met now). */
  'needs.met': { zh: '本月已解决', en: 'Met this month', rows: 'needs', params: ['type'] },

  // The last 30 days, one `day` each.
  'trend.reported': {
    zh: '每日上报',
    en: 'Reported per day',
    rows: 'problems',
    params: ['day'],
    requires: 'day',
  },
  'trend.resolved': {
    zh: '每日办结',
    en: 'Closed per day',
    rows: 'problems',
    params: ['day'],
    requires: 'day',
  },
  /** Visits that count (已访, VISIT_FIGURES.reached) per day. */
  'trend.visits': { zh: '每日走访', en: 'Visits per day', rows: 'visits', params: ['day'], requires: 'day' },

  // This month per worker (`userId`).
  'workers.visits': { zh: '走访', en: 'Visits', rows: 'visits', params: ['userId'], requires: 'userId' },
  'workers.problems-found': {
    zh: '发现问题',
    en: 'Problems found',
    rows: 'problems',
    params: ['userId'],
    requires: 'userId',
  },
  'workers.resolved-on-time': {
    zh: '按期办结',
    en: 'Resolved on time',
    rows: 'problems',
    params: ['userId'],
    requires: 'userId',
  },
} as const satisfies Record<string, FigureDefinition>;
export type DashboardFigure = keyof typeof DASHBOARD_FIGURES;
export const DASHBOARD_FIGURE_KEYS = Object.keys(DASHBOARD_FIGURES) as DashboardFigure[];

/** The key overdueByTag uses for households whose cadence is everyone's (no tag sets it). */
export const UNTAGGED = 'untagged';
