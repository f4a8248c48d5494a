/**
 * The device converges to the server's truth (ARCHITECTURE.md sync step 9): a refused write is
 * undone on the phone and shown to the person, a pending write is never dropped or doubled by a
 * rebase, and a change of the user's scope brings what entered it and removes what left it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actOnProblem, reportHazardAsProblem, reportProblem } from '../../src/app/commands/problems.ts';
import { updateHousehold } from '../../src/app/commands/register.ts';
import { recordChecklistRun } from '../../src/app/commands/round.ts';
import { answersOf } from '../../src/shared/domain/checklist-answers.ts';
import { BUILT_IN_TEMPLATES, itemsForBuilding } from '../../src/shared/domain/checklist-templates.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import type { RecordKind } from '../../src/shared/records.ts';
import { createHarness, type Harness } from '../server/harness.ts';
import { openDevice, type Device } from './sync-client.ts';

let harness: Harness;
const devices: Device[] = [];

beforeEach(async () => {
  harness = await createHarness({ households: 150 });
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
  await harness.store.close();
});

async function device(username: string, seed = 1): Promise<Device> {
  const opened = await openDevice(harness, username, { random: seededRandom(seed) });
  devices.push(opened);
  await opened.syncUntilSettled();
  return opened;
}

/** The device goes offline (every request fails as with no signal) until the returned function is called. */
function offline(d: Device): () => void {
  const deliver = d.transport.fetch;
  d.transport.fetch = () => Promise.reject(new TypeError('offline'));
  return () => void (d.transport.fetch = deliver);
}

async function reportedProblem(worker: Device) {
  const gridId = (await worker.db.grids.where('kind').equals('grid').first())!.id;
  const id = await reportProblem(worker.ctx, {
    gridId,
    category: 'environment',
    severity: 'yellow',
    place: { text: '3栋楼道' },
    photoIds: [],
    source: 'snap',
  });
  await worker.syncUntilSettled();
  return id;
}

/** The record as the server holds it (its data); it must be there. */
async function onServer<K extends RecordKind>(kind: K, id: string) {
  const stored = await harness.store.records.get(harness.townId, kind, id);
  if (!stored) throw new Error(`the server has no ${kind} ${id}`);
  return stored.data;
}

const police = { kind: 'department', id: 'dept-police', name: '派出所' } as const;
const market = { kind: 'department', id: 'dept-market', name: '市场监管所' } as const;

describe('a write the server refuses is undone on the phone', () => {
  it('two leaders dispatch one problem: the second phone ends with the first dispatch and the reason', async () => {
    const worker = await device('wgy01');
    const id = await reportedProblem(worker);
    const first = await device('wgz01', 2);
    const second = await device('wgz01', 3);
    const reconnect = offline(second);
    await actOnProblem(first.ctx, id, 'dispatch', { assignee: police });
    await actOnProblem(second.ctx, id, 'dispatch', { assignee: market });
    expect((await second.db.problems.get(id))!.assignee?.id).toBe('dept-market');
    await first.syncUntilSettled();
    reconnect();
    await second.syncUntilSettled();

    const server = await onServer('problems', id);
    expect(server.assignee?.id).toBe('dept-police');
    expect(await second.db.problems.get(id)).toEqual(server);
    const [rejection] = await second.db.rejections.toArray();
    expect(rejection).toMatchObject({ name: 'problem.act', reason: 'illegal-transition' });
    expect(rejection!.isProvisional).toBeUndefined();
    expect(await second.db.outbox.count()).toBe(0);
    expect(await second.db.pendingBase.count()).toBe(0);
  });

  it('when the answer to the refused push is lost, the retry still says so and heals', async () => {
    const worker = await device('wgy01');
    const id = await reportedProblem(worker);
    const first = await device('wgz01', 2);
    const second = await device('wgz01', 3);
    await actOnProblem(first.ctx, id, 'dispatch', { assignee: police });
    await first.syncUntilSettled();
    // The second leader's phone has not pulled the first dispatch yet.
    await actOnProblem(second.ctx, id, 'dispatch', { assignee: market });
    const deliver = second.transport.fetch;
    second.transport.fetch = async (input, init) => {
      const response = await deliver(input, init);
      if (!input.startsWith('/api/push')) return response;
      second.transport.fetch = deliver;
      throw new TypeError('connection reset (answer lost after commit)');
    };
    await expect(second.engine.push(second.actor)).rejects.toThrow();
    // A pull in between brings the server's problem; the answered write is not planned on top again.
    await second.engine.pull(second.actor);
    expect((await second.db.problems.get(id))!.assignee?.id).toBe('dept-police');
    await second.syncUntilSettled();
    expect(await second.db.problems.get(id)).toEqual(await onServer('problems', id));
    expect(await second.db.rejections.count()).toBe(1);
    expect(await second.db.outbox.count()).toBe(0);
  });

  it('a later pending write on the same record is planned again on top of the truth', async () => {
    const worker = await device('wgy01');
    const household = (await worker.db.households.toArray())[0]!;
    const id = await reportedProblem(worker);
    const leader = await device('wgz01', 2);
    await actOnProblem(leader.ctx, id, 'dispatch', { assignee: police });
    await leader.syncUntilSettled();
    // Offline, the worker escalates (refused: it was dispatched meanwhile), then edits a household.
    const reconnect = offline(worker);
    await actOnProblem(worker.ctx, id, 'escalate', { note: '需要协调' });
    await updateHousehold(worker.ctx, household.id, { notes: '离线时的备注' });
    reconnect();
    await worker.syncUntilSettled();
    expect(await worker.db.problems.get(id)).toEqual(await onServer('problems', id));
    expect((await worker.db.households.get(household.id))!.notes).toBe('离线时的备注');
    expect((await onServer('households', household.id)).notes).toBe('离线时的备注');
  });
});

