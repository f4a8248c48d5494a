/**
 * GET /api/grid-staff: the workers and helpers a leader may dispatch a problem to, on the backend the
 * run selects (SQLite in memory, or PostgreSQL with TEST_DATABASE=postgres). A leader sees those of
 * her own grids (and only those grids of theirs), never a revoked account nor another town's; the
 * center and the administrator see the town's; anyone else is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gridStaffSchema, type GridStaff } from '../../src/shared/grid-staff.ts';
import { TEST_BACKEND } from '../support/test-store.ts';
import { createHarness, errorOf, type Harness } from './harness.ts';

let h: Harness;
const ids = { outside: '', both: '', revoked: '', wgy01: '', wgy02: '', zxh01: '' };

async function staffOf(username: string): Promise<GridStaff> {
  const response = await h.call('GET', '/api/grid-staff', { token: await h.login(username) });
  expect(response.status).toBe(200);
  return gridStaffSchema.parse(await response.json());
}

const byName = (staff: GridStaff) => [...staff].sort((a, b) => a.name.localeCompare(b.name, 'zh'));

beforeAll(async () => {
  h = await createHarness({ households: 150, secondTown: true });
  // Outside 刘建华's grids (XF-01..07): a worker of 和康 (HK-01), and one covering XF-02 and HK-01.
  ids.outside = await h.addUser({
    username: 'hk_worker',
    name: '外网格员',
    role: 'worker',
    gridCodes: ['HK-01'],
  });
  ids.both = await h.addUser({
    username: 'two_grids',
    name: '跨网格员',
    role: 'worker',
    gridCodes: ['XF-02', 'HK-01'],
  });
  ids.revoked = await h.addUser({ username: 'gone', name: '已停用', role: 'worker', gridCodes: ['XF-03'] });
  await h.store.accounts.revoke(ids.revoked, h.clock.now);
  ids.wgy01 = (await h.store.accounts.byUsername('wgy01'))!.id;
  ids.wgy02 = (await h.store.accounts.byUsername('wgy02'))!.id;
  ids.zxh01 = (await h.store.accounts.byUsername('zxh01'))!.id;
});

describe(`grid staff on ${TEST_BACKEND}`, () => {
  it('a leader sees the active workers and helpers of her grids, with her grids of theirs only', async () => {
    expect(byName(await staffOf('wgz01'))).toEqual(
      byName([
        { userId: ids.wgy01, name: '王丽', role: 'worker', gridIds: [h.grid('XF-01')] },
        { userId: ids.wgy02, name: '陈军', role: 'worker', gridIds: [h.grid('XF-02')] },
        { userId: ids.zxh01, name: '赵桂英', role: 'helper', gridIds: [h.grid('XF-01')] },
        { userId: ids.both, name: '跨网格员', role: 'worker', gridIds: [h.grid('XF-02')] },
      ]),
    );
  });

  it("the center and the administrator see the whole town's, never another town's nor a revoked one", async () => {
    for (const username of ['zhzx', 'admin']) {
      const staff = await staffOf(username);
      const names = staff.map((member) => member.name);
      expect(names, username).toEqual(
        expect.arrayContaining(['王丽', '陈军', '赵桂英', '外网格员', '跨网格员']),
      );
      expect(names, username).not.toContain('已停用');
      expect(names, username).not.toContain('孙晓燕');
      expect(staff.find((member) => member.userId === ids.both)?.gridIds.sort(), username).toEqual(
        [h.grid('XF-02'), h.grid('HK-01')].sort(),
      );
    }
    expect((await staffOf('qs_admin')).map((member) => member.name)).toEqual(['孙晓燕']);
  });

  it('a worker, a helper and a department are refused with 403 JSON; no token is 401', async () => {
    for (const username of ['wgy01', 'zxh01', 'scjg']) {
      const response = await h.call('GET', '/api/grid-staff', { token: await h.login(username) });
      expect(await errorOf(response), username).toMatchObject({ status: 403, reason: 'forbidden' });
    }
    expect((await h.call('GET', '/api/grid-staff')).status).toBe(401);
  });
});
