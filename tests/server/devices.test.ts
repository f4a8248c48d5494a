import { beforeEach, describe, expect, it } from 'vitest';
import { deviceStatusSchema } from '../../src/shared/protocol.ts';
import {
  createHarness,
  errorOf,
  householdUpdate,
  newClientId,
  numbered,
  T0,
  type Harness,
} from './harness.ts';

let h: Harness;
let worker: string;

beforeEach(async () => {
  h = await createHarness({ households: 100 });
  worker = await h.login('wgy01');
});

const status = (token: string | undefined, clientId: string) =>
  h.call('GET', `/api/me/devices/${clientId}`, token ? { token } : {});

describe('GET /api/me/devices/:clientId (what the server received from a wiped phone)', () => {
  it('tells the last write it received from one of the caller own devices, and when', async () => {
    const clientId = newClientId();
    const household = (await h.recordsIn('households', h.grid('XF-01')))[0]!;
    await h.push(
      worker,
      clientId,
      numbered([
        householdUpdate(household.id, { phone: '13911112222' }),
        householdUpdate(household.id, { phone: '13911113333' }),
      ]),
    );
    h.clock.now = T0 + 60_000;
    await h.push(worker, clientId, numbered([householdUpdate(household.id, { phone: '13911114444' })], 3));

    // Signed in again on the same phone (a new session): the device is still the user's.
    const again = await h.login('wgy01');
    const response = await status(again, clientId);
    expect(response.status).toBe(200);
    expect(deviceStatusSchema.parse(await response.json())).toEqual({
      clientId,
      lastMutationId: 3,
      lastMutationAt: T0 + 60_000,
      firstSeenAt: T0,
    });
  });

  it('knows a device that only pulled: no write arrived', async () => {
    const clientId = newClientId();
    await h.pullAll(worker, clientId);
    const body = deviceStatusSchema.parse(await (await status(worker, clientId)).json());
    expect(body).toMatchObject({ lastMutationId: 0, lastMutationAt: null });
  });

  it("answers another account's device, or one never seen, as unknown; needs a session; checks the id", async () => {
    const clientId = newClientId();
    await h.pullAll(worker, clientId);
    const other = await h.login('wgy02');
    expect(await errorOf(await status(other, clientId))).toMatchObject({ status: 404, reason: 'not-found' });
    expect(await errorOf(await status(worker, newClientId()))).toMatchObject({
      status: 404,
      reason: 'not-found',
    });
    expect((await status(undefined, clientId)).status).toBe(401);
    expect((await status(worker, 'x')).status).toBe(400);
  });
});
