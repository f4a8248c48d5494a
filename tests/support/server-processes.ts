/**
 * Real server processes for tests and benchmarks: `src/server/main.ts` started as its own Node
 * process on a loopback port (over SQLite in a folder, or a PostgreSQL URL), and a round-robin proxy
 * that spreads requests over several of them the way a load balancer would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  /** What the process printed (stdout and stderr), for a failing test to show. */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A stand-in for dist/ when only the API matters: the server insists on an index.html. */
export function apiOnlyDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-dist-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>网格连心</title>');
  return dir;
}

export interface ServerOptions {
  /** postgres://...; without it the server uses SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  distDir?: string;
  port?: number;
  /** More environment (DEMO, DEMO_HOUSEHOLDS, DATABASE_POOL...). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export async function startServer(options: ServerOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  // Folders made here are removed when the server stops; ones the caller passed are the caller's.
  const made: string[] = [];
  const own = (dir: string) => {
    made.push(dir);
    return dir;
  };
  const distDir = options.distDir ?? own(apiOnlyDist());
  const dataDir = options.dataDir ?? own(mkdtempSync(join(tmpdir(), 'lianxin-data-')));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DIST_DIR: distDir,
    DATA_DIR: dataDir,
    ...options.env,
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${printed}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
      throw new Error(`server did not answer on ${url}:\n${printed}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stop = async () => {
    await stopChild(child);
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  return { url, port, output: () => printed, stop };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface Proxy {
  url: string;
  /** How many requests each target got. */
  counts: number[];
  close(): Promise<void>;
}

/** Every request to the next target in turn: a device's consecutive requests land on different processes. */
export async function roundRobinProxy(targets: readonly string[], port?: number): Promise<Proxy> {
  const counts = targets.map(() => 0);
  let next = 0;
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const index = next++ % targets.length;
    counts[index]!++;
    const target = new URL(targets[index]!);
    const forward = request(
      {
        hostname: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forward);
  });
  const listenPort = port ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${listenPort}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
