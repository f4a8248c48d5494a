/**
 * Text that can be read on a coloured fill (a severity's red, orange, yellow or blue): WCAG 2 contrast,
 * so a label on the colour it names is at least 4.5:1 whichever colour that is.
 */

/** The dark text of the day palette (app.css --text): dark enough on yellow and orange. */
export const DARK_TEXT = '#1a1d21';
export const LIGHT_TEXT = '#ffffff';

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const digits = /^#([0-9a-f]{6})$/i.exec(hex)?.[1];
  if (!digits) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [0, 2, 4].map((at) => {
    const channel = parseInt(digits.slice(at, at + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
}

/** White or dark text, whichever reads better on `fill`. */
export function textOn(fill: string): string {
  return contrastRatio(LIGHT_TEXT, fill) >= contrastRatio(DARK_TEXT, fill) ? LIGHT_TEXT : DARK_TEXT;
}
