// Real PostgreSQL servers for tests: each call to startPostgres() runs initdb on a fresh temporary cluster
// and starts it on a free loopback port, so `npm test` on a fresh machine needs no database set up by hand.
// Debian's `postgresql` package provides the binaries (installed on demand when running as root, like
// ensure-chromium.mjs does for the browser).
import { execFileSync, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgCluster {
  /** postgres:// URL of the cluster's `postgres` database, as the `postgres` superuser (trust auth). */
  url: string;
  port: number;
  /** Temporary directory holding the data directory (`data`), the server log (`log`) and the socket. */
  dir: string;
  /** Stops the server at once (no checkpoint: the data is thrown away) and removes the directory. */
  stop(): Promise<void>;
}

const PG_ROOT = '/usr/lib/postgresql';
const INSTALL_HINT = 'install it with `sudo apt-get install -y postgresql` (Debian/Ubuntu)';
// initdb and pg_ctl refuse to run as root, so as root they run as the user Debian's package creates.
const IS_ROOT = process.getuid?.() === 0;
const PG_USER = 'postgres';
// Generous, but a hung server must fail the run instead of blocking it forever.
const COMMAND_TIMEOUT_MS = 120_000;

/** Clusters not yet stopped, so the exit handler can clean up after a run that forgot to (or crashed). */
const running = new Map<string, () => void>();
let exitHandlersInstalled = false;

interface Binaries {
  initdb: string;
  pgCtl: string;
}

/** The highest installed version's binaries: Debian keeps them off PATH, under /usr/lib/postgresql/<v>/bin. */
function findBinaries(): Binaries | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  for (const version of versions) {
    const bin = join(PG_ROOT, version, 'bin');
    const found = { initdb: join(bin, 'initdb'), pgCtl: join(bin, 'pg_ctl') };
    if (existsSync(found.initdb) && existsSync(found.pgCtl)) return found;
  }
  return undefined;
}

function ensureBinaries(): Binaries {
  const found = findBinaries();
  if (found) return found;
  if (!IS_ROOT)
    throw new Error(`PostgreSQL server binaries not found under ${PG_ROOT}/<version>/bin: ${INSTALL_HINT}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): void => {
    execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };
  console.error('PostgreSQL not found: installing Debian postgresql (apt-get)…');
  try {
    install();
  } catch {
    // A fresh machine's package lists are often empty or stale; refresh them once and retry.
    try {
      execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      install();
    } catch (error) {
      throw new Error(`Installing PostgreSQL with apt-get failed (${INSTALL_HINT}):\n${outputOf(error)}`, {
        cause: error,
      });
    }
  }
  const installed = findBinaries();
  if (!installed) throw new Error(`apt-get installed postgresql, but no binaries appeared under ${PG_ROOT}`);
  return installed;
}

/** Whatever a failed execFileSync printed, so errors show the tool's own explanation. */
function outputOf(error: unknown): string {
  const { stdout, stderr, message } = error as { stdout?: Buffer; stderr?: Buffer; message?: string };
  const text = [stdout, stderr].map((buffer) => buffer?.toString().trim() ?? '').filter(Boolean);
  return text.length ? text.join('\n') : String(message ?? error);
}

/** The command line for a PostgreSQL tool: as the postgres user when we are root, as ourselves otherwise. */
function asPgUser(file: string, args: string[]): [string, string[]] {
  return IS_ROOT ? ['runuser', ['-u', PG_USER, '--', file, ...args]] : [file, args];
}

/** Runs a PostgreSQL tool; on failure throws with its output. Returns the output for `log: true`. */
function runPgTool(file: string, args: string[], cwd: string, what: string): string {
  const [command, commandArgs] = asPgUser(file, args);
  // cwd: the postgres user may not be able to enter the test's working directory (e.g. /root).
  const options: ExecFileSyncOptions = {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: COMMAND_TIMEOUT_MS,
  };
  try {
    return execFileSync(command, commandArgs, options).toString();
  } catch (error) {
    throw new Error(`${what} failed (${command} ${commandArgs.join(' ')}):\n${outputOf(error)}`, {
      cause: error,
    });
  }
}

/** A port that was free a moment ago: the OS picks it for a throwaway listener on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '(no server log)';
  }
}

/** Quotes for the shell that pg_ctl hands its -o options to, in case tmpdir() has spaces in it. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function stopAll(): void {
  for (const stopNow of running.values()) stopNow();
}

// A signal skips 'exit' handlers, and Vitest ends its fork workers with SIGTERM; Ctrl-C sends SIGINT.
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

function onSignal(signal: NodeJS.Signals): void {
  stopAll();
  for (const name of SIGNALS) process.off(name, onSignal);
  // Listening replaced the default action (die of the signal); with no other listener, re-raise for it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  // 'exit' handlers must be synchronous; this catches runs that end (or throw) without calling stop().
  process.on('exit', stopAll);
  for (const name of SIGNALS) process.on(name, onSignal);
}

/** Starts a fresh cluster (initdb + pg_ctl start) on a free loopback port; socket dir inside the temp dir. */
export async function startPostgres(options: { log?: boolean } = {}): Promise<PgCluster> {
  const log = options.log ?? false;
  const { initdb, pgCtl } = ensureBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'pgtest-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  const say = (text: string): void => {
    if (log && text.trim()) console.error(text.trim());
  };

  try {
    // The server runs as postgres and writes its data, log and socket here, so it must own the directory.
    if (IS_ROOT) {
      const uid = Number(execFileSync('id', ['-u', PG_USER]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', PG_USER]).toString().trim());
      chownSync(dir, uid, gid);
    }

    // Trust auth and a fixed superuser keep URLs password-free; --no-sync because the cluster is disposable.
    const initArgs = ['-D', data, '-A', 'trust', '-U', 'postgres', '--encoding=UTF8', '--no-sync'];
    try {
      say(runPgTool(initdb, [...initArgs, '--locale=C.UTF-8'], dir, 'initdb'));
    } catch (error) {
      // Some systems lack the C.UTF-8 locale; the C locale with UTF-8 encoding behaves the same for tests.
      // Any other failure (permissions, disk) would fail again, and the retry would hide the real cause.
      if (!/locale/i.test((error as Error).message)) throw error;
      say(`initdb with --locale=C.UTF-8 failed, retrying with --no-locale:\n${(error as Error).message}`);
      rmSync(data, { recursive: true, force: true });
      say(runPgTool(initdb, [...initArgs, '--no-locale'], dir, 'initdb'));
    }

    // The port is only known free until someone else binds it; on a clash, try another a few times.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // Durability off (fsync, synchronous_commit, full_page_writes) for speed: nothing here must survive.
      const serverOptions = [
        `-p ${port}`,
        `-k ${shellQuote(dir)}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        say(
          runPgTool(
            pgCtl,
            ['-D', data, '-l', logFile, '-w', '-o', serverOptions, 'start'],
            dir,
            'pg_ctl start',
          ),
        );
      } catch (error) {
        const serverLog = readLog(logFile);
        if (attempt < 3 && /could not bind|already in use/i.test(serverLog)) continue;
        throw new Error(`${(error as Error).message}\n--- server log (${logFile}) ---\n${serverLog}`, {
          cause: error,
        });
      }
      return track({ dir, data, logFile, port, pgCtl, log });
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    // The usual cause as root: a TMPDIR inside a directory the postgres user cannot enter (e.g. /root).
    if (IS_ROOT && /permission denied/i.test((error as Error).message))
      throw new Error(
        `${(error as Error).message}\n(hint: running as root, so the server runs as "${PG_USER}", ` +
          `which must be able to reach ${dir}; point TMPDIR at a world-traversable directory such as /tmp)`,
        { cause: error },
      );
    throw error;
  }
}

