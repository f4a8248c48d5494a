/**
 * A grid's visit cadence is the grid's: its leader (or the center) sets it with cadence.set, the
 * grid's workers pull it, other grids' workers never see it, and a worker cannot set it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE_CONFIG, type CadenceConfig } from '../../src/shared/domain/cadence-config.ts';
import type { PushResponse } from '../../src/shared/protocol.ts';
import { createHarness, newClientId, T0, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ households: 60 });
});

const EMPTY_NEST_DAILY: CadenceConfig = {
  byTag: { ...DEFAULT_CADENCE_CONFIG.byTag, 'empty-nest': 'daily' },
  everyoneElse: 'monthly',
};

async function setCadence(username: string, gridId: string, config: CadenceConfig): Promise<PushResponse> {
  return h.push(await h.login(username), newClientId(), [
    { mutationId: 1, name: 'cadence.set', args: { gridId, config, at: T0 } },
  ]);
}

const cadencesPulledBy = async (username: string) =>
  (await h.pullAll(await h.login(username))).filter((change) => change.kind === 'cadences');

describe('cadence.set', () => {
  it("the leader's cadence reaches the workers of that grid, and no other grid's", async () => {
    const answer = await setCadence('wgz01', h.grid('XF-01'), EMPTY_NEST_DAILY);
    expect(answer.results).toEqual([{ mutationId: 1, status: 'applied' }]);

    const pulled = await cadencesPulledBy('wgy01');
    expect(pulled.map((change) => change.data)).toEqual([
      {
        id: h.grid('XF-01'),
        gridId: h.grid('XF-01'),
        ...EMPTY_NEST_DAILY,
        updatedAt: T0,
        isDeleted: false,
      },
    ]);
    expect(await cadencesPulledBy('wgy02')).toEqual([]);
  });

  it('a worker may not set it', async () => {
    const answer = await setCadence('wgy01', h.grid('XF-01'), { byTag: {}, everyoneElse: 'daily' });
    expect(answer.results).toEqual([
      { mutationId: 1, status: 'rejected', reason: 'forbidden', message: '走访频次由网格长或指挥中心设置' },
    ]);
  });

  it("a leader may not set another leader's grid; the center may", async () => {
    const refused = await setCadence('wgz01', h.grid('HK-01'), EMPTY_NEST_DAILY);
    expect(refused.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const applied = await setCadence('zhzx', h.grid('HK-01'), EMPTY_NEST_DAILY);
    expect(applied.results).toEqual([{ mutationId: 1, status: 'applied' }]);
    expect(await h.recordsIn('cadences', h.grid('HK-01'))).toHaveLength(1);
  });
});
