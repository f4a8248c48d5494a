import { chromium, expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinyin } from 'pinyin-pro';
import { chromiumPath, CHROMIUM_ARGS } from '../support/chromium.ts';
import { goOffline, loadDemoAndPickGrid, readOutbox, waitForServiceWorker } from './helpers.ts';

test('the app and the register work after an offline reload, and search finds people', async ({
  page,
  context,
}) => {
  const gridName = await loadDemoAndPickGrid(page);
  const households = await page.getByTestId('household-count').textContent();

  await goOffline(context);
  await page.reload();
  await expect(page.getByTestId('grid-name')).toHaveText(gridName);
  await expect(page.getByTestId('household-count')).toHaveText(households ?? '');

  // Walk to a household the way a worker would, and note a member to search for.
  await page.getByRole('link', { name: '楼栋住户' }).first().click();
  await page.locator('.list .row-link').first().click();
  await page.locator('[data-testid=household-list] .row-link').first().click();
  const member = page.getByTestId('member-list').locator('li').first();
  const name = (await member.locator('.member-name').textContent())!.trim();
  const phone = (await member.locator('a[href^="tel:"]').first().getAttribute('href'))?.replace('tel:', '');
  const address = (await page.getByTestId('household-address').textContent())!.trim();
  expect(phone, 'the first member of a demo household (the head) has a phone').toBeTruthy();

  await page.getByRole('link', { name: '搜索' }).click();
  const input = page.getByTestId('search-input');
  const people = page.getByTestId('search-people');

  await input.fill(name);
  await expect(people.getByText(address).first()).toBeVisible();

  await input.fill(phone!.slice(-4));
  await expect(people.getByText(phone!).first()).toBeVisible();

  const initials = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', surname: 'head' }).join(
    '',
  );
  await input.fill(initials);
  await expect(people.locator('.row-title', { hasText: name }).first()).toBeVisible();

  await input.fill('123');
  await expect(page.getByText('数字至少输入 4 位')).toBeVisible();
});

test('edits made offline survive a reload and a browser restart, one outbox row per edit', async ({
  baseURL,
}) => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'lianxin-e2e-'));
  const launch = () =>
    chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
      baseURL,
      viewport: { width: 360, height: 760 },
      serviceWorkers: 'allow',
      locale: 'zh-CN',
    });
  try {
    let context = await launch();
    let page = context.pages()[0] ?? (await context.newPage());
    await loadDemoAndPickGrid(page);
    await goOffline(context);
    await page.reload();

    await page.goto('/#/browse');
    await page.locator('.list .row-link').first().click();
    await page.locator('[data-testid=household-list] .row-link').first().click();
    const householdUrl = page.url();

    // Edit 1: household notes.
    await page.getByRole('button', { name: '编辑住户' }).click();
    await page.getByTestId('household-form').locator('textarea').fill('独居老人，每日上午探访');
    await page.getByTestId('household-form').getByRole('button', { name: '保存' }).click();
    await expect(page.getByTestId('household-notes')).toHaveText('独居老人，每日上午探访');

    // Edit 2: a new member. A bad phone is refused with a clear message and nothing is stored.
    await page.getByRole('button', { name: '添加成员' }).click();
    const form = page.getByTestId('person-form');
    await form.locator('input[name=name]').fill('测试新人');
    await form.locator('input[name=birthDate]').fill('1988-05-06');
    await form.locator('input[name=phone]').fill('12345');
    await form.getByRole('button', { name: '保存' }).click();
    await expect(form.getByText('电话号码格式不对')).toBeVisible();
    expect(await readOutbox(page)).toHaveLength(1);
    await form.locator('input[name=phone]').fill('13912345678');
    await form.getByRole('button', { name: '保存' }).click();
    await expect(page.getByTestId('member-list').getByText('测试新人')).toBeVisible();
    await expect(page.getByTestId('pending-count')).toHaveText('2 条修改待同步');

    await page.reload();
    await expect(page.getByTestId('household-notes')).toHaveText('独居老人，每日上午探访');
    await expect(page.getByTestId('member-list').getByText('测试新人')).toBeVisible();

    // Restart the browser itself (same profile), still offline.
    await context.close();
    context = await launch();
    page = context.pages()[0] ?? (await context.newPage());
    await goOffline(context);
    await page.goto(householdUrl);
    await waitForServiceWorker(page);
    await expect(page.getByTestId('household-notes')).toHaveText('独居老人，每日上午探访');
    await expect(page.getByTestId('member-list').getByText('测试新人')).toBeVisible();

    const outbox = await readOutbox(page);
    expect(outbox.map((row) => row.name)).toEqual(['household.update', 'person.create']);
    expect(outbox.map((row) => row.mutationId)).toEqual([1, 2]);
    expect(outbox[1]!.args).toMatchObject({ person: { name: '测试新人', phone: '13912345678' } });
    await context.close();
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
});

test('the app is installable (no installability errors in a persistent context)', async ({ baseURL }) => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'lianxin-install-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
      baseURL,
      serviceWorkers: 'allow',
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await waitForServiceWorker(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel=manifest]')!.href;
      return (await fetch(href)).json() as Promise<{ name: string; icons: Array<{ purpose?: string }> }>;
    });
    expect(manifest.name).toBe('网格连心');
    expect(manifest.icons.some((icon) => icon.purpose === 'maskable')).toBe(true);
    await context.close();
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
