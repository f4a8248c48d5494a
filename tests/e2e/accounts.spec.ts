import { expect, test } from '@playwright/test';
import { signIn } from './helpers.ts';

test('the administrator opens a grid worker account; the new worker signs in to that grid', async ({
  browser,
}) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, 'admin');
  await admin.goto('/#/settings');
  await admin.getByTestId('accounts-link').click();
  await expect(admin.getByTestId('account-list')).toContainText('wgy01');

  const form = admin.getByTestId('account-form');
  // Nothing filled in: each field says what it needs, nothing is sent.
  await form.locator('input[name=password]').fill('');
  await form.getByRole('button', { name: '开设账号' }).click();
  await expect(form).toContainText('请填写用户名');
  await expect(form).toContainText('请填写姓名');
  await expect(form).toContainText('至少负责一个网格');
  await expect(form).toContainText('密码至少 8 位');

  await form.locator('input[name=username]').fill('wgy03');
  await form.locator('input[name=name]').fill('孙芳');
  await form.locator('select[name=grids]').selectOption({ label: 'XF-03 幸福社区第3网格' });
  await form.locator('input[name=password]').fill('xingfu-2026');
  await form.getByRole('button', { name: '开设账号' }).click();
  await expect(admin.getByTestId('account-created')).toContainText('wgy03');
  await expect(admin.getByTestId('account-list')).toContainText('孙芳');

  // The same username again is refused by the server, with its reason shown.
  await form.locator('input[name=username]').fill('wgy03');
  await form.locator('input[name=name]').fill('另一个人');
  await form.locator('select[name=grids]').selectOption({ label: 'XF-03 幸福社区第3网格' });
  await form.getByRole('button', { name: '开设账号' }).click();
  await expect(form.getByRole('alert')).toContainText('用户名 wgy03 已被使用');

  const workerContext = await browser.newContext();
  const worker = await workerContext.newPage();
  await signIn(worker, 'wgy03', 'xingfu-2026');
  await worker.goto('/#/settings');
  await expect(worker.locator('.grid-name')).toHaveText('幸福社区第3网格');

  // The worker replaces the password the administrator handed over.
  await worker.getByTestId('change-password').click();
  const passwordForm = worker.getByTestId('password-form');
  await passwordForm.getByLabel('当前密码').fill('wrong-password');
  await passwordForm.getByLabel('新密码（至少 8 位）').fill('my-own-2026');
  await passwordForm.getByLabel('再输一次新密码').fill('my-own-2026');
  await passwordForm.getByRole('button', { name: '保存' }).click();
  await expect(passwordForm.getByRole('alert')).toHaveText('当前密码不对');
  await passwordForm.getByLabel('当前密码').fill('xingfu-2026');
  await passwordForm.getByRole('button', { name: '保存' }).click();
  await expect(worker.getByTestId('account')).toContainText('密码已修改');

  await adminContext.close();
  await workerContext.close();
});
