import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { addPerson, movePersonOut, updateHousehold, updatePerson } from '../../src/app/commands/register.ts';
import { dismissRejection } from '../../src/app/commands/rejections.ts';
import { CommandError } from '../../src/app/commands/run-command.ts';
import { contextFor } from '../support/device-context.ts';
import type { CommandContext } from '../../src/app/commands/run-command.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { search } from '../../src/app/db/queries.ts';
import { redactPerson } from '../../src/shared/domain/privacy.ts';
import { CARE_TAG_CODES, CARE_TAGS, type NewPerson, type Person } from '../../src/shared/schemas/index.ts';

let db: AppDB;
let ctx: CommandContext;
let dbCount = 0;
const town = generateDemoTown({ households: 120 });

beforeEach(async () => {
  db = new AppDB(`commands-test-${dbCount++}`);
  ctx = contextFor(db);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

const firstHousehold = () => town.households[0]!;
const headOf = (householdId: string) => town.people.find((p) => p.householdId === householdId)!;

describe('register commands', () => {
  it('write the record and one outbox row per edit, with increasing mutation ids', async () => {
    const household = firstHousehold();
    await updateHousehold(ctx, household.id, { notes: '独居，每日探访' });
    const newId = await addPerson(ctx, household.id, {
      name: '李小红',
      gender: 'female',
      relation: 'child',
      birthDate: '2010-04-01',
      tags: ['left-behind-child'],
    });

    expect((await db.households.get(household.id))!.notes).toBe('独居，每日探访');
    expect((await db.people.get(newId))!.gridId).toBe(household.gridId);
    const outbox = await db.outbox.toArray();
    expect(outbox.map((row) => [row.mutationId, row.name])).toEqual([
      [1, 'household.update'],
      [2, 'person.create'],
    ]);
    expect(outbox[0]!.args).toEqual({ id: household.id, changes: { notes: '独居，每日探访' } });
    expect(new Set(outbox.map((row) => row.clientId)).size).toBe(1);
  });

  it('refuse invalid input with field messages and store nothing', async () => {
    const household = firstHousehold();
    const attempt = updateHousehold(ctx, household.id, { phone: '110' });
    await expect(attempt).rejects.toBeInstanceOf(CommandError);
    await expect(attempt).rejects.toMatchObject({ fieldErrors: [{ path: 'changes.phone' }] });
    expect((await db.households.get(household.id))!.phone).toBe(household.phone);
    expect(await db.outbox.count()).toBe(0);
  });

  it('re-validate the merged record: a birth date that contradicts the ID number is refused', async () => {
    const person = town.people.find((p) => p.idNumber)!;
    await expect(updatePerson(ctx, person.id, { birthDate: '1900-01-01' })).rejects.toThrow(
      '出生日期与身份证号中的日期不一致',
    );
    expect((await db.people.get(person.id))!.birthDate).toBe(person.birthDate);
    expect(await db.outbox.count()).toBe(0);
  });

  it('leave neither the record nor the outbox row when the outbox write fails', async () => {
    const household = firstHousehold();
    // A real failure inside the transaction (as a full disk would cause), not a mock of Dexie.
    db.outbox.hook('creating', () => {
      throw new Error('QuotaExceededError: disk full');
    });
    await expect(updateHousehold(ctx, household.id, { notes: '不会保存' })).rejects.toThrow('disk full');
    expect((await db.households.get(household.id))!.notes).toBe(household.notes);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.meta.get('lastMutationId')).toBeUndefined();
  });

  it('keep search keys in step with edits', async () => {
    const head = headOf(firstHousehold().id);
    await updatePerson(ctx, head.id, { name: '欧阳娜娜', phone: '13700001111' });
    const byPinyin = await search(db, 'oyn');
    expect(byPinyin.people.map((r) => r.person.id)).toContain(head.id);
    const byPhone = await search(db, '0001111');
    expect(byPhone.people.map((r) => r.person.id)).toContain(head.id);
    const byOldName = await search(db, head.name);
    expect(byOldName.people.map((r) => r.person.id)).not.toContain(head.id);
  });

  it('move a person out without deleting them, and refuse a second move', async () => {
    const head = headOf(firstHousehold().id);
    await movePersonOut(ctx, head.id, 'moved-out');
    const stored = (await db.people.get(head.id))!;
    expect(stored.status).toBe('moved-out');
    expect(stored.isDeleted).toBe(false);
    await expect(movePersonOut(ctx, head.id, 'deceased')).rejects.toThrow('此人已不在住');
    expect(await db.outbox.count()).toBe(1);
  });
});

describe('search', () => {
  it('finds people by name part, pinyin initials, phone digits and ID tail; households by address', async () => {
    const person = town.people.find((p) => p.phone && p.idNumber && p.name.length >= 2)!;
    const ids = async (q: string) => (await search(db, q, 500)).people.map((r) => r.person.id);
    expect(await ids(person.name)).toContain(person.id);
    expect(await ids(person.name.slice(1))).toContain(person.id);
    expect(await ids(person.phone!.slice(3, 8))).toContain(person.id);
    expect(await ids(person.idNumber!.slice(-4))).toContain(person.id);
    expect(await search(db, '123')).toEqual({ people: [], households: [] });

    const household = town.households.find((h) => h.id === person.householdId)!;
    const byAddress = await search(db, household.address);
    expect(byAddress.households.map((h) => h.id)).toContain(household.id);
  });
});

describe('clearing a field', () => {
  it('travels as null, so the server clears it too (JSON drops undefined)', async () => {
    const household = firstHousehold();
    await updateHousehold(ctx, household.id, { phone: null });
    expect((await db.households.get(household.id))!.phone).toBeUndefined();
    const [row] = await db.outbox.toArray();
    expect(JSON.parse(JSON.stringify(row!.args))).toEqual({ id: household.id, changes: { phone: null } });
  });

  it('the person form clears only what the record had', async () => {
    const head = headOf(firstHousehold().id);
    const {
      id: _id,
      householdId: _h,
      gridId: _g,
      status: _s,
      updatedAt: _u,
      isDeleted: _d,
      movedOutAt: _m,
      ...form
    } = head;
    await updatePerson(ctx, head.id, { ...form, phone: undefined, notes: undefined });
    const [row] = await db.outbox.toArray();
    const changes = (row!.args as { changes: Record<string, unknown> }).changes;
    expect(changes.phone).toBeNull();
    expect('notes' in changes).toBe(head.notes !== undefined);
    expect((await db.people.get(head.id))!.phone).toBeUndefined();
  });
});

describe('the person form as a helper (PIPL)', () => {
  const helper = () => contextFor(db, { role: 'helper', name: '赵兼职', userId: 'u-helper' });
  const formOf = (p: Person): NewPerson => ({
    name: p.name,
    gender: p.gender,
    relation: p.relation,
    birthDate: p.birthDate,
    phone: p.phone,
    idNumber: p.idNumber,
    tags: p.tags,
    notes: p.notes,
  });
  const isSensitive = (tag: Person['tags'][number]) => CARE_TAGS[tag].isSensitive;
  const watched = () =>
    town.people.find((p) => p.status === 'resident' && p.idNumber && p.tags.some(isSensitive))!;

  it('sends only what changed and nothing the helper was not shown; the record keeps it', async () => {
    const person = watched();
    const shown = redactPerson(person, 'helper');
    const added = CARE_TAG_CODES.find((tag) => !isSensitive(tag) && !shown.tags.includes(tag))!;
    await updatePerson(helper(), person.id, {
      ...formOf(shown),
      phone: '13900001111',
      tags: [...shown.tags, added],
    });
    const [row] = await db.outbox.toArray();
    expect((row!.args as { changes: unknown }).changes).toEqual({
      phone: '13900001111',
      tags: [...shown.tags, added],
    });
    const stored = (await db.people.get(person.id))!;
    expect(stored.idNumber).toBe(person.idNumber);
    expect([...stored.tags].sort()).toEqual([...person.tags, added].sort());
  });

  it('a form saved as it was opened queues nothing', async () => {
    const person = watched();
    await updatePerson(helper(), person.id, formOf(redactPerson(person, 'helper')));
    await updatePerson(ctx, person.id, formOf(person));
    expect(await db.outbox.count()).toBe(0);
  });
});

describe('dismissing a rejection', () => {
  it('removes only that note, on this device only (no outbox row)', async () => {
    const note = {
      name: 'household.update' as const,
      args: {},
      reason: 'forbidden',
      message: '无权修改',
      at: 0,
    };
    const first = await db.rejections.add({ ...note, mutationId: 1 });
    await db.rejections.add({ ...note, mutationId: 2, isProvisional: true });
    await dismissRejection(ctx, first);
    expect((await db.rejections.toArray()).map((r) => r.mutationId)).toEqual([2]);
    expect(await db.outbox.count()).toBe(0);
  });
});
