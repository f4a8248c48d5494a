import { beforeEach, describe, expect, it } from 'vitest';
import { accountResponseSchema, accountsResponseSchema } from '../../src/shared/protocol.ts';
import { createHarness, errorOf, type Harness } from './harness.ts';

/** An administrator opens accounts for a real town (with DEMO=off there is nobody else to log in). */
let h: Harness;
let admin: string;

beforeEach(async () => {
  h = await createHarness({ households: 120 });
  admin = await h.login('admin');
});

const PASSWORD = 'xingfu-2026';

const account = async (username: string) => (await h.store.accounts.byUsername(username))!;
const auditLog = (limit: number, action: string) => h.store.journal.auditLog(h.townId, limit, action);
/** A live grid record of the kind (town, community, grid...). */
const kindOf = async (kind: string) =>
  (await h.store.records.live(h.townId, 'grids')).find((g) => g.kind === kind)!.id;

async function create(body: unknown, token = admin) {
  return h.call('POST', '/api/admin/users', { token, body });
}

describe('opening accounts', () => {
  it("opens a worker's account: the worker signs in and pulls only that grid", async () => {
    const response = await create({
      username: '  Li.Na ',
      name: '李娜',
      role: 'worker',
      gridIds: [h.grid('XF-03')],
      password: PASSWORD,
    });
    expect(response.status).toBe(201);
    const { user } = accountResponseSchema.parse(await response.json());
    expect(user).toMatchObject({
      username: 'li.na',
      name: '李娜',
      role: 'worker',
      gridIds: [h.grid('XF-03')],
    });
    expect(JSON.stringify(user)).not.toContain('scrypt');

    // Signs in however the phone keyboard capitalises it.
    await h.login('Li.Na', PASSWORD);
    const token = await h.login('li.na', PASSWORD);
    const changes = await h.pullAll(token);
    const households = changes.filter((c) => c.kind === 'households');
    expect(households.length).toBeGreaterThan(0);
    expect(households.every((c) => (c.data as { gridId: string }).gridId === h.grid('XF-03'))).toBe(true);

    const listed = accountsResponseSchema.parse(
      await (await h.call('GET', '/api/admin/users', { token: admin })).json(),
    );
    expect(listed.users.map((u) => u.username)).toContain('li.na');
    expect((await auditLog(10, 'create-user'))[0]?.detail).toMatchObject({
      username: 'li.na',
      role: 'worker',
    });
  });

  it('opens a department account that sees only what is dispatched to its department', async () => {
    const response = await create({
      username: 'huanbao01',
      name: '生态环境所值班',
      role: 'department',
      departmentId: 'dept-market',
      password: PASSWORD,
    });
    expect(response.status).toBe(201);
    const token = await h.login('huanbao01', PASSWORD);
    expect((await h.pullAll(token)).filter((c) => c.kind === 'households')).toEqual([]);
  });

  it('refuses, with a clear reason, what would make a broken account', async () => {
    const base = {
      username: 'wgy09',
      name: '张三',
      role: 'worker',
      gridIds: [h.grid('XF-01')],
      password: PASSWORD,
    };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base, username: 'wgy01' }, /用户名 wgy01 已被使用/],
      [{ ...base, username: '张三' }, /用户名为 3-32 位/],
      [{ ...base, gridIds: [] }, /至少负责一个网格/],
      [{ ...base, gridIds: ['no-such-grid'] }, /没有这个网格/],
      [{ ...base, role: 'center' }, /只有网格员、兼职网格员和网格长按网格分配/],
      [{ ...base, role: 'department', gridIds: [] }, /需要选择部门/],
      [{ ...base, role: 'department', gridIds: [], departmentId: 'dept-nowhere' }, /没有这个部门/],
      [{ ...base, role: 'resident' }, /请选择角色/],
      [{ ...base, password: 'short' }, /密码至少 8 位/],
      [{ ...base, name: ' ' }, /请填写姓名/],
    ];
    for (const [body, message] of cases) {
      const error = await errorOf(await create(body));
      expect(error.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(error.status).toBeLessThan(500);
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    expect(await h.store.accounts.byUsername('wgy09')).toBeUndefined();
  });

  it('gives workers grids, not the community or town above them (scope reaches down the tree)', async () => {
    const worker = { username: 'wgy10', name: '周强', role: 'worker', password: PASSWORD };
    expect((await errorOf(await create({ ...worker, gridIds: [await kindOf('town')] }))).message).toMatch(
      /是镇\/街道，不能分配给这个角色/,
    );
    expect(
      (await errorOf(await create({ ...worker, gridIds: [await kindOf('community')] }))).message,
    ).toMatch(/是社区，不能分配给这个角色/);
    const leader = { ...worker, username: 'wgz10', role: 'leader', gridIds: [await kindOf('community')] };
    expect((await create(leader)).status).toBe(201);
    expect(
      (await errorOf(await create({ ...leader, username: 'wgz11', gridIds: [await kindOf('town')] }))).status,
    ).toBe(400);
  });

  it('lets only an administrator open accounts or reset passwords', async () => {
    const leader = await h.login('wgz01');
    const body = { username: 'sneaky', name: '某人', role: 'admin', password: PASSWORD };
    expect((await errorOf(await create(body, leader))).status).toBe(403);
    const worker = await account('wgy01');
    const reset = await h.call('POST', `/api/admin/users/${worker.id}/password`, {
      token: leader,
      body: { password: PASSWORD },
    });
    expect(reset.status).toBe(403);
    expect(await h.store.accounts.byUsername('sneaky')).toBeUndefined();
  });

  it('a password reset signs the account out everywhere; the new password works', async () => {
    const old = await h.login('wgy01');
    const worker = await account('wgy01');
    const reset = await h.call('POST', `/api/admin/users/${worker.id}/password`, {
      token: admin,
      body: { password: PASSWORD },
    });
    expect(reset.status).toBe(200);
    expect((await h.call('GET', '/api/me', { token: old })).status).toBe(401);
    await expect(h.login('wgy01')).rejects.toThrow(/login wgy01: 401/);
    expect((await h.call('GET', '/api/me', { token: await h.login('wgy01', PASSWORD) })).status).toBe(200);
    // Locked out by wrong guesses: a reset lets the new password in at once.
    for (let i = 0; i < 6; i++)
      await h.call('POST', '/api/login', { body: { username: 'wgy01', password: 'wrong' } });
    expect(
      (await h.call('POST', '/api/login', { body: { username: 'wgy01', password: PASSWORD } })).status,
    ).toBe(429);
    const again = { token: admin, body: { password: 'another-2026' } };
    expect((await h.call('POST', `/api/admin/users/${worker.id}/password`, again)).status).toBe(200);
    await h.login('wgy01', 'another-2026');
    const missing = await h.call('POST', '/api/admin/users/nobody/password', {
      token: admin,
      body: { password: PASSWORD },
    });
    expect(await errorOf(missing)).toMatchObject({ status: 404, reason: 'not-found' });
  });
});

