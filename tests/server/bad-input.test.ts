import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  apiErrorSchema,
  MAX_BODY_BYTES,
  MAX_PUSH_MUTATIONS,
  PROTOCOL_VERSION,
} from '../../src/shared/protocol.ts';
import { createHarness, newClientId, type Harness } from './harness.ts';

let h: Harness;
let token: string;
beforeEach(async () => {
  h = await createHarness({ households: 50 });
  token = await h.login('wgy01');
});

/** Every refusal: a 4xx with the JSON error shape, and the server still answers afterwards. */
async function expectRefusal(response: Response, status: number, reason: string) {
  expect(response.status).toBe(status);
  const text = await response.text();
  expect(text).not.toMatch(/\bat .*\.ts:\d+/);
  expect(apiErrorSchema.parse(JSON.parse(text)).error).toMatchObject({ reason, message: expect.any(String) });
  expect((await h.call('GET', '/api/health')).status).toBe(200);
}

const mutation = (clientId: string, mutationId: number, name = 'household.update') => ({
  clientId,
  mutationId,
  name,
  args: { id: '01900000-0000-7000-8000-000000000001', changes: { notes: 'x' } },
  createdAt: 1,
});

describe('bad input', () => {
  it('answers malformed JSON with 400', async () => {
    for (const rawBody of ['{"protocolVersion": 1,', 'null garbage', ''])
      await expectRefusal(
        await h.call('POST', '/api/push', {
          token,
          rawBody,
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'invalid-request',
      );
    await expectRefusal(await h.call('POST', '/api/login', { rawBody: '{{{' }), 400, 'invalid-request');
  });

  it('answers an oversized body with 413 before parsing it', async () => {
    const rawBody = `{"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`;
    await expectRefusal(await h.call('POST', '/api/push', { token, rawBody }), 413, 'payload-too-large');
    await expectRefusal(await h.call('POST', '/api/login', { rawBody }), 413, 'payload-too-large');
  });

  it('answers another protocol version with a clear reason', async () => {
    const clientId = newClientId();
    await expectRefusal(
      await h.call('POST', '/api/push', {
        token,
        body: { protocolVersion: 0, clientId, mutations: [mutation(clientId, 1)] },
      }),
      400,
      'protocol-version',
    );
    await expectRefusal(
      await h.call('POST', '/api/push', { token, body: { clientId, mutations: [mutation(clientId, 1)] } }),
      400,
      'protocol-version',
    );
    await expectRefusal(
      await h.call('GET', '/api/me', {
        token,
        headers: { 'x-lianxin-protocol': String(PROTOCOL_VERSION + 1) },
      }),
      400,
      'protocol-version',
    );
  });

  it('answers a malformed push envelope with 400 naming the problem', async () => {
    const clientId = newClientId();
    const push = (body: unknown) => h.call('POST', '/api/push', { token, body });
    const envelope = (mutations: unknown[]) => ({ protocolVersion: PROTOCOL_VERSION, clientId, mutations });
    await expectRefusal(
      await push(envelope([mutation(clientId, 1, 'household.explode')])),
      400,
      'invalid-request',
    );
    await expectRefusal(await push(envelope([])), 400, 'invalid-request');
    const tooMany = Array.from({ length: MAX_PUSH_MUTATIONS + 1 }, (_, i) => mutation(clientId, i + 1));
    await expectRefusal(await push(envelope(tooMany)), 400, 'invalid-request');
    await expectRefusal(
      await push(envelope([{ ...mutation(clientId, 1), mutationId: -1 }])),
      400,
      'invalid-request',
    );
    await expectRefusal(
      await push({ ...envelope([mutation(clientId, 1)]), clientId: 'x' }),
      400,
      'invalid-request',
    );
    await expectRefusal(await push([1, 2, 3]), 400, 'invalid-request');
    await expectRefusal(await push('just a string'), 400, 'invalid-request');
    // Nothing was half-applied, and the device id was not even registered.
    expect(await h.store.clients.get(clientId)).toBeUndefined();
  });

  it('answers mutation args of the wrong shape as a rejected mutation, not an error', async () => {
    const clientId = newClientId();
    const response = await h.call('POST', '/api/push', {
      token,
      body: {
        protocolVersion: PROTOCOL_VERSION,
        clientId,
        mutations: [
          { ...mutation(clientId, 1), args: null },
          { ...mutation(clientId, 2), args: { id: 'nope', changes: { gridId: 'x' } } },
          {
            ...mutation(clientId, 3),
            args: { id: '01900000-0000-7000-8000-000000000001', changes: { phone: 12 } },
          },
        ],
      },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      lastMutationId: number;
      results: { status: string; reason: string }[];
    };
    expect(body.lastMutationId).toBe(3);
    expect(body.results.map((r) => [r.status, r.reason])).toEqual([
      ['rejected', 'invalid'],
      ['rejected', 'invalid'],
      ['rejected', 'invalid'],
    ]);
  });

  it('answers unknown paths under /api with a JSON 404', async () => {
    await expectRefusal(await h.call('GET', '/api/nothing-here', { token }), 404, 'not-found');
    await expectRefusal(await h.call('GET', '/api/push', { token }), 404, 'not-found');
  });

  it('answers a server fault with 500 and no stack trace', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    await h.store.close();
    const response = await h.call('GET', '/api/me', { token });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(apiErrorSchema.parse(JSON.parse(text)).error.reason).toBe('server-error');
    expect(text).not.toContain('database');
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });
});
