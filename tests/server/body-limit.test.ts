/**
 * An oversized body over a real socket: the 413 reaches the client, and a keep-alive client's next
 * request gets a proper answer instead of a socket error (the server either says Connection: close,
 * so the client opens a new socket, or keeps a connection it can still use).
 */
import { serve, type ServerType } from '@hono/node-server';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BLOB_BYTES, MAX_BODY_BYTES } from '../../src/shared/protocol.ts';
import { createHarness, PASSWORD, type Harness } from './harness.ts';

let h: Harness;
let token: string;
let server: ServerType;
let port: number;

beforeAll(async () => {
  h = await createHarness({ households: 20 });
  token = await h.login('wgy01');
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

/** One request through the agent; `chunked` streams the body without a Content-Length. */
function send(
  agent: Agent,
  method: string,
  path: string,
  options: { body?: Buffer; chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
    if (options.body && !options.chunked) headers['content-length'] = String(options.body.length);
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          socket: req.socket!,
        }),
      );
      res.on('error', reject);
    });
    // A reset before the answer arrived fails the request (after it, the promise is settled).
    req.on('error', reject);
    if (!options.body) {
      req.end();
      return;
    }
    // Written in pieces, as a phone on a slow link would: the server may answer before the end.
    const body = options.body;
    const piece = 256 * 1024;
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + piece);
        offset += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', writeMore);
          return;
        }
      }
      req.end();
    };
    writeMore();
  });
}

function oversizedPush(): Buffer {
  return Buffer.from(`{"pad":"${'x'.repeat(MAX_BODY_BYTES + 1024)}"}`);
}

async function expectNextRequestAnswered(agent: Agent, first: Answer) {
  expect(first.status).toBe(413);
  expect(JSON.parse(first.body)).toMatchObject({ error: { reason: 'payload-too-large' } });
  const keptAlive = first.headers.connection?.toLowerCase() !== 'close';
  // The same agent, so the same socket if the server offered to keep it.
  const second = await send(agent, 'GET', '/api/health');
  expect(second.status).toBe(200);
  expect(JSON.parse(second.body)).toMatchObject({ ok: true });
  if (!keptAlive) expect(second.socket).not.toBe(first.socket);
  const third = await send(agent, 'GET', '/api/me');
  expect(third.status).toBe(200);
}

describe('a body over the limit on a keep-alive connection', () => {
  for (const chunked of [false, true])
    it(`answers 413 and the next request on the agent still gets an answer (${chunked ? 'chunked' : 'Content-Length'})`, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const warmUp = await send(agent, 'GET', '/api/health');
        expect(warmUp.status).toBe(200);
        const first = await send(agent, 'POST', '/api/push', {
          body: oversizedPush(),
          chunked,
          headers: { 'content-type': 'application/json' },
        });
        await expectNextRequestAnswered(agent, first);
        expect(first.headers.connection?.toLowerCase()).toBe('close');
      } finally {
        agent.destroy();
      }
    });

  it('does the same for a photo over its limit', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const bytes = Buffer.alloc(MAX_BLOB_BYTES + 1024, 0xab);
      const first = await send(agent, 'PUT', `/api/blobs/${'a'.repeat(64)}`, {
        body: bytes,
        headers: { 'content-type': 'image/jpeg' },
      });
      await expectNextRequestAnswered(agent, first);
      expect(first.headers.connection?.toLowerCase()).toBe('close');
    } finally {
      agent.destroy();
    }
  });

  it('keeps the connection for an answer within the limit', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(agent, 'POST', '/api/login', {
        body: Buffer.from('{{{'),
        headers: { 'content-type': 'application/json' },
      });
      expect(first.status).toBe(400);
      expect(first.headers.connection?.toLowerCase()).not.toBe('close');
      const second = await send(agent, 'GET', '/api/health');
      expect(second.status).toBe(200);
      expect(second.socket).toBe(first.socket);
      // A streamed body within the limit is counted, kept and handed on whole.
      const login = await send(agent, 'POST', '/api/login', {
        body: Buffer.from(JSON.stringify({ username: 'wgy01', password: PASSWORD })),
        chunked: true,
        headers: { 'content-type': 'application/json' },
      });
      expect(login.status).toBe(200);
      expect(JSON.parse(login.body)).toMatchObject({ token: expect.any(String) });
      expect(login.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });
});
