import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/shared/schemas/index.ts';
import { contrastRatio, DARK_TEXT, LIGHT_TEXT, textOn } from '../../src/app/ui/colour.ts';

describe('text on a coloured fill', () => {
  it('measures contrast as WCAG 2 does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // The unselected 黄 button of the snap form: yellow text on white.
    expect(contrastRatio('#f9a825', '#ffffff')).toBeCloseTo(1.97, 2);
  });

  it('puts dark text on yellow and orange and white text on red and blue', () => {
    expect(textOn(SEVERITIES.yellow.hex)).toBe(DARK_TEXT);
    expect(textOn(SEVERITIES.orange.hex)).toBe(DARK_TEXT);
    expect(textOn(SEVERITIES.red.hex)).toBe(LIGHT_TEXT);
    expect(textOn(SEVERITIES.blue.hex)).toBe(LIGHT_TEXT);
  });

  it('reads at 4.5:1 or more on every severity colour', () => {
    for (const { hex } of Object.values(SEVERITIES))
      expect(contrastRatio(textOn(hex), hex)).toBeGreaterThanOrEqual(4.5);
  });

  it('refuses what is not a #rrggbb colour', () => {
    expect(() => textOn('red')).toThrow(/#rrggbb/);
  });
});
