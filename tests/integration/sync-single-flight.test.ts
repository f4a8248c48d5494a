/**
 * The first download after sign-in and the engine's own start must not pull twice at once (seen in
 * the two-servers e2e: signIn called syncOnce while App.svelte's effect started a sync round, and two
 * identical GET /api/pull?cursor=0 left in the same millisecond, both writing the register).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AppDB } from '../../src/app/db/app-db.ts';
import { loadPinyin } from '../../src/app/db/pinyin.ts';
import { ApiClient } from '../../src/app/sync/api-client.ts';
import { SyncEngine } from '../../src/app/sync/sync-engine.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { TEST_NOW, TEST_WORKER } from '../support/device-context.ts';

let db: AppDB;
beforeEach(() => {
  db = new AppDB(`single-flight-${newId()}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

it('shares one round between the sign-in download and a sync started meanwhile', async () => {
  const pulls: string[] = [];
  const api = new ApiClient({
    getToken: () => 'token',
    fetch: async (input) => {
      const url = String(input);
      if (url.includes('/api/pull')) pulls.push(url);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const body = { changes: [], cursor: 0, hasMore: false, remaining: 0, lastMutationId: 0, scopeKey: 'k' };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    },
  });
  const engine = new SyncEngine({
    db,
    api,
    actor: () => TEST_WORKER,
    pinyin: loadPinyin,
    now: () => TEST_NOW,
  });
  await Promise.all([engine.syncOnce(TEST_WORKER), engine.sync()]);
  expect(pulls).toHaveLength(1);
  // Once it is over, the next round pulls again.
  await engine.sync();
  expect(pulls).toHaveLength(2);
});
