/**
 * The demo town's grid teams and card tokens (src/shared/domain/demo-teams.ts), with the demo
 * accounts' own names in the grids they work in, so the card of 幸福社区第1网格 names 王丽.
 */
import { generateDemoTeams, type KnownNames } from '../shared/domain/demo-teams.ts';
import type { DemoTown } from '../shared/domain/demo-town.ts';
import type { Grid } from '../shared/schemas/index.ts';
import { seedDemoTasks } from './demo-tasks.ts';
import type { Store } from './store/store.ts';

/** Stores a team for every grid; returns how many records that was. */
export async function seedDemoTeams(store: Store, townId: string, grids: readonly Grid[], now: number) {
  const codes = new Map(grids.map((g) => [g.id, g.code]));
  const known = new Map<string, Partial<Record<'leader' | 'worker' | 'helper', string>>>();
  for (const user of await store.accounts.list(townId)) {
    if (user.role !== 'leader' && user.role !== 'worker' && user.role !== 'helper') continue;
    for (const gridId of user.gridIds) {
      const code = codes.get(gridId);
      if (code === undefined) continue;
      const names = known.get(code) ?? {};
      names[user.role] ??= user.name;
      known.set(code, names);
    }
  }
  const teams = generateDemoTeams(grids, now, known as KnownNames);
  await store.appendRecords(
    townId,
    teams.map((record) => ({ kind: 'gridTeams' as const, record })),
    null,
    now,
  );
  return teams.length;
}

/** The town's open tasks (when asked for) and every grid's team, after the town and its accounts. */
export async function seedDemoTasksAndTeams(
  store: Store,
  townId: string,
  town: DemoTown,
  now: number,
  withTasks: boolean,
): Promise<number> {
  const tasks = withTasks ? await seedDemoTasks(store, townId, town, now) : 0;
  return tasks + (await seedDemoTeams(store, townId, town.grids, now));
}
