/**
 * gridTeam.set and gridTeam.rotateToken as the shared planner sees them: who may set a grid's team
 * and replace its card's QR code, what they write (the token kept, or retired), what they refuse.
 */
import { describe, expect, it } from 'vitest';
import { planMutation, type PlanActor, type PlanReads } from '../../src/shared/domain/apply-mutation.ts';
import { RESIDENT_TOKEN_BYTES, residentTokenFrom } from '../../src/shared/domain/grid-team.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { mutationArgsSchemas, type MutationName } from '../../src/shared/mutations.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Grid, GridTeam } from '../../src/shared/schemas/index.ts';
import { T0 } from './harness.ts';

const GRID: Grid = {
  id: newId(),
  parentId: null,
  kind: 'grid',
  name: '幸福社区第1网格',
  code: 'XF-01',
  updatedAt: T0,
  isDeleted: false,
};
const TOKEN_A = 'tokenAAAAAAAAAAAAAAAAAAA';
const TOKEN_B = 'tokenBBBBBBBBBBBBBBBBBBB';
const TEAM = {
  members: [
    { name: '王建国', role: 'leader', phone: '13800001111' },
    { name: '李芳', role: 'worker', phone: '13900002222' },
    { name: '张警官', role: 'police' },
  ],
  servicePromise: '有求必应、件件有回音',
  serviceHours: '工作日 8:30-17:30，急事随时',
  hotline: '0571-12345678',
} as const;

const actor = (role: PlanActor['role']): PlanActor => ({ role, userId: `u-${role}`, name: role });

function reads(team?: GridTeam, writers: Record<string, string> = {}): PlanReads {
  const byKey = new Map<string, unknown>([[`grids/${GRID.id}`, GRID]]);
  if (team) byKey.set(`gridTeams/${team.id}`, team);
  return {
    get: <K extends RecordKind>(kind: K, id: string) => byKey.get(`${kind}/${id}`) as RecordOf<K> | undefined,
    lastWriter: (_kind, id) => writers[id],
  };
}

function plan(name: MutationName, raw: unknown, who: PlanActor, world = reads(), writer?: string) {
  const args = mutationArgsSchemas[name].parse(raw);
  return planMutation(name, args as never, world, who, T0 + 1000, writer ? { writer } : {});
}

const stored = (overrides: Partial<GridTeam> = {}): GridTeam => ({
  id: GRID.id,
  gridId: GRID.id,
  members: [],
  residentToken: TOKEN_A,
  retiredTokens: [],
  updatedAt: T0,
  isDeleted: false,
  ...overrides,
});

describe('gridTeam.set', () => {
  it.each(['leader', 'center', 'admin'] as const)('%s sets the team under the grid’s id', (role) => {
    const result = plan('gridTeam.set', { gridId: GRID.id, team: TEAM, token: TOKEN_A, at: T0 }, actor(role));
    expect(result).toEqual({
      ok: true,
      conflicts: [],
      writes: [{ kind: 'gridTeams', record: stored({ ...TEAM, members: [...TEAM.members] }) }],
    });
  });

  it.each(['worker', 'helper', 'department', 'resident'] as const)(
    '%s is refused in plain Chinese',
    (role) => {
      expect(
        plan('gridTeam.set', { gridId: GRID.id, team: TEAM, token: TOKEN_A, at: T0 }, actor(role)),
      ).toEqual({
        ok: false,
        reason: 'forbidden',
        message: '网格团队由网格长或指挥中心设置',
      });
    },
  );

  it('keeps the token the printed cards carry: the one in the args is only for a grid without one', () => {
    const world = reads(stored({ residentToken: TOKEN_B, retiredTokens: [TOKEN_A] }));
    const result = plan(
      'gridTeam.set',
      { gridId: GRID.id, team: TEAM, token: newToken(), at: T0 },
      actor('leader'),
      world,
    );
    expect(result.ok && result.writes[0]!.record).toMatchObject({
      residentToken: TOKEN_B,
      retiredTokens: [TOKEN_A],
    });
  });

  it('drops the promise, hours and hotline left empty, and refuses a bad phone by its field', () => {
    const bare = plan(
      'gridTeam.set',
      { gridId: GRID.id, team: { members: [] }, token: TOKEN_A, at: T0 },
      actor('leader'),
    );
    expect(bare.ok && bare.writes[0]!.record).not.toHaveProperty('hotline');
    const badPhone = mutationArgsSchemas['gridTeam.set'].safeParse({
      gridId: GRID.id,
      team: { members: [{ name: '李芳', role: 'worker', phone: '12345' }] },
      token: TOKEN_A,
      at: T0,
    });
    expect(badPhone.error?.issues[0]?.path).toEqual(['team', 'members', 0, 'phone']);
  });

  it('refuses a grid that does not exist', () => {
    expect(
      plan('gridTeam.set', { gridId: newId(), team: TEAM, token: TOKEN_A, at: T0 }, actor('leader')),
    ).toMatchObject({
      ok: false,
      reason: 'not-found',
    });
  });

  it('logs a conflict when two leaders set the team offline', () => {
    const world = reads(stored({ members: [{ name: '赵六', role: 'helper' }] }), {
      [GRID.id]: 'other-leader',
    });
    const result = plan(
      'gridTeam.set',
      { gridId: GRID.id, team: TEAM, token: TOKEN_B, at: T0 },
      actor('leader'),
      world,
      'me',
    );
    expect(result.ok && result.conflicts.map((c) => c.field)).toEqual([
      'members',
      'servicePromise',
      'serviceHours',
      'hotline',
    ]);
  });
});

