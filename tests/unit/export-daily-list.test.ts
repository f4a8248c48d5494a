import { unzipSync, strFromU8 } from 'fflate';
import Papa from 'papaparse';
import { readSheet } from 'read-excel-file/node';
import { describe, expect, it } from 'vitest';
import { dailyListToCsv } from '../../src/app/export/csv.ts';
import {
  DAILY_LIST_COLUMNS,
  buildDailyListRows,
  buildDailyListSummary,
  dailyListSummaryLines,
  selectDailyProblems,
  summarizeProblemsOfDay,
  type DailyListRow,
  type DailyListSummary,
} from '../../src/app/export/daily-list.ts';
import { dailyListToPrintHtml } from '../../src/app/export/print.ts';
import { dailyListHeaderRowCount, dailyListToXlsx } from '../../src/app/export/xlsx.ts';
import { summarizeDay } from '../../src/shared/domain/day-summary.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import {
  SEVERITIES,
  problemSchema,
  type Actor,
  type Problem,
  type ProblemEvent,
  type Severity,
} from '../../src/shared/schemas/problem.ts';

const DAY = '2026-11-22';
const GRID_A = newId();
const GRID_B = newId();
const GRID_C = newId();
const GRID_NAMES = new Map([
  [GRID_A, '和谐社区第1网格'],
  [GRID_B, '和谐社区第2网格'],
  [GRID_C, '幸福村第1网格'],
]);

/** An instant given as Shanghai wall-clock time, e.g. '2026-11-22T23:30'. */
function atShanghai(wallClock: string): number {
  return Date.parse(`${wallClock}:00+08:00`);
}

const WORKER: Actor = { role: 'worker', userId: 'u-1', name: '李娟' };
const CENTER: Actor = { role: 'center', userId: 'u-9', name: '王调度' };
const DEPARTMENT = { kind: 'department', id: 'dept-cg', name: '镇综合执法队' } as const;
const PHOTO_A = 'a'.repeat(12) + '0'.repeat(52);
const PHOTO_B = 'b'.repeat(12) + '1'.repeat(52);

function event(
  wallClock: string,
  changes: Partial<ProblemEvent> & Pick<ProblemEvent, 'action' | 'toStatus'>,
) {
  return {
    at: atShanghai(wallClock),
    actor: WORKER,
    fromStatus: null,
    photoIds: [],
    ...changes,
  } satisfies ProblemEvent;
}

function problem(options: {
  grid: string;
  severity: Severity;
  reported: string;
  description: string;
  later?: ProblemEvent[];
  changes?: Partial<Problem>;
}): Problem {
  const reportedAt = atShanghai(options.reported);
  const history = [
    event(options.reported, { action: 'report', toStatus: 'reported' }),
    ...(options.later ?? []),
  ];
  const last = history[history.length - 1]!;
  // Parse, so every fixture is a problem the app could really have stored.
  return problemSchema.parse({
    id: newId(),
    updatedAt: last.at,
    isDeleted: false,
    gridId: options.grid,
    category: 'environment',
    severity: options.severity,
    level: 3,
    path: 'leader',
    description: options.description,
    place: { text: '3栋2单元楼道' },
    photoIds: [],
    source: 'snap',
    links: {},
    reporter: WORKER,
    reportedAt,
    status: last.toStatus,
    dueAt: reportedAt + SEVERITIES[options.severity].responseDays * 86_400_000,
    history,
    ...options.changes,
  } satisfies Problem);
}

const TRICKY_DESCRIPTION = '楼道堆放杂物，"消防通道"被堵, 需清理\n第二行：请尽快';
const SCRIPT_DESCRIPTION = '<script>alert("x")</script> 垃圾桶满溢';

