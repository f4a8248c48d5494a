import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

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
