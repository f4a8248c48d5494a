import { existsSync } from 'node:fs';

/** The browser every Playwright test and benchmark drives: Debian's Chromium (see ensure-chromium.mjs). */
export function chromiumPath(): string {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((path): path is string => !!path && existsSync(path));
  if (!found)
    throw new Error('Chromium not found: run `node tests/support/ensure-chromium.mjs` or set CHROME_PATH');
  return found;
}

/** Quiet flags: this machine has no network beyond loopback, and background fetches only add noise. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