describe('gridTeam.rotateToken', () => {
  it('moves the old token to the retired ones, newest last', () => {
    const world = reads(
      stored({ ...TEAM, members: [...TEAM.members], retiredTokens: ['tokenOLDOLDOLDOLDOLDOLDO'] }),
    );
    const result = plan(
      'gridTeam.rotateToken',
      { gridId: GRID.id, token: TOKEN_B, at: T0 + 5 },
      actor('leader'),
      world,
    );
    expect(result.ok && result.writes[0]!.record).toMatchObject({
      residentToken: TOKEN_B,
      retiredTokens: ['tokenOLDOLDOLDOLDOLDOLDO', TOKEN_A],
      members: TEAM.members,
      updatedAt: T0 + 5,
    });
  });

  it('keeps only the 20 newest retired tokens', () => {
    const twenty = Array.from({ length: 20 }, () => newToken());
    const world = reads(stored({ retiredTokens: twenty }));
    const result = plan(
      'gridTeam.rotateToken',
      { gridId: GRID.id, token: TOKEN_B, at: T0 },
      actor('center'),
      world,
    );
    expect(result.ok && result.writes[0]!.record).toMatchObject({
      retiredTokens: [...twenty.slice(1), TOKEN_A],
    });
  });

  it('gives a grid without a team its first token', () => {
    const result = plan('gridTeam.rotateToken', { gridId: GRID.id, token: TOKEN_B, at: T0 }, actor('admin'));
    expect(result.ok && result.writes[0]!.record).toEqual(stored({ residentToken: TOKEN_B }));
  });

  it('is the same write again when replayed, and refuses a retired token', () => {
    const world = reads(stored({ residentToken: TOKEN_B, retiredTokens: [TOKEN_A] }));
    const replay = plan(
      'gridTeam.rotateToken',
      { gridId: GRID.id, token: TOKEN_B, at: T0 },
      actor('leader'),
      world,
    );
    expect(replay.ok && replay.writes[0]!.record).toMatchObject({
      residentToken: TOKEN_B,
      retiredTokens: [TOKEN_A],
    });
    expect(
      plan('gridTeam.rotateToken', { gridId: GRID.id, token: TOKEN_A, at: T0 }, actor('leader'), world),
    ).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it.each(['worker', 'helper', 'department'] as const)('%s may not replace the QR code', (role) => {
    expect(
      plan('gridTeam.rotateToken', { gridId: GRID.id, token: TOKEN_B, at: T0 }, actor(role), reads(stored())),
    ).toEqual({
      ok: false,
      reason: 'forbidden',
      message: '二维码只能由网格长或指挥中心更换',
    });
  });

  it('refuses a token too short to be unguessable', () => {
    expect(
      mutationArgsSchemas['gridTeam.rotateToken'].safeParse({ gridId: GRID.id, token: 'short', at: T0 })
        .success,
    ).toBe(false);
  });
});

function newToken() {
  return residentTokenFrom(crypto.getRandomValues(new Uint8Array(RESIDENT_TOKEN_BYTES)));
}

describe('residentTokenFrom', () => {
  it('makes 24 base64url characters of 18 random bytes, which the schema accepts', () => {
    const token = residentTokenFrom(new Uint8Array(RESIDENT_TOKEN_BYTES).fill(255));
    expect(token).toBe('________________________');
    expect(newToken()).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});