describe('changing your own password', () => {
  const change = (token: string, current: string, next: string) =>
    h.call('POST', '/api/me/password', { token, body: { current, next } });

  it('needs the current password; other devices are signed out, this one stays', async () => {
    const here = await h.login('wgy01');
    const elsewhere = await h.login('wgy01');
    expect(await errorOf(await change(here, 'not-it', PASSWORD))).toMatchObject({
      status: 403,
      message: '当前密码不对',
    });
    expect((await errorOf(await change(here, 'lianxin2026', 'short'))).message).toMatch(/密码至少 8 位/);
    expect((await errorOf(await change(here, 'lianxin2026', 'lianxin2026'))).message).toMatch(
      /不能与当前密码相同/,
    );
    expect((await change(here, 'lianxin2026', PASSWORD)).status).toBe(200);
    expect((await h.call('GET', '/api/me', { token: here })).status).toBe(200);
    expect((await h.call('GET', '/api/me', { token: elsewhere })).status).toBe(401);
    await h.login('wgy01', PASSWORD);
    expect(await auditLog(10, 'change-password')).toHaveLength(1);
  });

  it('locks out guessing like sign-in does', async () => {
    const token = await h.login('wgy02');
    for (let i = 0; i < 5; i++) await change(token, `guess-${i}`, PASSWORD);
    expect((await errorOf(await change(token, 'lianxin2026', PASSWORD))).status).toBe(429);
    expect(
      (await h.call('POST', '/api/me/password', { body: { current: 'x', next: PASSWORD } })).status,
    ).toBe(401);
  });
});

