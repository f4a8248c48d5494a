/**
 * The resident's public side: a card's token opens the page, a report becomes a problem in the
 * token's grid through the shared planner, the tracking code follows it, and nothing of anyone
 * else's leaks out. Limits and bad input are 4xx, never 5xx.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createServerApp } from '../../src/server/http/app.ts';
import { stripPhotoMetadata } from '../../src/server/resident/photo-strip.ts';
import type { Problem } from '../../src/shared/schemas/problem.ts';
import { seedGridTeam, newResidentToken } from '../support/resident-town.ts';
import { createHarness, newClientId, newProblem, T0, TEST_KDF, type Harness } from './harness.ts';

const PHOTO = new Uint8Array(readFileSync(new URL('../fixtures/photos/stairwell.jpg', import.meta.url)));
/** The fixture as the server keeps it: its own APP2 (an ICC profile) goes too, the picture stays. */
const PHOTO_CLEAN = (() => {
  const clean = stripPhotoMetadata(PHOTO);
  if (!clean.ok) throw new Error(clean.message);
  return clean.bytes;
})();
const MARKERS = ['MARKER-OTHER-GRID', 'MARKER-OTHER-TOWN', 'MARKER-INTERNAL-NOTE', 'MARKER-TEAM-XF02'];

/** An APP1 segment with a real little EXIF: IFD0 pointing at a GPS IFD with latitude N 31°. */
function exifGpsSegment(): Uint8Array {
  const tiff = Buffer.alloc(64);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8); // IFD0: one entry
  tiff.writeUInt16BE(0x8825, 10); // GPSInfo
  tiff.writeUInt16BE(4, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt32BE(26, 18);
  tiff.writeUInt32BE(0, 22);
  tiff.writeUInt16BE(1, 26); // GPS IFD: one entry
  tiff.writeUInt16BE(1, 28); // GPSLatitudeRef
  tiff.writeUInt16BE(2, 30);
  tiff.writeUInt32BE(2, 32);
  tiff.write('N\0', 36, 'latin1');
  tiff.writeUInt32BE(0, 40);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return new Uint8Array(Buffer.concat([head, body]));
}
const segment = (marker: number, text: string) => {
  const body = Buffer.from(text, 'latin1');
  return new Uint8Array(
    Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255]), body]),
  );
};
/** The fixture with EXIF GPS, an XMP-like APP13 and a comment slipped in after SOI. */
const PHOTO_WITH_GPS = new Uint8Array(
  Buffer.concat([
    PHOTO.subarray(0, 2),
    exifGpsSegment(),
    segment(0xed, 'Photoshop 3.0 secret'),
    segment(0xfe, 'secret comment'),
    PHOTO.subarray(2),
  ]),
);

let h: Harness;
let app: ReturnType<typeof createServerApp>;
let token: string;
let retired: string;
let leader: string;
let worker: string;
let workerId: string;

