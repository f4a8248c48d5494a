/**
 * A grid's team on the phone: the leader's command writes it at once and queues one gridTeam.set
 * with a token drawn on the device; 轮换二维码 retires the old token; the cards of a community are
 * one per grid under it. A worker's phone can do neither, and keeps nothing of the attempt.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateGridToken, setGridTeam } from '../../src/app/commands/grid-team.ts';
import { CommandError } from '../../src/app/commands/run-command.ts';
import { AppDB } from '../../src/app/db/app-db.ts';
import { cardsOf, teamOfGrid } from '../../src/app/db/grid-team-queries.ts';
import { storeRegister, toRegisterRows } from '../../src/app/db/load-register.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import type { PlanActor } from '../../src/shared/domain/apply-mutation.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { contextFor, TEST_NOW } from '../support/device-context.ts';

const LEADER: PlanActor = { role: 'leader', name: '刘网格长', userId: 'u-leader' };
const town = generateDemoTown({ households: 150 });
const grid = town.grids.find((g) => g.kind === 'grid')!;
const community = town.grids.find((g) => g.id === grid.parentId)!;
const TEAM = {
  members: [{ name: '王丽', role: 'worker' as const, phone: '13800001111' }],
  hotline: '0523-87654321',
};

let db: AppDB;
let dbCount = 0;

beforeEach(async () => {
  db = new AppDB(`grid-team-test-${dbCount++}`);
  await storeRegister(db, toRegisterRows(town, await loadPinyin()), { source: 'demo', loadedAt: 0 });
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe("a grid's team on the phone", () => {
  it('the leader sets it: stored at once under the grid’s id, one write in the outbox with a fresh token', async () => {
    await setGridTeam(contextFor(db, LEADER), grid.id, TEAM);
    const team = (await teamOfGrid(db, grid.id))!;
    expect(team).toMatchObject({ id: grid.id, ...TEAM, retiredTokens: [], updatedAt: TEST_NOW });
    expect(team.residentToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const outbox = await db.outbox.toArray();
    expect(outbox.map((row) => row.name)).toEqual(['gridTeam.set']);
    expect(outbox[0]!.args).toMatchObject({ gridId: grid.id, token: team.residentToken });
  });

  it('轮换二维码 gives the card a new token and retires the old one; the team stays', async () => {
    await setGridTeam(contextFor(db, LEADER), grid.id, TEAM);
    const first = (await teamOfGrid(db, grid.id))!.residentToken;
    await rotateGridToken(contextFor(db, LEADER), grid.id);
    const after = (await teamOfGrid(db, grid.id))!;
    expect(after.residentToken).not.toBe(first);
    expect(after).toMatchObject({ retiredTokens: [first], members: TEAM.members });
    // Saving the team again keeps the new token: the cards just printed keep working.
    await setGridTeam(contextFor(db, LEADER), grid.id, { members: [] });
    expect((await teamOfGrid(db, grid.id))!.residentToken).toBe(after.residentToken);
  });

  it("a worker's phone can do neither, and keeps nothing of the attempt", async () => {
    await expect(setGridTeam(contextFor(db), grid.id, TEAM)).rejects.toThrow(CommandError);
    await expect(rotateGridToken(contextFor(db), grid.id)).rejects.toThrow(
      '二维码只能由网格长或指挥中心更换',
    );
    expect(await db.gridTeams.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });

  it('a community’s cards are one per grid under it, by code; a grid’s card is its own', async () => {
    await setGridTeam(contextFor(db, LEADER), grid.id, TEAM);
    const under = town.grids.filter((g) => g.parentId === community.id);
    const cards = (await cardsOf(db, community.id))!;
    expect(cards.cards.map((c) => c.grid.id).sort()).toEqual(under.map((g) => g.id).sort());
    expect(cards.cards.map((c) => c.grid.code)).toEqual(
      [...under].sort((a, b) => a.code.localeCompare(b.code, 'zh-CN', { numeric: true })).map((g) => g.code),
    );
    expect(cards.cards.find((c) => c.grid.id === grid.id)!.team).toMatchObject(TEAM);
    expect((await cardsOf(db, grid.id))!.cards.map((c) => c.grid.id)).toEqual([grid.id]);
  });
});
