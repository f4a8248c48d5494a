import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordVisit } from '../../src/app/commands/round.ts';
import { updateHousehold } from '../../src/app/commands/register.ts';
import { META_KEYS, readMeta } from '../../src/app/db/meta.ts';
import { createHarness, type Harness } from '../server/harness.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import { NO_FAULTS, openDevice, type Device, type Faults } from './sync-client.ts';

/** Rounds of "write offline, then sync through a bad network" per fault. */
const LOOPS = 100;

let harness: Harness;
const devices: Device[] = [];

beforeAll(async () => {
  harness = await createHarness({ households: 200 });
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(async () => {
  await harness.store.close();
});

/**
 * The client's mutation log in the order the server wrote it (not by mutation id: the order is what
 * is checked). The log is only ever appended to, so SQLite's rowid and PostgreSQL's ctid follow it.
 */
function serverLog(clientId: string) {
  const order = harness.store.dialect === 'sqlite' ? 'rowid' : 'ctid';
  return harness.store.sql.all<{ mutationId: number; status: string; name: string }>(
    `SELECT mutation_id AS "mutationId", status, name FROM mutation_log WHERE client_id = ? ORDER BY ${order}`,
    [clientId],
  );
}

async function runLoops(faults: Faults, seed: number) {
  const device = await openDevice(harness, 'wgy01', { random: seededRandom(seed) });
  devices.push(device);
  await device.syncUntilSettled();
  const households = await device.db.households.limit(5).toArray();
  expect(households.length).toBeGreaterThan(0);
  device.transport.faults = faults;

  const visits: string[] = [];
  const lastNotes = new Map<string, string>();
  for (let i = 0; i < LOOPS; i++) {
    const household = households[i % households.length]!;
    const notes = `第${i}轮备注`;
    await updateHousehold(device.ctx, household.id, { notes });
    lastNotes.set(household.id, notes);
    visits.push(
      await recordVisit(device.ctx, {
        householdId: household.id,
        outcome: i % 3 === 0 ? 'nobody-home' : 'met',
        shift: 'day',
      }),
    );
    await device.syncUntilSettled();
  }
  device.transport.faults = { errorRate: 0, killMidPushRate: 0, dropResponseRate: 0 };
  await device.syncUntilSettled();
  return { device, visits, lastNotes, counts: device.transport.counts };
}

async function expectExactlyOnceInOrder(device: Device, expected: number) {
  expect(await device.db.outbox.count()).toBe(0);
  const clientId = await readMeta<string>(device.db, META_KEYS.clientId);
  const log = await serverLog(clientId!);
  // Every mutation exactly once, applied in the order the device made them.
  expect(log.map((row) => row.mutationId)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
  expect(log.every((row) => row.status === 'applied')).toBe(true);
}

async function expectServerState(device: Device, visits: string[], lastNotes: Map<string, string>) {
  const gridId = (await device.db.households.get([...lastNotes.keys()][0]!))!.gridId;
  const clientId = await readMeta<string>(device.db, META_KEYS.clientId);
  expect((await serverLog(clientId!)).filter((row) => row.name === 'visit.record')).toHaveLength(
    visits.length,
  );
  // Each visit stored once on the server, none doubled, none lost.
  const serverVisitIds = (await harness.recordsIn('visits', gridId)).map((v) => v.id);
  const mine = new Set(visits);
  expect(serverVisitIds.filter((id) => mine.has(id)).sort()).toEqual([...visits].sort());
  const households = await harness.recordsIn('households', gridId);
  for (const [id, notes] of lastNotes) expect(households.find((h) => h.id === id)?.notes).toBe(notes);
}

describe('sync through faults (client engine + real server handlers)', () => {
  it('the server killed mid-push, 100+ times: every mutation lands exactly once, in order', async () => {
    const { device, visits, lastNotes, counts } = await runLoops(
      { errorRate: 0, killMidPushRate: 0.6, dropResponseRate: 0 },
      101,
    );
    expect(counts.killedPushes).toBeGreaterThanOrEqual(100);
    await expectExactlyOnceInOrder(device, LOOPS * 2);
    await expectServerState(device, visits, lastNotes);
  });

  it('the response dropped after commit, 100+ times: nothing doubled, the outbox empties', async () => {
    const { device, visits, lastNotes, counts } = await runLoops(
      { errorRate: 0, killMidPushRate: 0, dropResponseRate: 0.6 },
      202,
    );
    expect(counts.droppedResponses).toBeGreaterThanOrEqual(100);
    await expectExactlyOnceInOrder(device, LOOPS * 2);
    await expectServerState(device, visits, lastNotes);
  });

  it('500/503/429 on 30% of requests: every mutation lands exactly once, in order', async () => {
    const { device, visits, lastNotes, counts } = await runLoops(
      { errorRate: 0.3, killMidPushRate: 0, dropResponseRate: 0 },
      303,
    );
    expect(counts.injectedErrors / counts.requests).toBeGreaterThan(0.2);
    await expectExactlyOnceInOrder(device, LOOPS * 2);
    await expectServerState(device, visits, lastNotes);
  });

  it('a long offline queue and a paged pull through every fault at once: each page in order, none skipped', async () => {
    // Pages of 200 go up one after another while the next is read; pages of 40 come down while the
    // one before is stored. Faults land between and inside them.
    const device = await openDevice(harness, 'wgy02', { random: seededRandom(404), pullLimit: 40 });
    devices.push(device);
    await device.syncUntilSettled();
    const households = await device.db.households.limit(7).toArray();
    const QUEUED = 450;
    for (let i = 0; i < QUEUED; i++)
      await updateHousehold(device.ctx, households[i % households.length]!.id, { notes: `离线第${i}条` });
    device.transport.faults = { errorRate: 0.2, killMidPushRate: 0.2, dropResponseRate: 0.2 };
    await device.syncUntilSettled();
    device.transport.faults = NO_FAULTS;
    await device.syncUntilSettled();
    await expectExactlyOnceInOrder(device, QUEUED);

    // The device holds what the server holds for its grid: every pulled page was stored.
    const gridId = households[0]!.gridId;
    const onServer = (await harness.recordsIn('households', gridId)).filter((h) => !h.isDeleted);
    const onDevice = await device.db.households.where('gridId').equals(gridId).toArray();
    const view = (list: Array<{ id: string; notes?: string; updatedAt: number }>) =>
      list.map((h) => [h.id, h.notes ?? null, h.updatedAt]).sort();
    expect(view(onDevice)).toEqual(view(onServer));
    expect(onDevice.find((h) => h.id === households[(QUEUED - 1) % households.length]!.id)?.notes).toBe(
      `离线第${QUEUED - 1}条`,
    );
  });
});
