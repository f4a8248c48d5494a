import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PgCluster } from '../support/postgres.ts';

/**
 * CPU time used by the Chromium processes of one profile, read from /proc (Linux only; NaN elsewhere).
 * Wall-clock load times on a shared 2-core machine swing with whatever else runs; CPU time counts
 * only the work done, so it shows what an engine's own code costs.
 */
export interface CpuSeconds {
  /** User-mode CPU of renderers: the page's JavaScript, structured cloning, index key extraction. */
  rendererUser: number;
  /** User-mode CPU of every other process of the profile: the IndexedDB backend among them. */
  otherUser: number;
}

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export async function cpuSecondsOfProfile(profileDir: string): Promise<CpuSeconds> {
  const totals: CpuSeconds = { rendererUser: 0, otherUser: 0 };
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return { rendererUser: NaN, otherUser: NaN };
  }
  // Every Chromium process of a profile carries its --user-data-dir on the command line.
  const marker = `--user-data-dir=${profileDir}`;
  for (const pid of entries.filter((entry) => /^\d+$/.test(entry))) {
    try {
      // Zygote-forked renderers rewrite their command line into one space-separated string; others
      // keep NUL-separated arguments. Profile paths from mkdtemp have no spaces, so split on both.
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split(/[\0 ]/);
      if (!commandLine.includes(marker)) continue;
      // Fields after the ")" that ends the command name: utime is the 12th (field 14 of stat(5)).
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const userTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[11]);
      const seconds = userTicks / ticksPerSecond;
      if (commandLine.includes('--type=renderer')) totals.rendererUser += seconds;
      else totals.otherUser += seconds;
    } catch {
      // The process ended between listing and reading: its time is gone with it.
    }
  }
  return totals;
}

// ---- Server processes (store-bench.ts, load-bench.ts) ----

/** Fields of /proc/<pid>/stat from field 3 on (after the command, which may hold spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds (user + system, in clock ticks: 1/100 s on Linux) of one process, all its threads, and with
 * `children` also of its children that have exited and been waited for; NaN when it is gone or off Linux.
 */
export function processCpuSeconds(pid: number, children = false): number {
  try {
    const fields = statFields(pid);
    // utime is field 14, stime 15, cutime 16, cstime 17.
    const own = Number(fields[11]) + Number(fields[12]);
    return (children ? own + Number(fields[13]) + Number(fields[14]) : own) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

const parentOf = (pid: number): number => {
  try {
    return Number(statFields(pid)[1]);
  } catch {
    return -1;
  }
};

const processIds = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

/**
 * The pid of the process listening on 127.0.0.1:`port` (startServer does not say), found through
 * /proc/net/tcp's socket inode and the process that holds it; undefined off Linux.
 */
export function pidListeningOn(port: number): number | undefined {
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] (ADDR:PORT in hex), st cols[3] (0A = LISTEN), inode cols[9].
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(`socket:[${cols[9]}]`);
    }
    for (const pid of processIds()) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
        } catch {
          // Closed meanwhile.
        }
      }
    }
  } catch {
    // Not Linux.
  }
  return undefined;
}

/**
 * CPU seconds of a PostgreSQL cluster: the postmaster, every backend it forked that still runs, and
 * those that ended (a pool closes idle connections), which the postmaster has waited for.
 */
export function postgresCpuSeconds(cluster: PgCluster): number {
  try {
    const postmaster = Number(
      readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    let total = processCpuSeconds(postmaster, true);
    for (const pid of processIds()) if (parentOf(pid) === postmaster) total += processCpuSeconds(pid) || 0;
    return total;
  } catch {
    return NaN;
  }
}
