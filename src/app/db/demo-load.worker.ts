import { defaultDepartmentRecords } from '../../shared/domain/departments.ts';
import { DEMO_TOWN_DEFAULTS, generateDemoTown } from '../../shared/domain/demo-town.ts';
import { generateOfflineDemoTasks } from '../../shared/domain/demo-tasks.ts';
import { generateDemoTeams } from '../../shared/domain/demo-teams.ts';
import { generateDemoVisits } from '../../shared/domain/demo-visits.ts';
import { AppDB } from './app-db.ts';
import { storeRegister, toRegisterRows } from './load-register.ts';
import { loadPinyin } from './pinyin.ts';

export interface DemoLoadRequest {
  households: number;
  /** Comprehensive grids to share the households; the demo town's 71 when absent. */
  grids?: number;
  seed: number;
  dbName: string;
  /** The page's clock: the visit history ends the day before this instant's day. */
  now: number;
}

export type DemoLoadMessage =
  | { type: 'generated'; total: number }
  | { type: 'progress'; stored: number; total: number }
  | { type: 'done'; households: number; people: number }
  | { type: 'error'; message: string };

/**
 * Generating and storing 85,000 people takes seconds: done here, off the main thread, so the
 * progress bar stays smooth on a cheap phone. Dexie in the page sees the writes through its
 * cross-context change events.
 */
self.onmessage = async (event: MessageEvent<DemoLoadRequest>) => {
  const post = (message: DemoLoadMessage) => self.postMessage(message);
  try {
    const { households, grids, seed, dbName, now } = event.data;
    const options = { households, seed, ...(grids === undefined ? {} : { comprehensiveGrids: grids }) };
    const [town, pinyinOf] = await Promise.all([
      Promise.resolve().then(() => generateDemoTown(options)),
      loadPinyin(),
    ]);
    // No server loads the town's departments here: the offline demo has the default list.
    const departments = defaultDepartmentRecords(DEMO_TOWN_DEFAULTS.now);
    // The worker's past, as a server's demo has it: Today opens on a day's work.
    const { visits } = generateDemoVisits({ households: town.households, people: town.people, now });
    // And the town's open tasks (上级任务), as the server's demo issues them.
    const tasks = generateOfflineDemoTasks(town, now);
    // And every grid's team and card (网格连心卡), as the server's demo sets them.
    const gridTeams = generateDemoTeams(town.grids, now);
    const rows = toRegisterRows({ ...town, departments, visits, ...tasks, gridTeams }, pinyinOf);
    post({ type: 'generated', total: town.people.length });
    const db = new AppDB(dbName);
    await storeRegister(db, rows, { source: 'demo', loadedAt: Date.now(), seed }, (stored, total) =>
      post({ type: 'progress', stored, total }),
    );
    db.close();
    post({ type: 'done', households: rows.households.length, people: rows.people.length });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
