import { defaultDepartmentRecords } from '../../shared/domain/departments.ts';
import { DEMO_TOWN_DEFAULTS, generateDemoTown } from '../../shared/domain/demo-town.ts';
import { AppDB } from './app-db.ts';
import { storeRegister, toRegisterRows } from './load-register.ts';
import { loadPinyin } from './pinyin.ts';

export interface DemoLoadRequest {
  households: number;
  seed: number;
  dbName: string;
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
    const { households, seed, dbName } = event.data;
    const [town, pinyinOf] = await Promise.all([
      Promise.resolve().then(() => generateDemoTown({ households, seed })),
      loadPinyin(),
    ]);
    // No server loads the town's departments here: the offline demo has the default list.
    const departments = defaultDepartmentRecords(DEMO_TOWN_DEFAULTS.now);
    const rows = toRegisterRows({ ...town, departments }, pinyinOf);
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
