import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { tableSheetXml, tableToXlsx } from '../../src/app/export/table-xlsx.ts';
import { parseRoute } from '../../src/app/state/router.svelte.ts';
import { figureAttrs, figureHref, paramsOf } from '../../src/app/ui/dashboard/figure-links.ts';
import { rankingSheet, workersSheet } from '../../src/app/ui/dashboard/sheets.ts';
import { dashboardFixture } from '../fixtures/dashboard.ts';

describe('a figure taps through to its list', () => {
  it('keeps the figure and its cell through the address, whatever the characters', () => {
    const href = figureHref('problems.overdue', { severity: 'red', gridId: 'grid/1 & 2' });
    const route = parseRoute(href);
    expect(route).toEqual({ page: 'dashboard-list', figure: 'problems.overdue', cell: expect.any(String) });
    if (route.page !== 'dashboard-list') throw new Error('not the list');
    expect(paramsOf(route.cell)).toEqual({ severity: 'red', gridId: 'grid/1 & 2' });
  });

  it('gives one cell one address, and a whole figure none', () => {
    expect(figureHref('needs.open', { type: 'medical', gridId: 'g' })).toBe(
      figureHref('needs.open', { gridId: 'g', type: 'medical' }),
    );
    expect(figureHref('problems.open')).toBe('#/dashboard/list/problems.open');
    expect(parseRoute('#/dashboard/list/problems.open')).toEqual({
      page: 'dashboard-list',
      figure: 'problems.open',
      cell: '',
    });
    expect(parseRoute('#/dashboard/wall')).toEqual({ page: 'dashboard-wall' });
    expect(parseRoute('#/dashboard')).toEqual({ page: 'dashboard' });
  });

  it('drops parameters the list does not take', () => {
    expect(paramsOf('severity=red&evil=1&limit=5')).toEqual({ severity: 'red' });
  });

  it('carries the count its list must show', () => {
    expect(figureAttrs('problems.by-category', { category: 'environment' }, 31)).toEqual({
      href: '#/dashboard/list/problems.by-category/category%3Denvironment',
      'data-figure': 'problems.by-category?category=environment',
      'data-count': 31,
      'data-testid': 'dash-figure',
    });
  });
});

describe('the dashboard tables in Excel', () => {
  it('writes the ranking with shares as numbers, and an empty cell for a share of nothing', () => {
    const sheet = rankingSheet(dashboardFixture(), ['我的网格（7 个）', '数据截至 16:05']);
    expect(sheet.rows[0]).toEqual([1, '幸福社区第1网格', 96.5, 300 / 320, 12 / 13, 1]);
    // Grid 7 resolved nothing this month: no on-time share.
    expect(sheet.rows[6]![4]).toBeNull();
    const xml = tableSheetXml(sheet);
    expect(xml).toContain('<t>网格考评（本月）</t>');
    expect(xml).toContain('<t>数据截至 16:05</t>');
    // Header on row 4 (title, two lines), first grid on row 5, its share styled as a percentage.
    expect(xml).toContain(`<c r="D5" s="3"><v>${300 / 320}</v></c>`);
    expect(xml).toContain('<c r="E11"/>');
    expect(xml).toContain('ySplit="4"');
  });

  it('writes the workers and zips a workbook Excel opens', async () => {
    const sheet = workersSheet(dashboardFixture(), []);
    expect(sheet.rows).toHaveLength(4);
    expect(sheet.rows[0]).toEqual(['王丽', 412, 17, 14]);
    const blob = await tableToXlsx(sheet);
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    expect(strFromU8(files['xl/workbook.xml']!)).toContain('<sheet name="网格员本月汇总"');
    expect(strFromU8(files['xl/worksheets/sheet1.xml']!)).toContain('<t>王丽</t>');
  });
});