describe('changing the grids of an account', () => {
  const setGrids = (id: string, body: unknown, token = admin) =>
    h.call('PATCH', `/api/admin/users/${id}`, { token, body });
  const householdGrids = async (token: string) =>
    new Set(
      (await h.pullAll(token))
        .filter((c) => c.kind === 'households')
        .map((c) => (c.data as { gridId: string }).gridId),
    );

  it("takes over a neighbour's grid: the worker's next request sees it, without signing in again", async () => {
    const worker = await account('wgy01');
    const token = await h.login('wgy01');
    expect(await householdGrids(token)).toEqual(new Set([h.grid('XF-01')]));

    const response = await setGrids(worker.id, {
      gridIds: [h.grid('XF-01'), h.grid('XF-02'), h.grid('XF-02')],
    });
    expect(response.status).toBe(200);
    const { user } = accountResponseSchema.parse(await response.json());
    expect(user).toMatchObject({ id: worker.id, username: 'wgy01', role: 'worker' });
    expect(user.gridIds).toEqual([h.grid('XF-01'), h.grid('XF-02')]);
    expect(JSON.stringify(user)).not.toContain('scrypt');
    expect((await h.store.accounts.get(worker.id))!.gridIds).toEqual([h.grid('XF-01'), h.grid('XF-02')]);

    // The same session: scope comes from the account on every request.
    const firstPage = await h.call('GET', '/api/pull?cursor=0&limit=5000', {
      token,
      headers: { 'x-lianxin-protocol': '1' },
    });
    expect(firstPage.status).toBe(200);
    const { changes } = (await firstPage.json()) as { changes: { kind: string; data: { gridId: string } }[] };
    const xf02 = (await h.recordsIn('households', h.grid('XF-02')))[0]!;
    expect(changes.some((c) => c.kind === 'households' && (c.data as { id?: string }).id === xf02.id)).toBe(
      true,
    );
    const me = (await (await h.call('GET', '/api/me', { token })).json()) as { user: { gridIds: string[] } };
    expect(me.user.gridIds).toEqual(expect.arrayContaining([h.grid('XF-01'), h.grid('XF-02')]));

    const [entry] = await auditLog(10, 'set-user-grids');
    expect(entry).toMatchObject({
      userId: (await account('admin')).id,
      detail: {
        userId: worker.id,
        username: 'wgy01',
        from: [h.grid('XF-01')],
        to: [h.grid('XF-01'), h.grid('XF-02')],
        fromCodes: ['XF-01'],
        toCodes: ['XF-01', 'XF-02'],
      },
    });

    // Handing XF-01 over: it leaves the worker's scope just as promptly.
    expect((await setGrids(worker.id, { gridIds: [h.grid('XF-02')] })).status).toBe(200);
    expect(await householdGrids(token)).toEqual(new Set([h.grid('XF-02')]));
    expect(await auditLog(10, 'set-user-grids')).toHaveLength(2);
  });

  it('lets a leader lead a whole community, as when opening the account', async () => {
    const leader = await account('wgz01');
    const response = await setGrids(leader.id, { gridIds: [await kindOf('community')] });
    expect(response.status).toBe(200);
    expect(accountResponseSchema.parse(await response.json()).user.gridIds).toEqual([
      await kindOf('community'),
    ]);
  });

  it('giving the grids it already has changes nothing and logs nothing', async () => {
    const worker = await account('wgy01');
    const response = await setGrids(worker.id, { gridIds: [h.grid('XF-01')] });
    expect(response.status).toBe(200);
    expect(accountResponseSchema.parse(await response.json()).user.gridIds).toEqual([h.grid('XF-01')]);
    expect(await auditLog(10, 'set-user-grids')).toEqual([]);
  });

  it('refuses, with a clear reason, grids the account may not be given', async () => {
    const worker = await account('wgy01');
    const leader = await account('wgz01');
    const revokedId = await h.addUser({
      username: 'gone01',
      name: '已离职',
      role: 'worker',
      gridCodes: ['XF-01'],
    });
    await h.store.accounts.revoke(revokedId, h.clock.now);
    const xf02 = { gridIds: [h.grid('XF-02')] };
    const cases: Array<[string, unknown, number, RegExp]> = [
      [worker.id, { gridIds: [] }, 400, /至少负责一个网格/],
      [worker.id, { gridIds: ['no-such-grid'] }, 400, /没有这个网格：no-such-grid/],
      [worker.id, { gridIds: [h.grid('XF-02'), 'no-such-grid'] }, 400, /没有这个网格/],
      [worker.id, { gridIds: [await kindOf('community')] }, 400, /是社区，不能分配给这个角色/],
      [worker.id, { gridIds: [await kindOf('town')] }, 400, /是镇\/街道，不能分配给这个角色/],
      [leader.id, { gridIds: [await kindOf('town')] }, 400, /是镇\/街道，不能分配给这个角色/],
      [worker.id, {}, 400, /gridIds/],
      [worker.id, { gridIds: h.grid('XF-02') }, 400, /请选择负责的网格/],
      [worker.id, { gridIds: [h.grid('XF-02')], role: 'admin' }, 400, /role/],
      [(await account('zhzx')).id, xf02, 400, /指挥中心，不按网格分配/],
      [(await account('pcs')).id, xf02, 400, /职能部门，不按网格分配/],
      [(await account('admin')).id, xf02, 400, /管理员，不按网格分配/],
      [revokedId, xf02, 409, /已停用，不能修改网格/],
      ['nobody', xf02, 404, /没有这个账号/],
    ];
    for (const [id, body, status, message] of cases) {
      const error = await errorOf(await setGrids(id, body));
      expect(error.status, JSON.stringify(body)).toBe(status);
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    const raw = await h.app.request(`/api/admin/users/${worker.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: '{"gridIds": [',
    });
    expect(await errorOf(raw)).toMatchObject({ status: 400, message: '请求内容不是有效的 JSON' });
    expect((await h.store.accounts.get(worker.id))!.gridIds).toEqual([h.grid('XF-01')]);
    expect((await h.store.accounts.get(leader.id))!.gridIds).toEqual((await account('wgz01')).gridIds);
    expect(await auditLog(10, 'set-user-grids')).toEqual([]);
  });

  it('lets only an administrator change grids', async () => {
    const worker = await account('wgy01');
    const body = { gridIds: [h.grid('XF-01'), h.grid('HK-01')] };
    for (const username of ['wgy01', 'zxh01', 'wgz01', 'zhzx', 'pcs']) {
      const error = await errorOf(await setGrids(worker.id, body, await h.login(username)));
      expect(error, username).toMatchObject({
        status: 403,
        reason: 'forbidden',
        message: '只有管理员可以修改账号的网格',
      });
    }
    const anonymous = await h.call('PATCH', `/api/admin/users/${worker.id}`, { body });
    expect((await errorOf(anonymous)).status).toBe(401);
    expect((await h.store.accounts.get(worker.id))!.gridIds).toEqual([h.grid('XF-01')]);
    expect(await auditLog(10, 'set-user-grids')).toEqual([]);
  });
});
