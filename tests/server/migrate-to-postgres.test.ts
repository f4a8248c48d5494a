/**
 * Moving a town from the embedded SQLite to PostgreSQL: the phone that synced against SQLite goes on
 * against PostgreSQL with the same token, from the same cursor, and with its mutation ids.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerApp } from '../../src/server/http/app.ts';
import { copyTown } from '../../src/server/migrate-to-postgres.ts';
import { openStore } from '../../src/server/store/store.ts';
import { PROTOCOL_VERSION, type PullResponse, type PushResponse } from '../../src/shared/protocol.ts';
import { freshPostgresUrl } from '../support/test-store.ts';
import {
  createHarness,
  householdUpdate,
  newClientId,
  newProblem,
  numbered,
  PROTOCOL_HEADERS,
  T0,
  TEST_KDF,
} from './harness.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('migrate-to-postgres', () => {
  it('copies a town so its devices keep syncing without signing in or pulling again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lianxin-move-'));
    dirs.push(dir);
    const sqlite = await openStore({ file: join(dir, 'lianxin.sqlite') });
    const h = await createHarness({ store: sqlite, households: 80, problems: true, secondTown: true });
    const token = await h.login('wgy01');
    const clientId = newClientId();
    const first = await h.pullAll(token, clientId);
    const household = first.find((c) => c.kind === 'households')!;
    const photo = new Uint8Array([0xff, 0xd8, 0xff, ...randomBytes(64)]);
    const sha256 = createHash('sha256').update(photo).digest('hex');
    await h.call('PUT', `/api/blobs/${sha256}`, {
      token,
      rawBody: photo,
      headers: { 'content-type': 'image/jpeg', 'x-lianxin-grid': h.grid('XF-01') },
    });
    const report = {
      mutationId: 0,
      name: 'problem.report' as const,
      args: { problem: newProblem(h.grid('XF-01'), { photoIds: [sha256] }) },
    };
    const pushed = await h.push(
      token,
      clientId,
      numbered([householdUpdate(household.id, { notes: '搬家前' }), report]),
    );
    expect(pushed.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const before = await h.call('GET', `/api/pull?cursor=0&limit=1000&clientId=${clientId}`, {
      token,
      headers: PROTOCOL_HEADERS,
    });
    const { cursor } = (await before.json()) as PullResponse;

    const postgres = await openStore({ url: await freshPostgresUrl(), poolSize: 4 });
    for (const town of await sqlite.towns.list()) await copyTown(sqlite, postgres, town);
    await expect(copyTown(sqlite, postgres, (await sqlite.towns.list())[0]!)).rejects.toThrow(/已经有/);

    const app = createServerApp({ store: postgres, now: () => T0, kdf: TEST_KDF });
    const call = (method: string, path: string, body?: unknown) =>
      Promise.resolve(
        app.request(path, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            ...PROTOCOL_HEADERS,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
    // Same token, same cursor: nothing to pull again.
    expect((await call('GET', '/api/me')).status).toBe(200);
    const next = (await (
      await call('GET', `/api/pull?cursor=${cursor}&limit=1000&clientId=${clientId}`)
    ).json()) as PullResponse;
    expect(next).toMatchObject({ changes: [], hasMore: false, cursor, lastMutationId: 2 });
    // The phone's next mutation id continues; a retried one is a duplicate.
    const push = (mutations: ReturnType<typeof numbered>) =>
      call('POST', '/api/push', {
        protocolVersion: PROTOCOL_VERSION,
        clientId,
        mutations: mutations.map((m) => ({ clientId, createdAt: T0, ...m })),
      });
    const after = (await (
      await push(numbered([householdUpdate(household.id, { notes: '搬家后' })], 2))
    ).json()) as PushResponse;
    expect(after.results.map((r) => r.status)).toEqual(['duplicate']);
    const third = (await (
      await push(numbered([householdUpdate(household.id, { notes: '搬家后' })], 3))
    ).json()) as PushResponse;
    expect(third.results.map((r) => r.status)).toEqual(['applied']);
    const changed = (await (
      await call('GET', `/api/pull?cursor=${cursor}&limit=1000&clientId=${clientId}`)
    ).json()) as PullResponse;
    expect(changed.changes.map((c) => c.id)).toEqual([household.id]);
    expect(changed.changes[0]!.version).toBe(cursor + 1);
    // The photo moved too, and the other town came along apart.
    const image = await call('GET', `/api/blobs/${sha256}`);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(photo);
    expect((await postgres.towns.list()).map((t) => t.code).sort()).toEqual(['HX', 'QS']);
    expect(await postgres.records.count()).toBe(await sqlite.records.count());
    await postgres.close();
    await sqlite.close();
  });
});
