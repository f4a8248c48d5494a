/**
 * The demo town's open tasks (上级任务), issued by its demo center and leader over the town as it was
 * just generated (src/shared/domain/demo-tasks.ts), so the demo's Today has 上级任务 to show.
 */
import type { PlanActor } from '../shared/domain/apply-mutation.ts';
import { generateDemoTasks } from '../shared/domain/demo-tasks.ts';
import type { DemoTown } from '../shared/domain/demo-town.ts';
import type { Store, StoredUser } from './store/store.ts';

const actorOf = (user: StoredUser): PlanActor => ({ role: user.role, userId: user.id, name: user.name });

/** Stores the tasks and their items; returns how many records that was (0 without a center and leader). */
export async function seedDemoTasks(
  store: Store,
  townId: string,
  town: DemoTown,
  now: number,
): Promise<number> {
  const users = await store.accounts.list(townId);
  const center = users.find((u) => u.role === 'center');
  const leader = users.find((u) => u.role === 'leader');
  if (!center || !leader) return 0;
  const grids = new Map(town.grids.map((g) => [g.id, g]));
  const firstGrid = town.grids.find((g) => g.code === 'XF-01');
  const worker = users.find((u) => u.role === 'worker' && firstGrid && u.gridIds.includes(firstGrid.id));
  const { tasks, taskItems } = generateDemoTasks({
    town,
    now,
    center: actorOf(center),
    leader: actorOf(leader),
    leaderGridIds: leader.gridIds.filter((id) => grids.has(id)),
    inspector: worker ? actorOf(worker) : { role: 'worker', userId: 'demo-XF-01', name: '网格员（XF-01）' },
  });
  await store.appendRecords(
    townId,
    [
      ...tasks.map((record) => ({ kind: 'tasks' as const, record })),
      ...taskItems.map((record) => ({ kind: 'taskItems' as const, record })),
    ],
    null,
    now,
  );
  return tasks.length + taskItems.length;
}
