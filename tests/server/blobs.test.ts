import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_BLOB_BYTES } from '../../src/shared/protocol.ts';
import { createHarness, errorOf, newClientId, newProblem, numbered, type Harness } from './harness.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff, 0xe0];

function image(signature: number[], size = 2048): { bytes: Uint8Array<ArrayBuffer>; sha256: string } {
  const bytes = new Uint8Array(size);
  bytes.set(randomBytes(size));
  bytes.set(signature);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ households: 100 });
});

function upload(
  token: string | undefined,
  photo: { bytes: Uint8Array<ArrayBuffer>; sha256: string },
  headers: Record<string, string> = {},
) {
  return h.call('PUT', `/api/blobs/${photo.sha256}`, {
    ...(token ? { token } : {}),
    rawBody: photo.bytes,
    headers: { 'content-type': 'image/png', ...headers },
  });
}

describe('photos', () => {
  it('stores a photo once under its sha-256 and serves the same bytes back', async () => {
    const worker = await h.login('wgy01');
    const photo = image(PNG_SIGNATURE);
    expect((await upload(worker, photo, { 'x-lianxin-grid': h.grid('XF-01') })).status).toBe(201);
    // A retry (or the same photo from another device) changes nothing.
    const again = await upload(worker, photo);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ sha256: photo.sha256, size: photo.bytes.length, type: 'image/png' });
    const response = await h.call('GET', `/api/blobs/${photo.sha256}`, { token: worker });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(photo.bytes);
  });

  it('refuses bytes that do not match the hash, the wrong type, and anything too big', async () => {
    const worker = await h.login('wgy01');
    const photo = image(PNG_SIGNATURE);
    const other = image(PNG_SIGNATURE);
    const mismatch = await h.call('PUT', `/api/blobs/${photo.sha256}`, {
      token: worker,
      rawBody: other.bytes,
      headers: { 'content-type': 'image/png' },
    });
    expect(await errorOf(mismatch)).toMatchObject({ status: 400, reason: 'invalid-request' });
    expect(await errorOf(await upload(worker, photo, { 'content-type': 'text/html' }))).toMatchObject({
      status: 415,
      reason: 'unsupported-type',
    });
    // Declared as a JPEG but the bytes are a PNG.
    expect(await errorOf(await upload(worker, photo, { 'content-type': 'image/jpeg' }))).toMatchObject({
      status: 415,
    });
    const huge = image(JPEG_SIGNATURE, MAX_BLOB_BYTES + 1);
    expect(await errorOf(await upload(worker, huge, { 'content-type': 'image/jpeg' }))).toMatchObject({
      status: 413,
      reason: 'payload-too-large',
    });
    expect(await errorOf(await h.call('PUT', '/api/blobs/not-a-hash', { token: worker }))).toMatchObject({
      status: 400,
    });
    expect(await h.store.blobs.get(photo.sha256)).toBeUndefined();
  });

  it('refuses anonymous uploads and downloads', async () => {
    const worker = await h.login('wgy01');
    const photo = image(PNG_SIGNATURE);
    expect((await upload(undefined, photo)).status).toBe(401);
    await upload(worker, photo);
    expect((await h.call('GET', `/api/blobs/${photo.sha256}`)).status).toBe(401);
  });

  it('serves a photo to whoever covers its grid or may read a record that names it, and to nobody else', async () => {
    const worker = await h.login('wgy01');
    const photo = image(JPEG_SIGNATURE);
    expect(
      (await upload(worker, photo, { 'content-type': 'image/jpeg', 'x-lianxin-grid': h.grid('XF-01') }))
        .status,
    ).toBe(201);
    const problem = newProblem(h.grid('XF-01'), { photoIds: [photo.sha256] });
    await h.push(
      worker,
      newClientId(),
      numbered([{ mutationId: 0, name: 'problem.report', args: { problem } }]),
    );
    const status = async (username: string) =>
      (await h.call('GET', `/api/blobs/${photo.sha256}`, { token: await h.login(username) })).status;
    expect(await status('zxh01')).toBe(200);
    expect(await status('wgz01')).toBe(200);
    expect(await status('zhzx')).toBe(200);
    expect(await status('wgy02')).toBe(404);
    expect(await status('pcs')).toBe(404);
    // Once the problem is dispatched to the police, they may see its photo.
    const leader = await h.login('wgz01');
    await h.push(leader, newClientId(), [
      {
        mutationId: 1,
        name: 'problem.act',
        args: {
          id: problem.id,
          action: 'dispatch',
          payload: { assignee: { kind: 'department', id: 'dept-police', name: '派出所' } },
          at: h.clock.now,
        },
      },
    ]);
    expect(await status('pcs')).toBe(200);
    expect(await status('scjg')).toBe(404);
  });

  it('ignores a grid header for a grid the uploader does not cover', async () => {
    const outsider = await h.login('wgy02');
    const photo = image(PNG_SIGNATURE);
    expect((await upload(outsider, photo, { 'x-lianxin-grid': h.grid('XF-01') })).status).toBe(201);
    expect((await h.store.blobs.get(photo.sha256))!.gridId).toBeNull();
    expect(
      (await h.call('GET', `/api/blobs/${photo.sha256}`, { token: await h.login('wgy01') })).status,
    ).toBe(404);
    expect((await h.call('GET', `/api/blobs/${photo.sha256}`, { token: outsider })).status).toBe(200);
  });

  it("a photo's hash is not a key: naming another grid's photo in a write grants nothing", async () => {
    const owner = await h.login('wgy01');
    const photo = image(JPEG_SIGNATURE);
    await upload(owner, photo, { 'content-type': 'image/jpeg', 'x-lianxin-grid': h.grid('XF-01') });
    await h.push(owner, newClientId(), [
      {
        mutationId: 1,
        name: 'problem.report',
        args: { problem: newProblem(h.grid('XF-01'), { photoIds: [photo.sha256] }) },
      },
    ]);
    // A worker of XF-02 who learnt the hash reports a problem in their own grid naming it.
    const prober = await h.login('wgy02');
    const probe = newProblem(h.grid('XF-02'), { photoIds: [photo.sha256] });
    const answer = await h.push(prober, newClientId(), [
      { mutationId: 1, name: 'problem.report', args: { problem: probe } },
    ]);
    expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(await h.store.records.get(h.townId, 'problems', probe.id)).toBeUndefined();
    expect((await h.call('GET', `/api/blobs/${photo.sha256}`, { token: prober })).status).toBe(404);
    // A hash never uploaded is refused too: a write names only photos that are on the server.
    const unknown = newProblem(h.grid('XF-02'), { photoIds: ['0'.repeat(64)] });
    const second = await h.push(prober, newClientId(), [
      { mutationId: 1, name: 'problem.report', args: { problem: unknown } },
    ]);
    expect(second.results[0]).toMatchObject({ status: 'rejected' });
    // Their own photo, and a photo already on a record they may read, are fine.
    const own = image(JPEG_SIGNATURE);
    await upload(prober, own, { 'content-type': 'image/jpeg' });
    const leader = await h.login('wgz01');
    const mixed = newProblem(h.grid('XF-02'), { photoIds: [photo.sha256] });
    const byLeader = await h.push(leader, newClientId(), [
      { mutationId: 1, name: 'problem.report', args: { problem: mixed } },
    ]);
    expect(byLeader.results[0]).toMatchObject({ status: 'applied' });
    const mine = newProblem(h.grid('XF-02'), { photoIds: [own.sha256] });
    const byProber = await h.push(prober, newClientId(), [
      { mutationId: 1, name: 'problem.report', args: { problem: mine } },
    ]);
    expect(byProber.results[0]).toMatchObject({ status: 'applied' });
  });
});
