import { DB_NAME } from '../db/app-db.ts';
import type { DemoLoadMessage, DemoLoadRequest } from '../db/demo-load.worker.ts';

export const DEMO_SEED = 20260101;
export const FULL_DEMO_HOUSEHOLDS = 23000;
export const SMALL_DEMO_HOUSEHOLDS = 2000;

/**
 * Loads the demo town (of `grids` comprehensive grids, or the default 71) in a worker; resolves when it
 * is stored, reporting progress on the way.
 */
export function loadDemoTown(
  { households, grids }: { households: number; grids?: number | undefined },
  onMessage: (message: DemoLoadMessage) => void,
): Promise<{ households: number; people: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../db/demo-load.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<DemoLoadMessage>) => {
      const message = event.data;
      onMessage(message);
      if (message.type === 'done') {
        worker.terminate();
        resolve({ households: message.households, people: message.people });
      } else if (message.type === 'error') {
        worker.terminate();
        reject(new Error(message.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || 'worker failed'));
    };
    // The clock is read here, at the edge: the worker's visit history ends yesterday by it.
    const request: DemoLoadRequest = {
      households,
      ...(grids === undefined ? {} : { grids }),
      seed: DEMO_SEED,
      dbName: DB_NAME,
      now: Date.now(),
    };
    worker.postMessage(request);
  });
}
