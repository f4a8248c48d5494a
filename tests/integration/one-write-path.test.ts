/**
 * One write path (issue: each write means one thing on the phone and the server). For every place the
 * device's commands used to apply a write their own way, the device and the real server are given the
 * same mutation and must come to the same result: both refuse it with the same words, or both store
 * the same record (as this user may see it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updatePerson } from '../../src/app/commands/register.ts';
import { CommandError, runCommand } from '../../src/app/commands/run-command.ts';
import { loadRecords } from '../../src/app/db/write-records.ts';
import { BUILT_IN_TEMPLATES } from '../../src/shared/domain/checklist-templates.ts';
import { idNumberCheckChar } from '../../src/shared/domain/id-number.ts';
import { RESIDENT_TOKEN_BYTES, residentTokenFrom } from '../../src/shared/domain/grid-team.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { readsOf, refKey } from '../../src/shared/domain/mutation-reads.ts';
import { mutationArgsSchemas, type MutationArgs, type MutationName } from '../../src/shared/mutations.ts';
import type { RecordKind } from '../../src/shared/records.ts';
import type { Hazard, Need, Person } from '../../src/shared/schemas/index.ts';
import { createHarness, newClientId, newProblem, type Harness } from '../server/harness.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import { scopeFor } from '../../src/server/scope.ts';
import { visibleChange } from '../../src/server/visible.ts';
import { openDevice, type Device } from './sync-client.ts';

let harness: Harness;
const devices = new Map<string, Device>();
const tokens = new Map<string, string>();
const VALID_ID = '32128319500308123' + idNumberCheckChar('32128319500308123');

beforeAll(async () => {
  harness = await createHarness({ households: 120 });
  for (const username of ['wgy01', 'zxh01', 'wgz01']) {
    const device = await openDevice(harness, username, { random: seededRandom(7) });
    await device.syncUntilSettled();
    devices.set(username, device);
    tokens.set(username, await harness.login(username));
  }
});

afterAll(async () => {
  await Promise.all([...devices.values()].map((d) => d.close()));
  await harness.store.close();
});

type Outcome = { ok: true; records: Map<string, unknown> } | { ok: false; message: string };

/** The device runs the mutation through its commands' one entry; nothing is pushed. */
async function onDevice<N extends MutationName>(
  username: string,
  name: N,
  args: MutationArgs<N>,
): Promise<Outcome> {
  const device = devices.get(username)!;
  try {
    await runCommand(device.ctx, name, args);
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    return { ok: false, message: error.message };
  }
  const parsed = mutationArgsSchemas[name].parse(args) as MutationArgs<N>;
  return { ok: true, records: await loadRecords(device.db, readsOf(name, parsed)) };
}

/** The server gets the same mutation from another device of the same user, at the same time. */
async function onServer<N extends MutationName>(
  username: string,
  name: N,
  args: MutationArgs<N>,
): Promise<Outcome> {
  const token = tokens.get(username)!;
  const answer = await harness.push(token, newClientId(), [{ mutationId: 1, name, args }]);
  const result = answer.results[0]!;
  if (result.status === 'rejected')
    // The server names the field in brackets for the rejection list; the device shows it at the field.
    return { ok: false, message: (result.message ?? '').replace(/（[\w.]+）$/, '') };
  // As the user may see them on the wire: people redacted by role, a task naming only their grids.
  const user = (await harness.store.accounts.byUsername(username))!;
  const scope = scopeFor(user, await harness.store.records.gridTree(harness.townId));
  const parsed = mutationArgsSchemas[name].parse(args) as MutationArgs<N>;
  const records = new Map<string, unknown>();
  for (const ref of readsOf(name, parsed)) {
    const stored = await harness.store.records.get(harness.townId, ref.kind, ref.id);
    const change = { ...ref, version: 1, isDeleted: false, data: stored?.data };
    records.set(refKey(ref.kind, ref.id), stored && visibleChange(user, scope, change).data);
  }
  return { ok: true, records };
}

async function expectSame<N extends MutationName>(username: string, name: N, args: MutationArgs<N>) {
  const device = await onDevice(username, name, args);
  const server = await onServer(username, name, args);
  expect(device).toEqual(server);
  return device;
}

