/**
 * An app from before a schema change skips what it cannot parse (a checklist run answered 已提醒)
 * while its cursor moves on. Once updated, the app finds another RECORD_SCHEMAS_EDITION stored on the
 * device and pulls its scope once more, so the skipped records arrive; an app of the same edition does
 * not pull again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordChecklistRun } from '../../src/app/commands/round.ts';
import { META_KEYS, readMeta } from '../../src/app/db/meta.ts';
import { answersOf } from '../../src/shared/domain/checklist-answers.ts';
import { BUILT_IN_TEMPLATES, itemsForBuilding } from '../../src/shared/domain/checklist-templates.ts';
import { seededRandom } from '../../src/shared/domain/seeded-random.ts';
import { RECORD_SCHEMAS_EDITION } from '../../src/shared/records.ts';
import { createHarness, type Harness } from '../server/harness.ts';
import { openDevice, type Device } from './sync-client.ts';

let harness: Harness;
let worker: Device;
let leader: Device;
let runId: string;

beforeAll(async () => {
  harness = await createHarness({ households: 60 });
  worker = await openDevice(harness, 'wgy01', { random: seededRandom(3) });
  leader = await openDevice(harness, 'wgz01', { random: seededRandom(4) });
  await worker.syncUntilSettled();
  await leader.syncUntilSettled();
  const building = (await worker.db.buildings.toArray())[0]!;
  const template = BUILT_IN_TEMPLATES[0]!;
  runId = await recordChecklistRun(worker.ctx, {
    template,
    gridId: building.gridId,
    target: { buildingId: building.id },
    shift: 'night',
    results: itemsForBuilding(template, building.facilities).map((item) => ({
      itemId: item.id,
      result: answersOf(item)[0]!,
    })),
  });
  await worker.syncUntilSettled();
});

afterAll(async () => {
  await Promise.all([worker.close(), leader.close()]);
  await harness.store.close();
});

/** The leader's phone as an older app left it: the run skipped, the cursor past it. */
async function skippedByAnOlderApp(edition: number | undefined) {
  await leader.syncUntilSettled();
  expect(await leader.db.checklistRuns.get(runId)).toBeDefined();
  await leader.db.checklistRuns.delete(runId);
  if (edition === undefined) await leader.db.meta.delete(META_KEYS.schemasEdition);
  else await leader.db.meta.put({ key: META_KEYS.schemasEdition, value: edition });
}

describe('a phone updated across a schema change', () => {
  it('pulls its scope once more when the device was pulled by another edition', async () => {
    await skippedByAnOlderApp(undefined);
    await leader.syncUntilSettled();
    expect(await leader.db.checklistRuns.get(runId)).toMatchObject({ id: runId });
    expect(await readMeta(leader.db, META_KEYS.schemasEdition)).toBe(RECORD_SCHEMAS_EDITION);
    expect(await readMeta(leader.db, META_KEYS.fullPass)).toBe(false);
  });

  it('does not pull again when the edition is the same', async () => {
    await skippedByAnOlderApp(RECORD_SCHEMAS_EDITION);
    await leader.syncUntilSettled();
    expect(await leader.db.checklistRuns.get(runId)).toBeUndefined();
  });
});