describe('a rebase never drops or doubles a pending write', () => {
  it('a hazard turned into a problem while a pull is storing it gives one problem, linked', async () => {
    const worker = await device('wgy01');
    const building = (await worker.db.buildings.toArray())[0]!;
    const template = BUILT_IN_TEMPLATES[0]!;
    const items = itemsForBuilding(template, building.facilities);
    await recordChecklistRun(worker.ctx, {
      template,
      gridId: building.gridId,
      target: { buildingId: building.id },
      shift: 'day',
      results: items.map((item, i) => ({ itemId: item.id, result: i === 0 ? 'fail' : answersOf(item)[0]! })),
    });
    await worker.engine.push(worker.actor);
    const hazard = (await worker.db.hazards.toArray())[0]!;
    // The pull brings the hazard back (its server version has no problem yet) while the tap lands.
    const [, problemId] = await Promise.all([
      worker.engine.pull(worker.actor),
      reportHazardAsProblem(worker.ctx, hazard.id),
    ]);
    expect((await worker.db.hazards.get(hazard.id))!.problemId).toBe(problemId);
    expect(await reportHazardAsProblem(worker.ctx, hazard.id)).toBe(problemId);
    await worker.syncUntilSettled();
    expect(
      (await harness.recordsIn('problems', building.gridId)).filter((p) => p.links.hazardId === hazard.id),
    ).toHaveLength(1);
    expect((await onServer('hazards', hazard.id)).problemId).toBe(problemId);
    expect(await worker.db.rejections.count()).toBe(0);
  });
});

describe('a change of scope reaches the phone', () => {
  async function setGrids(username: string, codes: string[]) {
    const admin = await harness.login('admin');
    const user = (await harness.store.accounts.byUsername(username))!;
    const response = await harness.call('PATCH', `/api/admin/users/${user.id}`, {
      token: admin,
      body: { gridIds: codes.map((code) => harness.grid(code)) },
    });
    expect(response.status).toBe(200);
  }

  const idsIn = (d: Device, gridId: string) =>
    d.db.households
      .where('gridId')
      .equals(gridId)
      .primaryKeys()
      .then((ids) => ids.sort());
  const serverIds = async (gridId: string) =>
    (await harness.recordsIn('households', gridId)).map((h) => h.id).sort();

  it('a grid given brings its records; a grid taken removes them, and a pending edit there is undone', async () => {
    const worker = await device('wgy01');
    const [own, neighbour] = [harness.grid('XF-01'), harness.grid('XF-02')];
    expect(await idsIn(worker, neighbour)).toEqual([]);

    await setGrids('wgy01', ['XF-01', 'XF-02']);
    await worker.syncUntilSettled();
    expect(await idsIn(worker, neighbour)).toEqual(await serverIds(neighbour));
    expect(await idsIn(worker, own)).toEqual(await serverIds(own));

    // Offline, the worker edits an XF-01 household; meanwhile XF-01 is handed to someone else.
    const reconnect = offline(worker);
    const household = (await worker.db.households.where('gridId').equals(own).first())!;
    await updateHousehold(worker.ctx, household.id, { notes: '交接前的备注' });
    await setGrids('wgy01', ['XF-02']);
    reconnect();
    await worker.syncUntilSettled();
    expect(await idsIn(worker, own)).toEqual([]);
    expect(await worker.db.people.where('gridId').equals(own).count()).toBe(0);
    expect(await worker.db.grids.get(own)).toBeUndefined();
    expect(await idsIn(worker, neighbour)).toEqual(await serverIds(neighbour));
    expect((await onServer('households', household.id)).notes).not.toBe('交接前的备注');
    expect((await worker.db.rejections.toArray()).map((r) => r.reason)).toEqual(['forbidden']);
    expect(await worker.db.pendingBase.count()).toBe(0);
  });
});
