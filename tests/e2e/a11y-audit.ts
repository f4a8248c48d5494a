import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * The accessibility audit of one screen (a11y.spec.ts): axe-core's serious and critical findings,
 * day and night, and tap targets under 44 × 44 CSS px, collected rather than thrown, so one run
 * lists everything to fix.
 */

const MIN_TARGET_PX = 44;

export interface Screen {
  name: string;
  /** Opens the screen in the state worth checking and waits until it is drawn. */
  open(page: Page): Promise<void>;
}

/**
 * Targets smaller than 44 × 44: links, buttons, form controls, summaries and ARIA widgets. A control
 * inside a label is tapped through its label, so the label is measured. No inline-link exception:
 * every link in this app is a target of its own.
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const selector =
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab], [role=radio], [role=switch], [role=checkbox]';
    const measured = new Set<Element>();
    const found: string[] = [];
    for (const element of document.querySelectorAll(selector)) {
      const target = (element.matches('input') && element.closest('label')) || element;
      if (measured.has(target)) continue;
      measured.add(target);
      const box = target.getBoundingClientRect();
      const style = getComputedStyle(target);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
      // Half a pixel for rounding: 43.99 is 44.
      if (box.width >= min - 0.5 && box.height >= min - 0.5) continue;
      const name = (target.getAttribute('aria-label') ?? target.textContent ?? '').trim().slice(0, 24);
      found.push(
        `${target.tagName.toLowerCase()}${target.className ? `.${String(target.className).split(' ')[0]}` : ''} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`,
      );
    }
    return found;
  }, MIN_TARGET_PX);
}

/** axe-core's serious and critical violations, one line per rule and element. */
async function axeViolations(page: Page, onlyColours: boolean): Promise<string[]> {
  // Legacy mode runs axe in the page itself: the app has no frames, and the default mode would open
  // a blank page in the context for every run to merge frame results (seconds each time).
  let builder = new AxeBuilder({ page }).setLegacyMode();
  if (onlyColours) builder = builder.withRules(['color-contrast', 'link-in-text-block']);
  const results = await builder.analyze();
  const violations = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.id}: ${node.target.join(' ')} — ${node.failureSummary?.split('\n')[1]?.trim() ?? ''}`,
      ),
    );
  // axe only "is not sure" about text of one or two characters (it might be an icon), but 黄 and 橙
  // are words: a measured ratio under the required one counts as a violation too.
  const shortText = results.incomplete
    .filter((result) => result.id === 'color-contrast')
    .flatMap((result) => result.nodes)
    .flatMap((node) =>
      node.any
        .map((check) => check.data as { contrastRatio?: number; expectedContrastRatio?: string } | null)
        .filter(
          (data) =>
            !!data?.contrastRatio &&
            !!data.expectedContrastRatio &&
            data.contrastRatio < parseFloat(data.expectedContrastRatio),
        )
        .map(
          (data) =>
            `color-contrast: ${node.target.join(' ')} — ${data!.contrastRatio}:1, needs ${data!.expectedContrastRatio}`,
        ),
    );
  return [...violations, ...shortText];
}

/** Findings by what is wrong, with the screens it was seen on (a header fault shows on every one). */
export class Findings {
  readonly #where = new Map<string, string[]>();

  add(where: string, lines: string[]): void {
    for (const line of lines) this.#where.set(line, [...(this.#where.get(line) ?? []), where]);
  }

  list(): string[] {
    return [...this.#where].map(([line, where]) => `${line}  [${where.join(', ')}]`);
  }
}

/**
 * Day: every axe rule, the tap targets and the page width. Night changes only colours (app.css swaps the palette
 * under :root[data-theme=night], which the settings switch sets), so at night the colour rules run.
 */
export async function audit(page: Page, name: string, findings: Findings): Promise<void> {
  const html = page.locator('html');
  const original = await html.getAttribute('data-theme');
  for (const theme of ['day', 'night'] as const) {
    await page.evaluate((value) => (document.documentElement.dataset.theme = value), theme);
    const where = `${name} (${theme})`;
    findings.add(where, await axeViolations(page, theme === 'night'));
    if (theme === 'day') {
      findings.add(
        where,
        (await smallTargets(page)).map((line) => `small target ${line}`),
      );
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      if (overflow > 0) findings.add(where, [`the page is ${overflow} px wider than the screen`]);
    }
  }
  await page.evaluate((value) => (document.documentElement.dataset.theme = value ?? 'day'), original);
}

export async function auditScreens(page: Page, screens: Screen[], findings: Findings): Promise<void> {
  for (const screen of screens) {
    await screen.open(page);
    await audit(page, screen.name, findings);
  }
}
