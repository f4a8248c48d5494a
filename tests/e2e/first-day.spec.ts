/**
 * A grid's first day after its register comes in: Today holds the 日必访 people and a fair share of
 * the rest, not every household the import added (a household never visited falls due on one day of
 * its cadence's first period, first-due-day.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { goOffline, loadDemoAndPickGrid } from './helpers.ts';

const IMPORTED = 120;
/** Typical tags: 5% living alone (daily), 10% empty-nest (weekly), 20% low-income (monthly), the rest none. */
const DAILY = IMPORTED / 20;

function registerCsv(gridCode: string): Buffer {
  const header =
    '户编号,网格编码,小区,楼栋,单元,楼层,房号,村民小组,门牌号,地址,姓名,性别,与户主关系,出生日期,身份证号,联系电话,关怀标签,备注';
  const rows = Array.from({ length: IMPORTED }, (_, i) => {
    const tag = i % 20 === 0 ? '独居老人' : i % 10 === 1 ? '空巢老人' : i % 5 === 2 ? '低保户' : '';
    const born = `${1940 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`;
    return `T${i},${gridCode},,,,,,试点组,${i + 1}号,,试点户${i},${i % 2 ? '女' : '男'},户主,${born},,,${tag},`;
  });
  return Buffer.from(`\ufeff${[header, ...rows].join('\n')}\n`, 'utf8');
}

async function todayTotal(page: Page): Promise<number> {
  const text = (await page.getByTestId('today-progress').textContent())!;
  return Number(text.match(/\/ (\d+)/)![1]);
}

test('a freshly imported register adds a day’s work to Today, not every household', async ({
  page,
  context,
}) => {
  await loadDemoAndPickGrid(page, 'XF-01');
  await goOffline(context);
  await page.goto('/');
  await page.getByRole('button', { name: '白班' }).click();
  await expect(page.getByTestId('today-progress')).toBeVisible();
  const before = await todayTotal(page);

  await page.goto('/#/import');
  await page.getByTestId('import-file').setInputFiles({
    name: 'register.csv',
    mimeType: 'text/csv',
    buffer: registerCsv('XF-01'),
  });
  await expect(page.getByTestId('import-report')).toContainText(`共 ${IMPORTED} 行`);
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-done')).toContainText(`已导入 ${IMPORTED} 户`);

  await page.goto('/');
  await expect(page.getByTestId('today-progress')).toBeVisible();
  // The living-alone households are due from the day they came in; of the other 114 about 12/7 +
  // 24/30 + 78/91 ≈ 3 fall on today (the old rule put all 120 on it).
  await expect.poll(() => todayTotal(page)).toBeGreaterThanOrEqual(before + DAILY);
  const added = (await todayTotal(page)) - before;
  expect(added).toBeLessThan(DAILY + 20);
  await page.screenshot({ path: test.info().outputPath('first-day-today.png') });
});
