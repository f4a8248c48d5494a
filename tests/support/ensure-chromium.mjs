// Finds a Chromium for Playwright, or installs Debian's when running as root (CI on a fresh
// machine). Browser downloads (npx playwright install) do not work on these machines.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  Boolean,
);
const found = candidates.find((path) => existsSync(path));
const hasCjkFonts = existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc');

if (found && hasCjkFonts) {
  console.log(`chromium: ${found}`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.error(
    'Chromium (and CJK fonts) not found. Install them with `sudo apt-get install -y chromium fonts-noto-cjk`, ' +
      'or set CHROME_PATH to a Chromium/Chrome binary.',
  );
  process.exit(found ? 0 : 1);
}
console.log('Installing Debian chromium and fonts-noto-cjk (apt-get)…');
execSync(
  'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk',
  {
    stdio: 'inherit',
  },
);