const gridOf = (code: string) => harness.grid(code);
const live = <K extends RecordKind>(kind: K, code: string) => harness.recordsIn(kind, gridOf(code));

async function failedRun(code: string, buildingCode: string) {
  const gridId = gridOf(code);
  const building = (await live('buildings', buildingCode))[0]!;
  const template = BUILT_IN_TEMPLATES[0]!;
  const runId = newId();
  const at = harness.clock.now;
  const hazard: Hazard = {
    id: newId(),
    updatedAt: at,
    isDeleted: false,
    gridId,
    runId,
    itemId: template.items[0]!.id,
    buildingId: building.id,
    description: '消防通道堵塞',
    photoIds: [],
    reportedAt: at,
  };
  const run = {
    id: runId,
    updatedAt: at,
    isDeleted: false,
    templateId: template.id,
    gridId,
    buildingId: building.id,
    day: '2026-03-01',
    shift: 'day' as const,
    completedAt: at,
    results: [{ itemId: template.items[0]!.id, result: 'fail' as const, photoIds: [] }],
  };
  return { run, hazards: [hazard] };
}

describe('the device and the server give one write one meaning', () => {
  it('a checklist run for a building of another grid is refused by both', async () => {
    // The leader holds both grids, so the device has the building: the planner's own check decides.
    const crossed = await failedRun('XF-01', 'XF-02');
    const outcome = await expectSame('wgz01', 'checklist.recordRun', crossed);
    expect(outcome).toEqual({ ok: false, message: '检查记录的网格与检查对象的网格不一致' });
    // The worker's phone never held XF-02's building: refused there too, and by the server.
    const device = await onDevice('wgy01', 'checklist.recordRun', crossed);
    const server = await onServer('wgy01', 'checklist.recordRun', crossed);
    expect([device.ok, server.ok]).toEqual([false, false]);
  });

  it('a built-in checklist template cannot be overwritten, on the phone or on the server', async () => {
    const builtIn = { ...BUILT_IN_TEMPLATES[0]!, name: '改过的模板', updatedAt: harness.clock.now };
    const outcome = await expectSame('wgy01', 'checklistTemplate.save', { template: builtIn });
    expect(outcome).toEqual({ ok: false, message: '内置检查模板不能修改' });
    expect(await devices.get('wgy01')!.db.checklistTemplates.get(builtIn.id)).toBeUndefined();
  });

  it('a helper may not write an ID number or a sensitive tag, and keeps the tags it cannot see', async () => {
    const helper = devices.get('zxh01')!;
    const person = (await live('people', 'XF-01')).find(
      (p) => p.status === 'resident' && p.tags.length === 0,
    )!;
    const idNumber = { id: person.id, changes: { idNumber: VALID_ID } };
    expect(await expectSame('zxh01', 'person.update', idNumber)).toMatchObject({ ok: false });
    await expect(updatePerson(helper.ctx, person.id, { idNumber: VALID_ID })).rejects.toThrow(
      '无权填写或修改身份证号',
    );
    const tag = { id: person.id, changes: { tags: ['disabled' as const] } };
    expect(await expectSame('zxh01', 'person.update', tag)).toEqual({
      ok: false,
      message: '无权填写敏感标签“残疾人”',
    });
    expect((await helper.db.people.get(person.id))!.idNumber).toBeUndefined();

    // The worker gives the person a sensitive tag; the helper, who never sees it, edits the tags.
    const worker = devices.get('wgy01')!;
    await runCommand(worker.ctx, 'person.update', { id: person.id, changes: { tags: ['disabled'] } });
    await worker.syncUntilSettled();
    await helper.syncUntilSettled();
    const edit = { id: person.id, changes: { tags: ['low-income' as const] } };
    expect(await expectSame('zxh01', 'person.update', edit)).toMatchObject({ ok: true });
    expect((await harness.store.records.get(harness.townId, 'people', person.id))!.data.tags.sort()).toEqual([
      'disabled',
      'low-income',
    ]);
  });

  it('a problem from a hazard that is gone or in another grid is refused by both', async () => {
    const leader = devices.get('wgz01')!;
    const other = await failedRun('XF-02', 'XF-02');
    await runCommand(leader.ctx, 'checklist.recordRun', other);
    await leader.syncUntilSettled();
    const crossed = newProblem(gridOf('XF-01'), { links: { hazardId: other.hazards[0]!.id } });
    expect(await expectSame('wgz01', 'problem.report', { problem: crossed })).toEqual({
      ok: false,
      message: '问题与所关联的隐患不在同一网格',
    });
    const gone = newProblem(gridOf('XF-01'), { links: { hazardId: newId() } });
    expect(await expectSame('wgz01', 'problem.report', { problem: gone })).toEqual({
      ok: false,
      message: '隐患不存在或已被删除',
    });
  });

  it('a problem dispatched to a department that does not exist is refused by both', async () => {
    const leader = devices.get('wgz01')!;
    const problem = newProblem(gridOf('XF-01'));
    await runCommand(leader.ctx, 'problem.report', { problem });
    await leader.syncUntilSettled();
    const dispatch = {
      id: problem.id,
      action: 'dispatch' as const,
      payload: {
        assignee: { kind: 'department' as const, id: 'dept-nowhere', name: '不存在的部门' },
        photoIds: [],
      },
      at: harness.clock.now,
    };
    expect(await expectSame('wgz01', 'problem.act', dispatch)).toEqual({
      ok: false,
      message: '没有这个承办部门：不存在的部门',
    });
  });

  it('a need status and a move-out stamped ahead of the clock are stamped at the clock on both', async () => {
    const worker = devices.get('wgy01')!;
    const household = (await live('households', 'XF-01'))[0]!;
    const need = {
      id: newId(),
      updatedAt: harness.clock.now,
      isDeleted: false,
      householdId: household.id,
      gridId: household.gridId,
      type: 'repair' as const,
      description: '屋顶漏雨',
      urgency: 'normal' as const,
      status: 'open' as const,
      history: [{ at: harness.clock.now, status: 'open' as const }],
      createdAt: harness.clock.now,
    };
    await runCommand(worker.ctx, 'need.create', { need });
    await worker.syncUntilSettled();
    const ahead = harness.clock.now + 3_600_000;
    const met = { id: need.id, status: 'met' as const, at: ahead };
    const outcome = await expectSame('wgy01', 'need.setStatus', met);
    expect(outcome.ok && (outcome.records.get(refKey('needs', need.id)) as Need).history.at(-1)!.at).toBe(
      harness.clock.now,
    );
    const tooLong = { id: need.id, status: 'open' as const, note: '长'.repeat(501), at: harness.clock.now };
    await expect(runCommand(worker.ctx, 'need.setStatus', tooLong)).rejects.toBeInstanceOf(CommandError);

    const person = (await live('people', 'XF-01')).find((p) => p.status === 'resident')!;
    const moveOut = { id: person.id, status: 'moved-out' as const, at: ahead };
    const moved = await expectSame('wgy01', 'person.moveOut', moveOut);
    expect(moved.ok && (moved.records.get(refKey('people', person.id)) as Person).movedOutAt).toBe(
      harness.clock.now,
    );
  });
  it("a visit is corrected the same on both, and yesterday's cannot be taken back on either", async () => {
    const worker = devices.get('wgy01')!;
    const household = (await live('households', 'XF-01'))[1]!;
    const visit = {
      id: newId(),
      updatedAt: harness.clock.now,
      isDeleted: false,
      householdId: household.id,
      gridId: household.gridId,
      personIds: [],
      visitedAt: harness.clock.now,
      day: shanghaiDay(harness.clock.now),
      shift: 'day' as const,
      outcome: 'met' as const,
      fiveSees: {},
      notes: '快速登记',
      needIds: [],
      photoIds: [],
    };
    const yesterday = { ...visit, id: newId(), visitedAt: visit.visitedAt - 86_400_000 };
    yesterday.day = shanghaiDay(yesterday.visitedAt);
    for (const v of [visit, yesterday]) await runCommand(worker.ctx, 'visit.record', { visit: v, needs: [] });
    await worker.syncUntilSettled();

    const correction = {
      id: visit.id,
      changes: { outcome: 'nobody-home' as const, notes: null },
      at: harness.clock.now,
    };
    const corrected = await expectSame('wgy01', 'visit.correct', correction);
    expect(corrected.ok && corrected.records.get(refKey('visits', visit.id))).toMatchObject({
      outcome: 'nobody-home',
    });
    expect(await expectSame('wgy01', 'visit.withdraw', { id: yesterday.id, at: harness.clock.now })).toEqual({
      ok: false,
      message: `只能更正或撤回当天的走访（这条是 ${yesterday.day} 的）`,
    });
  });

  it('a task and its items are the same on both; so is an item done, and a task over a grid not held is refused', async () => {
    const buildings = [...(await live('buildings', 'XF-01')), ...(await live('buildings', 'XF-02'))];
    expect(buildings.length).toBeGreaterThan(1);
    const task = {
      id: newId(),
      title: '燃气安全专项排查',
      kind: 'special-inspection' as const,
      dueDate: '2099-01-01',
      targetKind: 'building' as const,
    };
    const targets = { kind: 'building' as const, ids: buildings.map((b) => b.id) };
    const issued = await expectSame('wgz01', 'task.create', { task, targets, at: harness.clock.now });
    expect(issued.ok && issued.records.get(refKey('tasks', task.id))).toMatchObject({
      itemCount: buildings.length,
      gridIds: [gridOf('XF-01'), gridOf('XF-02')],
    });

    const worker = devices.get('wgy01')!;
    await worker.syncUntilSettled();
    const item = (await worker.db.taskItems.where('taskId').equals(task.id).toArray())[0]!;
    expect(item.gridId).toBe(gridOf('XF-01'));
    const done = {
      id: item.id,
      taskId: task.id,
      result: 'impossible' as const,
      reason: '楼栋拆除',
      photoIds: [],
      at: harness.clock.now,
    };
    const outcome = await expectSame('wgy01', 'taskItem.complete', done);
    expect(outcome.ok && outcome.records.get(refKey('taskItems', item.id))).toMatchObject({
      status: 'impossible',
      reason: '楼栋拆除',
    });

    // The leader's phone holds no village grid: refused there (no such target) and by the server (scope).
    const village = (await live('households', 'HK-01')).map((h) => h.id);
    const crossed = {
      task: { ...task, id: newId(), targetKind: 'household' as const },
      targets: { kind: 'household' as const, ids: village },
      at: harness.clock.now,
    };
    const device = await onDevice('wgz01', 'task.create', crossed);
    const server = await onServer('wgz01', 'task.create', crossed);
    expect([device.ok, server.ok]).toEqual([false, false]);
  });
  it("a grid's team and a new QR token are the same on both; a worker is refused by both", async () => {
    const gridId = gridOf('XF-01');
    const token = () => residentTokenFrom(crypto.getRandomValues(new Uint8Array(RESIDENT_TOKEN_BYTES)));
    const seeded = (await harness.store.records.get(harness.townId, 'gridTeams', gridId))?.data as {
      residentToken: string;
    };
    const team = {
      members: [{ name: '刘建华', role: 'leader' as const, phone: '13800001111' }],
      servicePromise: '有求必应',
      hotline: '0523-87654321',
    };
    const set = await expectSame('wgz01', 'gridTeam.set', {
      gridId,
      team,
      token: token(),
      at: harness.clock.now,
    });
    // The cards already printed keep working: the seeded token stays.
    expect(set.ok && set.records.get(refKey('gridTeams', gridId))).toMatchObject({
      ...team,
      residentToken: seeded.residentToken,
    });
    const next = token();
    const rotated = await expectSame('wgz01', 'gridTeam.rotateToken', {
      gridId,
      token: next,
      at: harness.clock.now,
    });
    expect(rotated.ok && rotated.records.get(refKey('gridTeams', gridId))).toMatchObject({
      residentToken: next,
      retiredTokens: [seeded.residentToken],
    });
    expect(
      await expectSame('wgy01', 'gridTeam.set', { gridId, team, token: token(), at: harness.clock.now }),
    ).toEqual({
      ok: false,
      message: '网格团队由网格长或指挥中心设置',
    });
  });
});
