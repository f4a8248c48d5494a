/**
 * The README's shots of a grid's team and its cards (网格连心卡), as a signed-in leader: the team on
 * the grid page and its editor at 360 px, the community's cards on the phone, the A4 print preview
 * (what window.print() lays out), then the team and the cards at night.
 */
import type { Page } from '@playwright/test';

export async function shootGridCards(
  page: Page,
  shot: (name: string, fullPage?: boolean) => Promise<void>,
  outDir: string,
): Promise<void> {
  await page.goto('/#/grid');
  const team = page.getByTestId('grid-team');
  await team.getByTestId('team-member').first().waitFor();
  await team.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -64));
  await shot('grid-team');
  await team.getByTestId('team-edit').click();
  await team.getByTestId('team-form').waitFor();
  await team.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -64));
  await shot('grid-team-edit');
  await team.getByRole('button', { name: '取消' }).click();

  await page.getByTestId('cards-community').click();
  await page.getByTestId('grid-card').first().waitFor();
  await shot('grid-cards');
  // The print preview: the sheets as the browser prints them, an A4 page wide (794 CSS px).
  const size = page.viewportSize()!;
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${outDir}grid-cards-print.png`, scale: 'css' });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize(size);

  await page.goto('/#/settings');
  await page.getByTestId('night-mode').check();
  await page.goto('/#/grid');
  await team.getByTestId('team-member').first().waitFor();
  await team.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -64));
  await shot('grid-team-night');
  await page.getByTestId('cards-grid').click();
  // A grid's own card screen has its team above the card: the card is what this shot is of.
  const card = page.getByTestId('grid-card').first();
  await card.waitFor();
  await card.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -72));
  await shot('grid-cards-night');
  await page.goto('/#/settings');
  await page.getByTestId('night-mode').uncheck();
}