async function call(method: string, path: string, body?: unknown, from = '203.0.113.7') {
  const headers: Record<string, string> = { 'x-forwarded-for': from };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return app.request(path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const report = (over: Record<string, unknown> = {}) => ({
  token,
  category: 'environment',
  description: '3栋楼下垃圾三天没人清理',
  place: '3栋楼下',
  ...over,
});

async function fileReport(over: Record<string, unknown> = {}, from?: string) {
  const response = await call('POST', '/api/public/reports', report(over), from);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { code: string; groups: string; trackingPath: string };
}

async function problemsOf(gridCode: string): Promise<Problem[]> {
  return h.recordsIn('problems', h.grid(gridCode));
}

beforeEach(async () => {
  h = await createHarness({ households: 20, secondTown: true });
  app = createServerApp({ store: h.store, now: () => h.clock.now, kdf: TEST_KDF, trustProxy: true });
  retired = newResidentToken();
  ({ residentToken: token } = await seedGridTeam(h.store, h.townId, h.grid('XF-01'), {
    retiredTokens: [retired],
  }));
  await seedGridTeam(h.store, h.townId, h.grid('XF-02'), {
    members: [{ name: 'MARKER-TEAM-XF02', role: 'worker' }],
  });
  leader = await h.login('wgz01');
  worker = await h.login('wgy01');
  workerId = (await h.store.accounts.byUsername('wgy01'))!.id;
  // Planted: a problem of another grid, and one of another town.
  await h.push(leader, newClientId(), [
    {
      mutationId: 1,
      name: 'problem.report',
      args: { problem: newProblem(h.grid('XF-02'), { description: 'MARKER-OTHER-GRID' }) },
    },
  ]);
  const other = await h.store.towns.byCode('QS');
  const otherGrid = (await h.store.records.live(other!.id, 'grids'))[0]!;
  const qs = await h.login('qs_wgy01');
  await h.push(qs, newClientId(), [
    {
      mutationId: 1,
      name: 'problem.report',
      args: { problem: newProblem(otherGrid.id, { description: 'MARKER-OTHER-TOWN' }) },
    },
  ]);
});

describe('the card page', () => {
  it('opens for a live token, says a replaced card was replaced, and an unknown code is invalid', async () => {
    expect((await call('GET', `/r/${token}`)).status).toBe(200);
    const old = await call('GET', `/r/${retired}`);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('这张连心卡已更换，请扫描新卡上的二维码');
    const unknown = await call('GET', `/r/${newResidentToken()}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('二维码无效');
    const team = await call('GET', `/api/public/grid/${token}`);
    expect(await team.json()).toMatchObject({ members: [{ name: '刘建华', role: '网格长' }] });
  });
});

describe('card tokens', () => {
  it('rotating the card (gridTeam.rotateToken) retires the old token and opens the new one', async () => {
    const fresh = newResidentToken();
    const pushed = await h.push(leader, newClientId(), [
      {
        mutationId: 1,
        name: 'gridTeam.rotateToken',
        args: { gridId: h.grid('XF-01'), token: fresh, at: T0 },
      },
    ]);
    expect(pushed.results[0]!.status).toBe('applied');
    expect((await call('GET', `/r/${token}`)).status).toBe(410);
    expect((await call('GET', `/r/${fresh}`)).status).toBe(200);
    const old = await call('POST', '/api/public/reports', report());
    expect(old.status).toBe(410);
    expect(((await old.json()) as { error: { message: string } }).error.message).toBe(
      '这张连心卡已更换，请扫描新卡上的二维码',
    );
  });

  it('a token another town copies into its team stays with the grid that printed it', async () => {
    const other = await h.store.towns.byCode('QS');
    const otherGrid = (await h.store.records.live(other!.id, 'grids'))[0]!;
    await seedGridTeam(h.store, other!.id, otherGrid.id, {
      residentToken: token,
      members: [{ name: 'MARKER-OTHER-TOWN', role: 'leader' }],
    });
    const team = await (await call('GET', `/api/public/grid/${token}`)).text();
    expect(team).toContain('刘建华');
    expect(team).not.toContain('MARKER-OTHER-TOWN');
    await fileReport();
    expect(await problemsOf('XF-01')).toHaveLength(1);
  });
});

describe('a report through the loop', () => {
  it('lands in the leader inbox, goes round the state machine, and the resident rates it', async () => {
    const photo = Buffer.from(PHOTO_WITH_GPS).toString('base64');
    const answer = await fileReport({
      photo,
      phone: '13812345678',
      location: { lat: 31.2, lng: 121.5, accuracy: 20 },
    });
    expect(answer.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{32}$/);
    expect(answer.groups.split(' ')).toHaveLength(8);
    expect(answer.trackingPath).toBe(`/r/t/${answer.code}`);

    const changes = await h.pullAll(leader);
    const problem = changes.find((c) => c.kind === 'problems' && (c.data as Problem).source === 'resident')!
      .data as Problem;
    expect(problem).toMatchObject({
      gridId: h.grid('XF-01'),
      status: 'reported',
      reporter: { role: 'resident' },
      // The whole number stays on the server (see "the resident's phone" below).
      reporterPhoneMasked: '138****5678',
      path: 'leader',
    });
    // Only the hash of the code is kept.
    const stored = await h.store.sql.all<{ code_hash: string }>('SELECT code_hash FROM resident_reports');
    expect(stored.map((r) => r.code_hash)).toEqual([createHash('sha256').update(answer.code).digest('hex')]);
    expect(JSON.stringify(await h.store.sql.all('SELECT * FROM resident_reports'))).not.toContain(
      answer.code,
    );

    // The photo as staff fetch it: no EXIF, no GPS, no comment; the picture itself untouched.
    const blob = await h.call('GET', `/api/blobs/${problem.photoIds[0]}`, { token: leader });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    expect(Buffer.from(bytes).includes('Exif')).toBe(false);
    expect(Buffer.from(bytes).includes('secret')).toBe(false);
    expect(Buffer.from(bytes).equals(Buffer.from(PHOTO_CLEAN))).toBe(true);

    const track = async () =>
      (await (
        await call('GET', `/api/public/track/${answer.groups.replace(/ /g, '-').toLowerCase()}`)
      ).json()) as Record<string, unknown>;
    expect(await track()).toMatchObject({
      status: 'reported',
      statusText: '已收到，等待网格长处理',
      canRate: false,
    });

    const act = (id: number, action: string, payload: Record<string, unknown>) => ({
      mutationId: id,
      name: 'problem.act' as const,
      args: { id: problem.id, action, payload, at: T0 + id },
    });
    const assignee = { kind: 'worker', id: workerId, name: '王丽' };
    expect((await h.push(leader, newClientId(), [act(1, 'dispatch', { assignee })])).results[0]!.status).toBe(
      'applied',
    );
    const proof = randomBytes(64);
    proof.set([0xff, 0xd8, 0xff], 0);
    const sha = createHash('sha256').update(proof).digest('hex');
    await h.call('PUT', `/api/blobs/${sha}`, {
      token: worker,
      rawBody: proof,
      headers: { 'content-type': 'image/jpeg' },
    });
    const workerClient = newClientId();
    const done = await h.push(worker, workerClient, [
      act(1, 'accept', {}),
      act(2, 'resolve', {
        note: 'MARKER-INTERNAL-NOTE',
        photoIds: [sha],
        publicReply: '垃圾已清运，谢谢您的反映',
      }),
    ]);
    expect(done.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await track()).toMatchObject({
      status: 'resolved',
      reply: { text: '垃圾已清运，谢谢您的反映' },
      canRate: true,
    });

    const rated = await call('POST', `/api/public/track/${answer.code}/rate`, { solved: true, score: 5 });
    expect(rated.status, await rated.clone().text()).toBe(200);
    expect(await rated.json()).toMatchObject({
      status: 'evaluated',
      canRate: false,
      rating: { isSatisfied: true, score: 5 },
    });
    expect(
      (await call('POST', `/api/public/track/${answer.code}/rate`, { solved: true, score: 5 })).status,
    ).toBe(409);

    const after = (await h.pullAll(leader)).find((c) => c.id === problem.id)!.data as Problem;
    expect(after.history.slice(-2).map((e) => [e.action, e.actor.role, e.score ?? e.isSatisfied])).toEqual([
      ['feedback', 'resident', true],
      ['evaluate', 'resident', 5],
    ]);
  });

  it('every public answer holds only the resident’s own public fields', async () => {
    const answer = await fileReport();
    const problem = (await problemsOf('XF-01'))[0]!;
    await h.push(leader, newClientId(), [
      {
        mutationId: 1,
        name: 'problem.act',
        args: { id: problem.id, action: 'progress', payload: { note: 'MARKER-INTERNAL-NOTE' }, at: T0 },
      },
      {
        mutationId: 2,
        name: 'problem.act',
        args: {
          id: problem.id,
          action: 'dispatch',
          payload: { assignee: { kind: 'worker', id: workerId, name: '王丽' } },
          at: T0,
        },
      },
    ]);
    const bodies = await Promise.all(
      [
        call('GET', `/api/public/track/${answer.code}`),
        call('GET', `/api/public/grid/${token}`),
        call('GET', `/r/${token}`),
        call('GET', `/r/t/${answer.code}`),
        call('POST', '/api/public/reports', report()),
        call('POST', `/api/public/track/${answer.code}/rate`, { solved: false, score: 1 }),
      ].map(async (r) => (await r).text()),
    );
    for (const text of bodies) {
      for (const marker of MARKERS) expect(text).not.toContain(marker);
      for (const secret of [problem.id, h.grid('XF-01'), h.townId, workerId, '王丽', '13812345678'])
        expect(text).not.toContain(secret);
    }
  });
});

describe("the resident's phone", () => {
  it('is shown in full only through the audited endpoint, to who may read the report', async () => {
    await fileReport({ phone: '13812345678' });
    const problem = (await problemsOf('XF-01'))[0]!;
    const path = `/api/problems/${problem.id}/reporter-phone`;
    const shown = await h.call('POST', path, { token: leader });
    expect(await shown.json()).toEqual({ phone: '13812345678' });
    const audit = await h.store.journal.auditLog(h.townId, 10, 'read-resident-phone');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ problemId: problem.id });
    expect((await h.call('POST', path, { token: await h.login('wgy02') })).status).toBe(404);
    expect((await h.call('POST', path)).status).toBe(401);
  });

  it('reaches devices masked only: a pull carries 138****5678, never the number', async () => {
    await fileReport({ phone: '13812345678' });
    const problem = (await problemsOf('XF-01'))[0]!;
    for (const token of [leader, worker]) {
      const changes = await h.pullAll(token);
      const pulled = changes.find((c) => c.id === problem.id)!.data as Problem;
      expect(pulled.reporterPhone).toBeUndefined();
      expect(pulled.reporterPhoneMasked).toBe('138****5678');
      expect(JSON.stringify(changes)).not.toContain('13812345678');
    }
  });
});

describe('guessing and flooding', () => {
  it('random tokens and codes are 404 until the address is stopped with a 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await call('GET', `/r/${newResidentToken()}`, undefined, '198.51.100.9')).status);
    for (let i = 0; i < 12; i++)
      statuses.push(
        (
          await call(
            'GET',
            `/api/public/track/${randomBytes(20).toString('hex').slice(0, 32).toUpperCase()}`,
            undefined,
            '198.51.100.9',
          )
        ).status,
      );
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const stopped = await call('GET', `/api/public/grid/${token}`, undefined, '198.51.100.9');
    expect(stopped.status).toBe(429);
    expect(((await stopped.json()) as { error: { message: string } }).error.message).toContain(
      '请 10 分钟后再试',
    );
    // Another address is not held up, and the window ends.
    expect((await call('GET', `/api/public/grid/${token}`, undefined, '198.51.100.10')).status).toBe(200);
    h.clock.now += 11 * 60_000;
    expect((await call('GET', `/api/public/grid/${token}`, undefined, '198.51.100.9')).status).toBe(200);
  });

  it('5 reports per address in 10 minutes, 30 per card in an hour', async () => {
    for (let i = 0; i < 5; i++) await fileReport({}, '192.0.2.1');
    const sixth = await call('POST', '/api/public/reports', report(), '192.0.2.1');
    expect(sixth.status).toBe(429);
    expect(((await sixth.json()) as { error: { message: string } }).error.message).toContain('提交太频繁');
    for (let i = 5; i < 30; i++) await fileReport({}, `192.0.2.${10 + i}`);
    const overCard = await call('POST', '/api/public/reports', report(), '192.0.2.200');
    expect(overCard.status).toBe(429);
    expect(await problemsOf('XF-01')).toHaveLength(30);
  });

  it('a filled honeypot looks accepted and stores nothing', async () => {
    const answer = await fileReport({ website: 'http://spam.example' });
    expect(answer.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{32}$/);
    expect(await problemsOf('XF-01')).toHaveLength(0);
    expect((await call('GET', `/api/public/track/${answer.code}`)).status).toBe(404);
  });

  it('the abuse mark closes a report; its tracking page says so', async () => {
    const answer = await fileReport();
    const problem = (await problemsOf('XF-01'))[0]!;
    const marked = await h.push(leader, newClientId(), [
      {
        mutationId: 1,
        name: 'problem.act',
        args: { id: problem.id, action: 'mark-abuse', payload: { note: '广告' }, at: T0 },
      },
    ]);
    expect(marked.results[0]!.status).toBe('applied');
    expect(await (await call('GET', `/api/public/track/${answer.code}`)).json()).toMatchObject({
      statusText: '该反映已关闭',
      canRate: false,
    });
  });
});

describe('bad input', () => {
  it('rejects what is not a JPEG or PNG, and photos over 1 MB', async () => {
    const gif = Buffer.from('GIF89a....').toString('base64');
    const notImage = await call('POST', '/api/public/reports', report({ photo: gif }));
    expect(notImage.status).toBe(415);
    const big = Buffer.concat([Buffer.from(PHOTO.subarray(0, 2)), Buffer.alloc(1024 * 1024)]).toString(
      'base64',
    );
    expect([400, 413]).toContain((await call('POST', '/api/public/reports', report({ photo: big }))).status);
  });

  it('strips every APPn and comment segment, keeps the picture', () => {
    const clean = stripPhotoMetadata(PHOTO_WITH_GPS);
    expect(clean.ok && Buffer.from(clean.bytes).equals(Buffer.from(PHOTO_CLEAN))).toBe(true);
    // Only the 474-byte APP2 left the fixture; from the first table to the end it is byte for byte.
    expect(PHOTO_CLEAN.length).toBe(PHOTO.length - 474);
    expect(Buffer.from(PHOTO_CLEAN.subarray(20)).equals(Buffer.from(PHOTO.subarray(20 + 474)))).toBe(true);
    expect(stripPhotoMetadata(PHOTO_WITH_GPS.subarray(0, 40)).ok).toBe(false);
  });

  it('1,000 fuzzed public bodies: 0 answers of 5xx', async () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const values: unknown[] = [
      null,
      true,
      0,
      -1,
      1e308,
      '',
      ' ',
      'x'.repeat(600),
      '😀',
      [],
      {},
      [1, 2],
      { lat: 'a' },
      token,
      retired,
      'AAAA',
      '/9j/' + 'A'.repeat(50),
    ];
    const fields = [
      'token',
      'category',
      'description',
      'place',
      'photo',
      'location',
      'phone',
      'website',
      'solved',
      'score',
      'comment',
      '__proto__',
    ];
    const paths = [
      '/api/public/reports',
      '/api/public/track/XXXX/rate',
      `/api/public/track/${'A'.repeat(32)}/rate`,
    ];
    const fiveXX: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const body: Record<string, unknown> = rand() < 0.5 ? report() : {};
      for (let f = 0; f < 1 + Math.floor(rand() * 4); f++) body[pick(fields)] = pick(values);
      const raw = rand() < 0.1 ? pick(['', '{', 'null', '[]', '"x"', '{"a":']) : JSON.stringify(body);
      const response = await call('POST', pick(paths), raw, `10.0.${i % 250}.${Math.floor(i / 250)}`);
      if (response.status >= 500) fiveXX.push(`${response.status} ${raw.slice(0, 80)}`);
    }
    expect(fiveXX).toEqual([]);
  });
});