/** Reported on the day, in grid A; yellow. */
const yellowNew = problem({
  grid: GRID_A,
  severity: 'yellow',
  reported: `${DAY}T09:05`,
  description: TRICKY_DESCRIPTION,
  changes: { photoIds: [PHOTO_A] },
});
/** Reported the day before, dispatched on the day, accepted the day after: in, and still 已派单. */
const redChanged = problem({
  grid: GRID_A,
  severity: 'red',
  reported: '2026-11-21T20:00',
  description: '配电箱门脱落，电线外露',
  later: [
    event(`${DAY}T10:30`, {
      action: 'dispatch',
      actor: CENTER,
      fromStatus: 'reported',
      toStatus: 'dispatched',
      assignee: DEPARTMENT,
      note: '请今日到场',
    }),
    event('2026-11-23T09:00', {
      action: 'accept',
      fromStatus: 'dispatched',
      toStatus: 'accepted',
      assignee: DEPARTMENT,
    }),
  ],
  changes: { category: 'safety-hazard', assignee: DEPARTMENT },
});
/** Reported and closed on the spot on the day, in grid B; orange. */
const orangeClosed = problem({
  grid: GRID_B,
  severity: 'orange',
  reported: `${DAY}T08:00`,
  description: SCRIPT_DESCRIPTION,
  later: [
    event(`${DAY}T08:20`, {
      action: 'close-on-spot',
      fromStatus: 'reported',
      toStatus: 'closed-on-the-spot',
      note: '已联系保洁清运',
      photoIds: [PHOTO_B],
    }),
  ],
  changes: { path: 'on-the-spot', resolvedAt: atShanghai(`${DAY}T08:20`) },
});
/** Reported the day before; a progress note at 23:59 on the day (in Shanghai, still the day). */
const blueLateNote = problem({
  grid: GRID_B,
  severity: 'blue',
  reported: '2026-11-20T15:00',
  description: '路灯不亮',
  later: [
    event(`${DAY}T23:59`, {
      action: 'progress',
      fromStatus: 'reported',
      toStatus: 'reported',
      note: '已报修',
    }),
  ],
});
/** Nothing on the day: reported the day before, untouched. */
const blueUntouched = problem({
  grid: GRID_A,
  severity: 'blue',
  reported: '2026-11-21T11:00',
  description: '井盖松动',
});
/** 00:05 the next day in Shanghai, but still the day in UTC: a UTC-day bug would list it. */
const redNextDay = problem({
  grid: GRID_A,
  severity: 'red',
  reported: '2026-11-23T00:05',
  description: '燃气味道',
});
/** On the day, but in grid C (not selected). */
const redOtherGrid = problem({
  grid: GRID_C,
  severity: 'red',
  reported: `${DAY}T12:00`,
  description: '邻里纠纷',
  changes: { category: 'dispute' },
});
/** On the day but deleted. */
const deletedOnDay = problem({
  grid: GRID_A,
  severity: 'red',
  reported: `${DAY}T13:00`,
  description: '重复上报',
  changes: { isDeleted: true },
});

const ALL = [
  yellowNew,
  redChanged,
  orangeClosed,
  blueLateNote,
  blueUntouched,
  redNextDay,
  redOtherGrid,
  deletedOnDay,
];
const GRIDS_AB = new Set([GRID_A, GRID_B]);

function headers(): string[] {
  return DAILY_LIST_COLUMNS.map((column) => column.header);
}
function columnIndex(header: string): number {
  const index = headers().indexOf(header);
  if (index < 0) throw new Error(`no column ${header}`);
  return index;
}

function summaryFor(problems: Problem[]): DailyListSummary {
  return {
    day: DAY,
    gridLabel: '和谐社区',
    visitsDue: 12,
    visitsByOutcome: { met: 8, 'nobody-home': 2, refused: 0, 'moved-away': 1, 'in-hospital': 1, deceased: 0 },
    checksDone: 4,
    failedItems: 1,
    remindersNotDone: 1,
    ...summarizeProblemsOfDay(problems, DAY),
  };
}

function listFor(problems: Problem[]): { rows: DailyListRow[]; summary: DailyListSummary } {
  const selected = selectDailyProblems(problems, DAY, GRIDS_AB);
  return {
    rows: buildDailyListRows(selected, { day: DAY, gridNames: GRID_NAMES }),
    summary: summaryFor(selected),
  };
}

