/**
 * cadence.set as the shared planner sees it: who may set a grid's cadence, what it writes, and what
 * it refuses. Grid scope is the server's (tests/server/cadence.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  planMutation,
  readsOf,
  type PlanActor,
  type PlanReads,
} from '../../src/shared/domain/apply-mutation.ts';
import { DEFAULT_CADENCE_CONFIG, type CadenceConfig } from '../../src/shared/domain/cadence-config.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { mutationArgsSchemas } from '../../src/shared/mutations.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Grid, GridCadence } from '../../src/shared/schemas/index.ts';
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
const DAILY_EMPTY_NEST: CadenceConfig = {
  byTag: { ...DEFAULT_CADENCE_CONFIG.byTag, 'empty-nest': 'daily' },
  everyoneElse: 'quarterly',
};

const actor = (role: PlanActor['role']): PlanActor => ({ role, userId: `u-${role}`, name: role });

function reads(
  records: { kind: RecordKind; record: { id: string } }[],
  writers: Record<string, string> = {},
) {
  const byKey = new Map(records.map((r) => [`${r.kind}/${r.record.id}`, r.record]));
  const result: PlanReads = {
    get: <K extends RecordKind>(kind: K, id: string) => byKey.get(`${kind}/${id}`) as RecordOf<K> | undefined,
    lastWriter: (_kind, id) => writers[id],
  };
  return result;
}

function plan(
  raw: unknown,
  who: PlanActor,
  world = reads([{ kind: 'grids', record: GRID }]),
  writer?: string,
) {
  const args = mutationArgsSchemas['cadence.set'].parse(raw);
  return planMutation('cadence.set', args, world, who, T0 + 1000, writer ? { writer } : {});
}

describe('cadence.set', () => {
  it.each(['leader', 'center', 'admin'] as const)(
    '%s sets the grid’s cadence, under the grid’s id',
    (role) => {
      const result = plan({ gridId: GRID.id, config: DAILY_EMPTY_NEST, at: T0 }, actor(role));
      expect(result).toEqual({
        ok: true,
        conflicts: [],
        writes: [
          {
            kind: 'cadences',
            record: { id: GRID.id, gridId: GRID.id, ...DAILY_EMPTY_NEST, updatedAt: T0, isDeleted: false },
          },
        ],
      });
    },
  );

  it.each(['worker', 'helper', 'department', 'resident'] as const)('%s may not set it', (role) => {
    expect(plan({ gridId: GRID.id, config: DAILY_EMPTY_NEST, at: T0 }, actor(role))).toEqual({
      ok: false,
      reason: 'forbidden',
      message: '走访频次由网格长或指挥中心设置',
    });
  });

  it('refuses a grid that does not exist', () => {
    expect(plan({ gridId: newId(), config: DAILY_EMPTY_NEST, at: T0 }, actor('leader'))).toMatchObject({
      ok: false,
      reason: 'not-found',
    });
  });

  it('never dates the record after the plan (a phone clock running fast)', () => {
    const result = plan({ gridId: GRID.id, config: DAILY_EMPTY_NEST, at: T0 + 99_000 }, actor('center'));
    expect(result.ok && result.writes[0]!.record.updatedAt).toBe(T0 + 1000);
  });

  it('an unknown tag or cadence never reaches the planner', () => {
    const schema = mutationArgsSchemas['cadence.set'];
    const unknownTag = schema.safeParse({
      gridId: GRID.id,
      config: { byTag: { vip: 'daily' }, everyoneElse: 'monthly' },
      at: T0,
    });
    expect(unknownTag.error?.issues[0]?.message).toBe('未知的关怀标签：vip');
    const unknownCadence = schema.safeParse({
      gridId: GRID.id,
      config: { byTag: {}, everyoneElse: 'hourly' },
      at: T0,
    });
    expect(unknownCadence.error?.issues[0]?.message).toContain('未知的走访频次：hourly');
  });

  it('logs a conflict when it overwrites a cadence its writer had not seen', () => {
    const current: GridCadence = {
      id: GRID.id,
      gridId: GRID.id,
      ...DEFAULT_CADENCE_CONFIG,
      updatedAt: T0,
      isDeleted: false,
    };
    const world = reads(
      [
        { kind: 'grids', record: GRID },
        { kind: 'cadences', record: current },
      ],
      { [GRID.id]: 'other-leader' },
    );
    const result = plan(
      { gridId: GRID.id, config: DAILY_EMPTY_NEST, at: T0 },
      actor('leader'),
      world,
      'this-leader',
    );
    expect(result.ok && result.conflicts).toEqual([
      {
        kind: 'cadences',
        id: GRID.id,
        field: 'byTag',
        overwritten: DEFAULT_CADENCE_CONFIG.byTag,
        value: DAILY_EMPTY_NEST.byTag,
      },
    ]);
  });

  it('reads the grid and its cadence record', () => {
    expect(readsOf('cadence.set', { gridId: GRID.id, config: DAILY_EMPTY_NEST, at: T0 })).toEqual([
      { kind: 'cadences', id: GRID.id },
      { kind: 'grids', id: GRID.id },
    ]);
  });
});
