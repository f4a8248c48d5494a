import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { goOffline, loadDemoAndPickGrid, readOutbox } from './helpers.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));

test('a bad import file gets a per-row report, changes nothing until confirmed, then imports only whole good households', async ({
  page,
  context,
}) => {
  await loadDemoAndPickGrid(page);
  await goOffline(context);
  await page.goto('/#/import');

  await page.getByTestId('import-file').setInputFiles(fixture('register-bad.csv'));
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible();
  const rowErrors = page.getByTestId('import-row-errors');
  await expect(rowErrors).toContainText('第 3 行');
  await expect(rowErrors).toContainText('电话号码格式不对');
  await expect(rowErrors).toContainText('XF-99');
  await expect(report).toContainText('民族'); // the unknown column is named in the warnings
  expect(await readOutbox(page), 'nothing is written before the user confirms').toEqual([]);

  const confirm = page.getByTestId('import-confirm');
  await expect(confirm).toContainText('只导入没有问题的');
  await confirm.click();
  await expect(page.getByTestId('import-done')).toBeVisible();

  const outbox = await readOutbox(page);
  expect(outbox.length).toBeGreaterThan(0);
  expect(new Set(outbox.map((row) => row.name))).toEqual(new Set(['household.create']));
  const importedNames = outbox.flatMap((row) =>
    (row.args as { people: Array<{ name: string }> }).people.map((p) => p.name),
  );
  expect(importedNames).toContain('张三');
  expect(importedNames, 'the household with a bad phone is left out whole').not.toContain('李四妻');

  await page.goto('/#/search');
  await page.getByTestId('search-input').fill('张三');
  await expect(page.getByTestId('search-people')).toContainText('幸福家园1栋1单元201室');
});

test('a GBK-encoded CSV from Chinese Excel imports with its Chinese text intact', async ({ page }) => {
  await loadDemoAndPickGrid(page);
  await page.goto('/#/import');
  await page.getByTestId('import-file').setInputFiles(fixture('register-sample-gbk.csv'));
  // Decoded right, the Chinese reads back exactly, down to the building names the demo town lacks.
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('共 11 行');
  await expect(report).toContainText('网格 XF-01 中没有楼栋“2栋”');
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-done')).toContainText('已导入 3 户');
  await page.goto('/#/search');
  await page.getByTestId('search-input').fill('张建国');
  await expect(page.getByTestId('search-people')).toContainText('张建国');
});

test('a file with the wrong columns is refused with the expected headers named', async ({ page }) => {
  await loadDemoAndPickGrid(page);
  await page.goto('/#/import');
  await page.getByTestId('import-file').setInputFiles({
    name: 'wrong.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('name,phone\n张三,13800000000\n', 'utf8'),
  });
  await expect(page.getByTestId('import-report')).toContainText('户编号');
  await expect(page.getByTestId('import-confirm')).toHaveCount(0);
});

test('an Excel .xlsx file is read in the browser exactly like its CSV twin', async ({ page }) => {
  await loadDemoAndPickGrid(page);
  await page.goto('/#/import');
  const reportOf = async (file: string) => {
    await page.getByTestId('import-file').setInputFiles(fixture(file));
    const report = page.getByTestId('import-report');
    await expect(report).toContainText('共 11 行');
    return report.textContent();
  };
  const fromCsv = await reportOf('register-sample.csv');
  await page.reload();
  expect(await reportOf('register-sample.xlsx')).toBe(fromCsv);
});

test('the template downloads offline with one byte-order mark, and reads back without a warning', async ({
  page,
  context,
}) => {
  await loadDemoAndPickGrid(page);
  await goOffline(context);
  await page.goto('/#/import');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载模板（CSV）' }).click(),
  ]);
  const path = test.info().outputPath('template.csv');
  await download.saveAs(path);
  const bytes = await readFile(path);
  // Excel needs the mark once; a second one lands inside the first header cell.
  expect([...bytes.subarray(0, 6)]).toEqual([0xef, 0xbb, 0xbf, ...Buffer.from('户')]);
  await page.getByTestId('import-file').setInputFiles(path);
  await expect(page.getByTestId('import-report')).toBeVisible();
  await expect(page.getByTestId('import-report')).not.toContainText('无法识别');
});