describe('selectDailyProblems', () => {
  it('picks problems reported or changed on the Shanghai day in the chosen grids, red first', () => {
    const selected = selectDailyProblems(ALL, DAY, GRIDS_AB);
    expect(selected.map((p) => p.description)).toEqual([
      redChanged.description,
      orangeClosed.description,
      yellowNew.description,
      blueLateNote.description,
    ]);
  });

  it('takes every grid when given null, and orders equal colours by report time', () => {
    const selected = selectDailyProblems(ALL, DAY, null);
    expect(selected.map((p) => p.description)).toEqual([
      redChanged.description, // red, reported 11-21
      redOtherGrid.description, // red, reported 11-22
      orangeClosed.description,
      yellowNew.description,
      blueLateNote.description,
    ]);
  });

  it('counts new and resolved problems of the day', () => {
    expect(summarizeProblemsOfDay(selectDailyProblems(ALL, DAY, GRIDS_AB), DAY)).toEqual({
      problemsNew: 2,
      problemsResolved: 1,
    });
  });
});

describe('buildDailyListRows', () => {
  const { rows } = listFor(ALL);

  it('has Chinese labels and the state at the end of the day', () => {
    expect(rows).toHaveLength(4);
    const [red, orange, yellow] = rows;
    expect(red).toMatchObject({
      index: 1,
      grid: '和谐社区第1网格',
      category: '安全隐患',
      colour: '红',
      severity: 'red',
      level: '三级（村/社区）',
      path: '网格长跟进',
      // Accepted only the next day: on this day's list it is still dispatched.
      status: '已派单',
      source: '随手拍',
      reporter: '李娟（网格员）',
      assignee: '镇综合执法队',
      dayActions: '10:30 派单 → 镇综合执法队 请今日到场',
      resolvedAt: null,
      place: '3栋2单元楼道',
    });
    expect(red?.reportedAt.getTime()).toBe(atShanghai('2026-11-21T20:00'));
    expect(orange).toMatchObject({
      colour: '橙',
      status: '现场办结',
      path: '现场解决',
      dayActions: '08:00 上报\n08:20 现场办结 已联系保洁清运',
      photos: 'bbbbbbbbbbbb.jpg',
    });
    expect(orange?.resolvedAt?.getTime()).toBe(atShanghai(`${DAY}T08:20`));
    expect(yellow).toMatchObject({
      status: '已上报',
      photos: 'aaaaaaaaaaaa.jpg',
      description: TRICKY_DESCRIPTION,
    });
    expect(rows[3]?.dayActions).toBe('23:59 进展 已报修');
  });

  it('uses the place names given by the caller', () => {
    const [row] = buildDailyListRows([yellowNew], {
      day: DAY,
      gridNames: new Map(),
      placeNames: () => ({ building: '幸福小区' }),
    });
    expect(row).toMatchObject({ place: '幸福小区 · 3栋2单元楼道', grid: '未知网格' });
  });

  it('names a building once when the place words are the building too (a problem made from a hazard)', () => {
    const fromHazard = { ...yellowNew, place: { buildingId: 'b-4', text: '幸福家园4栋' } };
    const [row] = buildDailyListRows([fromHazard], {
      day: DAY,
      gridNames: GRID_NAMES,
      placeNames: () => ({ building: '幸福家园4栋' }),
    });
    expect(row?.place).toBe('幸福家园4栋');
  });
});

describe('dailyListSummaryLines', () => {
  /** Each "名目 N 次（甲 a，乙 b）" in a line: N must be a + b. */
  function groupsOf(line: string): Array<{ name: string; total: number; parts: number }> {
    return [...line.matchAll(/([^\s，：（）]+) (\d+)(?: 次)?（([^）]*)）/g)].map(
      ([, name, total, inner]) => ({
        name: name!,
        total: Number(total),
        parts: [...inner!.matchAll(/ (\d+)/g)].reduce((sum, [, n]) => sum + Number(n), 0),
      }),
    );
  }

  it('adds up: on a day of two met visits and one nobody home, every figure is the sum of its parts', () => {
    const daySummary = summarizeDay({
      day: DAY,
      visits: (['met', 'met', 'nobody-home'] as const).map((outcome, i) => ({
        gridId: GRID_A,
        householdId: `h${i}`,
        day: DAY,
        outcome,
        isDeleted: false,
      })),
      runs: [],
      hazards: [],
      needs: [],
    });
    const summary = buildDailyListSummary({ gridLabel: '和谐社区', visitsDue: 5, daySummary, problems: [] });
    const [visitLine] = dailyListSummaryLines(summary);
    const groups = groupsOf(visitLine!);
    expect(groups.map((g) => g.name)).toContain('已访');
    for (const group of groups) expect(group.parts, `${group.name} in ${visitLine}`).toBe(group.total);
    expect(visitLine).toBe(
      '走访：应访 5 户，上门 3 次：已访 2 次（见到本人 2，已搬离 0，住院 0，已去世 0），未遇 1 次（无人在家 1，拒绝 0）',
    );
  });
});