interface Server {
  dir: string;
  data: string;
  logFile: string;
  port: number;
  pgCtl: string;
  log: boolean;
}

function track({ dir, data, logFile, port, pgCtl, log }: Server): PgCluster {
  let stopped = false;
  // Synchronous so the same code serves stop() and the exit/signal handlers. Those pass wait = false:
  // Vitest ends its fork workers with SIGTERM and SIGKILLs them 500 ms later, too soon to wait for several
  // servers (about 150 ms each); pg_ctl then only sends the shutdown signal and returns.
  const stopNow = (wait: boolean): void => {
    if (stopped) return;
    stopped = true;
    running.delete(dir);
    if (log) console.error(`--- PostgreSQL log (port ${port}) ---\n${readLog(logFile)}`);
    // Immediate mode: no shutdown checkpoint, since the data directory is deleted right after.
    const [command, args] = asPgUser(pgCtl, ['-D', data, '-m', 'immediate', wait ? '-w' : '-W', 'stop']);
    const result = spawnSync(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    // On failure the directory stays: the server may still be running from it, and its log tells why.
    if (result.error) throw new Error(`pg_ctl stop failed in ${dir}: ${result.error.message}`);
    if (result.status !== 0)
      throw new Error(
        `pg_ctl stop failed in ${dir} (exit ${result.status}):\n${result.stderr.toString().trim()}`,
      );
    // Retries: without waiting, the exiting server may still be removing its pid and socket files.
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  };
  running.set(dir, () => {
    try {
      stopNow(false);
    } catch (error) {
      // Too late to fail anything at exit; say so, since a server may be left running.
      console.error(String(error));
    }
  });
  installExitHandlers();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop: async () => stopNow(true),
  };
}

/** Creates an empty database on the cluster and returns its postgres:// URL. */
export async function createDatabase(cluster: PgCluster, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    // CREATE DATABASE takes no parameters, so the name is quoted as an identifier instead.
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(cluster.url);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
