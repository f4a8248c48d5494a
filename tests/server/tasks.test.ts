/**
 * Pushed tasks (上级任务) on the server: every grid role of the town pulls every task, a worker pulls
 * only her grid's items, a leader's task reaches only the grids they lead, and the items are done by
 * their grid's own people. Runs on SQLite, and on PostgreSQL with TEST_DATABASE=postgres.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/shared/domain/ids.ts';
import { MAX_BODY_BYTES, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { MAX_TASK_ITEMS } from '../../src/shared/schemas/index.ts';
import { taskItemId } from '../../src/shared/domain/task-ids.ts';
import type { TaskTargetKind } from '../../src/shared/schemas/index.ts';
import { addCalendarDays, shanghaiDay } from '../../src/shared/time.ts';
import { createHarness, newClientId, T0, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ households: 600 });
});
afterAll(async () => {
  await h.store.close();
});

const DUE = addCalendarDays(shanghaiDay(T0), 7);

async function issue(
  username: string,
  kind: TaskTargetKind,
  ids: string[],
  id = newId(),
  extra: { isSensitive?: boolean } = {},
) {
  const task = {
    id,
    title: '燃气安全专项排查',
    kind: 'special-inspection',
    dueDate: DUE,
    targetKind: kind,
    ...extra,
  };
  const answer = await h.push(await h.login(username), newClientId(), [
    { mutationId: 1, name: 'task.create', args: { task, targets: { kind, ids }, at: T0 } },
  ]);
  return { id, result: answer.results[0]!, answer };
}

const idsIn = async (kind: 'households' | 'buildings', code: string) =>
  (await h.recordsIn(kind, h.grid(code))).map((r) => r.id);

async function pulled(username: string) {
  const changes = await h.pullAll(await h.login(username));
  return {
    tasks: changes.filter((c) => c.kind === 'tasks').map((c) => c.id),
    items: changes
      .filter((c) => c.kind === 'taskItems')
      .map((c) => c.data as { gridId: string; taskId: string }),
  };
}

async function complete(username: string, taskId: string, targetId: string, extra: object = {}) {
  const answer = await h.push(await h.login(username), newClientId(), [
    {
      mutationId: 1,
      name: 'taskItem.complete',
      args: { id: taskItemId(taskId, targetId), taskId, result: 'done', photoIds: [], at: T0, ...extra },
    },
  ]);
  return answer.results[0]!;
}

describe('task.create on the server', () => {
  it('the center’s task reaches every grid role; a worker pulls only her grid’s items', async () => {
    const xf = await idsIn('households', 'XF-01');
    const hk = await idsIn('households', 'HK-01');
    expect(xf.length).toBeGreaterThan(0);
    expect(hk.length).toBeGreaterThan(0);
    const { id, result } = await issue('zhzx', 'household', [...xf, ...hk]);
    expect(result).toEqual({ mutationId: 1, status: 'applied' });
    expect(await h.recordsIn('taskItems', h.grid('XF-01'))).toHaveLength(xf.length);

    const worker = await pulled('wgy01');
    expect(worker.tasks).toContain(id);
    const mine = worker.items.filter((item) => item.taskId === id);
    expect(mine).toHaveLength(xf.length);
    expect(new Set(mine.map((item) => item.gridId))).toEqual(new Set([h.grid('XF-01')]));
    const other = await pulled('wgy02');
    expect(other.tasks).toContain(id);
    expect(other.items.filter((item) => item.taskId === id)).toEqual([]);
    expect((await pulled('zxh01')).tasks).toContain(id);
    expect((await pulled('wgz01')).items.filter((item) => item.taskId === id)).toHaveLength(xf.length);
    expect((await pulled('zhzx')).items.filter((item) => item.taskId === id)).toHaveLength(
      xf.length + hk.length,
    );
    // A department handles the orders it is given: no tasks.
    expect(await pulled('pcs')).toEqual({ tasks: [], items: [] });
  });

  it("a leader cannot target another leader's grid, and a worker cannot issue a task", async () => {
    const xf = await idsIn('households', 'XF-01');
    const hk = await idsIn('households', 'HK-01');
    const refused = await issue('wgz01', 'household', [...xf, hk[0]!]);
    expect(refused.result).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    // The truth that undoes it on the phone: no such task, no such items.
    const truth = refused.answer.records ?? [];
    expect(truth.filter((r) => r.kind !== 'households').every((r) => r.isDeleted)).toBe(true);
    expect(truth.filter((r) => r.kind === 'taskItems')).toHaveLength(xf.length + 1);
    expect(await h.store.records.get(h.townId, 'tasks', refused.id)).toBeUndefined();
    const wholeGrid = await issue('wgz01', 'grid', [h.grid('HK-01')]);
    expect(wholeGrid.result).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const own = await issue('wgz01', 'grid', [h.grid('XF-01'), h.grid('XF-02')]);
    expect(own.result.status).toBe('applied');
    expect((await issue('wgy01', 'household', xf)).result).toMatchObject({
      status: 'rejected',
      reason: 'forbidden',
      message: '上级任务由网格长或指挥中心下发',
    });
  });

  it('a task chosen by a sensitive care tag reaches the worker and leader, never a helper or the center', async () => {
    const xf = (await idsIn('households', 'XF-01')).slice(0, 3);
    await h.addUser({ username: 'jz_xf01', role: 'helper', gridCodes: ['XF-01'] });
    const { id, result } = await issue('wgz01', 'household', xf, newId(), { isSensitive: true });
    expect(result.status).toBe('applied');
    const itemsOf = async (username: string) =>
      (await pulled(username)).items.filter((item) => item.taskId === id);
    expect(await itemsOf('wgy01')).toHaveLength(3);
    expect(await itemsOf('wgz01')).toHaveLength(3);
    // The task itself (its title, "重点人员") is not who carries the tag; its items are.
    expect((await pulled('jz_xf01')).tasks).toContain(id);
    expect(await itemsOf('jz_xf01')).toEqual([]);
    expect(await itemsOf('zhzx')).toEqual([]);
    // Nor can a helper who guesses an item's id answer it, or read it back from a refusal.
    const answer = await h.push(await h.login('jz_xf01'), newClientId(), [
      {
        mutationId: 1,
        name: 'taskItem.complete',
        args: { id: taskItemId(id, xf[0]!), taskId: id, result: 'done', photoIds: [], at: T0 },
      },
    ]);
    // Refused exactly as an item that does not exist, so the refusal tells nothing either.
    const none = await h.push(await h.login('jz_xf01'), newClientId(), [
      {
        mutationId: 1,
        name: 'taskItem.complete',
        args: { id: taskItemId(id, newId()), taskId: id, result: 'done', photoIds: [], at: T0 },
      },
    ]);
    expect(answer.results[0]).toEqual(none.results[0]);
    expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: 'not-found' });
    const item = answer.records?.find((r) => r.kind === 'taskItems');
    expect(item).toMatchObject({ isDeleted: true });
    expect(item?.data).toBeUndefined();
  });

  it('the largest task there may be is one request under the body limit', () => {
    const ids = Array.from({ length: MAX_TASK_ITEMS }, () => newId());
    const task = {
      id: newId(),
      title: '全镇入户核查',
      kind: 'address-check',
      dueDate: DUE,
      targetKind: 'household',
    };
    const mutation = { clientId: newId(), mutationId: 1, name: 'task.create', createdAt: T0 };
    const args = { task, targets: { kind: 'household', ids }, at: T0 };
    const body = { protocolVersion: PROTOCOL_VERSION, clientId: newId(), mutations: [{ ...mutation, args }] };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(MAX_BODY_BYTES);
  });
});

describe('task items and updates on the server', () => {
  it('an item is done by its own grid’s people, with photos they uploaded', async () => {
    const xf = await idsIn('households', 'XF-01');
    const { id } = await issue('zhzx', 'household', xf);
    expect(await complete('wgy02', id, xf[0]!)).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(await complete('wgy01', id, xf[0]!)).toEqual({ mutationId: 1, status: 'applied' });
    const [item] = (await h.recordsIn('taskItems', h.grid('XF-01'))).filter(
      (r) => r.id === taskItemId(id, xf[0]!),
    );
    expect(item).toMatchObject({ status: 'done', doneBy: { role: 'worker', name: '王丽' } });

    const bytes = new Uint8Array(2048);
    bytes.set(randomBytes(2048));
    bytes.set([0xff, 0xd8, 0xff, 0xe0]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const before = await complete('wgy01', id, xf[1]!, { photoIds: [sha256] });
    expect(before).toMatchObject({ status: 'rejected', message: '照片还没有上传到服务器：请重新同步' });
    const token = await h.login('wgy01');
    const upload = await h.call('PUT', `/api/blobs/${sha256}`, {
      token,
      rawBody: bytes,
      headers: { 'content-type': 'image/jpeg', 'x-lianxin-grid': h.grid('XF-01') },
    });
    expect(upload.status).toBe(201);
    expect(await complete('wgy01', id, xf[1]!, { photoIds: [sha256] })).toMatchObject({ status: 'applied' });
    // The item names the photo: the grid's leader may see it.
    const seen = await h.call('GET', `/api/blobs/${sha256}`, { token: await h.login('wgz01') });
    expect(seen.status).toBe(200);
  });

  it("only the issuer or the center changes a task; a closed task's items take no more answers", async () => {
    const xf = await idsIn('households', 'XF-01');
    const { id } = await issue('wgz01', 'household', xf);
    await h.addUser({ username: 'wgz_hk', role: 'leader', gridCodes: ['HK-01'] });
    const update = async (username: string, action: string, extra: object = {}) =>
      (
        await h.push(await h.login(username), newClientId(), [
          { mutationId: 1, name: 'task.update', args: { id, action, at: T0, ...extra } },
        ])
      ).results[0]!;
    expect(await update('wgz_hk', 'cancel')).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(await update('wgz01', 'extend', { dueDate: addCalendarDays(DUE, 3) })).toMatchObject({
      status: 'applied',
    });
    expect(await update('zhzx', 'close')).toMatchObject({ status: 'applied' });
    expect(await complete('wgy01', id, xf[0]!)).toMatchObject({
      status: 'rejected',
      message: '任务已结束，不能再更改',
    });
    const task = await h.store.records.get(h.townId, 'tasks', id);
    expect(task?.gridId).toBeNull();
    expect(task?.data).toMatchObject({ status: 'closed', dueDate: addCalendarDays(DUE, 3) });
  });
});

describe('the demo town', () => {
  it('has two open tasks: the worker pulls both, and her grid’s items of them', async () => {
    const demo = await createHarness({ households: 600, tasks: true });
    const changes = await demo.pullAll(await demo.login('wgy01'));
    const tasks = changes
      .filter((c) => c.kind === 'tasks')
      .map((c) => c.data as { title: string; status: string });
    expect(tasks.map((t) => [t.title, t.status]).sort()).toEqual([
      ['燃气安全专项排查', 'open'],
      ['重点人员走访', 'open'],
    ]);
    const items = changes
      .filter((c) => c.kind === 'taskItems')
      .map((c) => c.data as { gridId: string; status: string });
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.gridId === demo.grid('XF-01'))).toBe(true);
    expect(items.some((item) => item.status === 'open')).toBe(true);
    await demo.store.close();
  });
});