describe('dailyListToCsv', () => {
  const { rows, summary } = listFor(ALL);
  const csv = dailyListToCsv(rows, summary);

  it('starts with a BOM, summary lines, a blank line, then the header, with CRLF line ends', () => {
    expect(csv.startsWith('\uFEFF和谐社区 每日问题清单 2026-11-22\r\n')).toBe(true);
    expect(csv).toContain(
      '\r\n走访：应访 12 户，上门 12 次：已访 10 次（见到本人 8，已搬离 1，住院 1，已去世 0），未遇 2 次（无人在家 2，拒绝 0）\r\n',
    );
    expect(csv).toContain('\r\n巡查：完成 4 次，异常项 1 个，提醒未完成 1 项\r\n');
    expect(csv).toContain(`\r\n\r\n${headers().join(',')}\r\n`);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/\r(?!\n)/);
  });

  it('quotes a description with a comma, a quote and a newline (RFC 4180)', () => {
    expect(csv).toContain('"楼道堆放杂物，""消防通道""被堵, 需清理\n第二行：请尽快"');
  });

  it('round-trips through papaparse', () => {
    const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: false });
    const headerAt = parsed.data.findIndex((row) => row[0] === '序号');
    expect(parsed.data[headerAt]).toEqual(headers());
    const dataRows = parsed.data.slice(headerAt + 1);
    expect(dataRows).toHaveLength(rows.length);
    const yellowRow = dataRows[2]!;
    expect(yellowRow[columnIndex('问题描述')]).toBe(TRICKY_DESCRIPTION);
    expect(yellowRow[columnIndex('上报时间')]).toBe('2026-11-22 09:05');
    expect(dataRows[0]![columnIndex('办结时间')]).toBe('');
    expect(dataRows[1]![columnIndex('办结时间')]).toBe('2026-11-22 08:20');
  });

  it('defuses formula-looking text', () => {
    const formula = problem({
      grid: GRID_A,
      severity: 'red',
      reported: `${DAY}T07:00`,
      description: '=HYPERLINK("x")',
    });
    const out = dailyListToCsv(buildDailyListRows([formula], { day: DAY, gridNames: GRID_NAMES }), summary);
    expect(out).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('dailyListToXlsx', () => {
  it('writes a sheet that read-excel-file reads back: header, rows, Chinese text, dates', async () => {
    const { rows, summary } = listFor(ALL);
    const blob = await dailyListToXlsx(rows, summary);
    const bytes = Buffer.from(await blob.arrayBuffer());
    const sheet = await readSheet(bytes);

    const headerAt = dailyListHeaderRowCount(summary) - 1;
    expect(sheet[0]?.[0]).toBe('和谐社区 每日问题清单 2026-11-22');
    expect(sheet[headerAt]).toEqual(headers());
    const dataRows = sheet.slice(headerAt + 1);
    expect(dataRows).toHaveLength(rows.length);
    expect(dataRows[2]?.[columnIndex('问题描述')]).toBe(TRICKY_DESCRIPTION);
    expect(dataRows[1]?.[columnIndex('问题描述')]).toBe(SCRIPT_DESCRIPTION);
    expect(dataRows[0]?.[columnIndex('颜色')]).toBe('红');

    // Excel dates have no zone: the cell holds the Shanghai wall clock, which the reader returns as UTC.
    // A serial date is a fraction of days, so the read-back can be a millisecond off: round to seconds.
    const asIso = (cell: unknown) => {
      expect(cell).toBeInstanceOf(Date);
      return new Date(Math.round((cell as Date).getTime() / 1000) * 1000).toISOString();
    };
    expect(asIso(dataRows[0]?.[columnIndex('上报时间')])).toBe('2026-11-21T20:00:00.000Z');
    expect(dataRows[0]?.[columnIndex('办结时间')]).toBeNull();
    expect(asIso(dataRows[1]?.[columnIndex('办结时间')])).toBe('2026-11-22T08:20:00.000Z');
  });

  it('freezes the rows through the header and tints the colour cells', async () => {
    const { rows, summary } = listFor(ALL);
    // Unzip to look at what Excel will see.
    const files = unzipSync(new Uint8Array(await (await dailyListToXlsx(rows, summary)).arrayBuffer()));
    const sheetXml = strFromU8(files['xl/worksheets/sheet1.xml']!);
    const stylesXml = strFromU8(files['xl/styles.xml']!);
    const frozen = dailyListHeaderRowCount(summary);
    expect(sheetXml).toMatch(new RegExp(`<pane [^>]*ySplit="${frozen}"[^>]*state="frozen"`));
    for (const severity of ['red', 'orange', 'yellow', 'blue'] as const) {
      expect(stylesXml).toContain(`rgb="FF${SEVERITIES[severity].tint}"`);
    }
    expect(sheetXml).toContain('<col ');
  });

  it('drops the control characters XML cannot hold and keeps the rest, a trailing line break too', async () => {
    const pasted: Problem = {
      ...yellowNew,
      id: newId(),
      description: '水管\u0000漏水\u0007 & <三楼> "急"\n',
    };
    const selected = selectDailyProblems([pasted], DAY, null);
    const rows = buildDailyListRows(selected, { day: DAY, gridNames: GRID_NAMES });
    const bytes = Buffer.from(await (await dailyListToXlsx(rows, summaryFor(selected))).arrayBuffer());
    // The reader trims by default, as Excel does unless the text says to keep its spaces.
    const sheet = await readSheet(bytes, { trim: false });
    const dataRow = sheet[dailyListHeaderRowCount(summaryFor(selected))];
    expect(strFromU8(unzipSync(new Uint8Array(bytes))['xl/worksheets/sheet1.xml']!)).toContain(
      '<t xml:space="preserve">水管漏水 &amp; &lt;三楼&gt; &quot;急&quot;\n</t>',
    );
    expect(dataRow?.[columnIndex('问题描述')]).toBe('水管漏水 & <三楼> "急"\n');
  });

  it('writes 1,000 rows', async () => {
    const many: Problem[] = [];
    for (let i = 0; i < 1_000; i += 1) {
      const base = [yellowNew, redChanged, orangeClosed, blueLateNote][i % 4]!;
      many.push({ ...base, id: newId() });
    }
    const selected = selectDailyProblems(many, DAY, null);
    const rows = buildDailyListRows(selected, { day: DAY, gridNames: GRID_NAMES });
    const summary = summaryFor(selected);
    const sheet = await readSheet(Buffer.from(await (await dailyListToXlsx(rows, summary)).arrayBuffer()));
    expect(sheet.length - dailyListHeaderRowCount(summary)).toBe(1_000);
  });
});

describe('dailyListToPrintHtml', () => {
  const { rows, summary } = listFor(ALL);
  const html = dailyListToPrintHtml(rows, summary);

  it('is a Chinese A4 document with page numbers and a repeated header', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('size: A4 landscape');
    expect(html).toContain('content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"');
    expect(html).toContain('thead { display: table-header-group; }');
    expect(html).toContain('<th>当日处置</th>');
    expect(html).toContain(`td.sev-red { background: #${SEVERITIES.red.tint}; }`);
    expect(html).toContain('<td class="center sev-red">红</td>');
    expect(html).toContain('已派单');
  });

  it('escapes problem text', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 垃圾桶满溢');
  });
});
