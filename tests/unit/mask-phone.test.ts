import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/shared/domain/privacy.ts';

describe('maskPhone', () => {
  it('keeps the first three and last four digits of a mobile, the last four of anything else', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0571-88886666')).toBe('****6666');
    expect(maskPhone('123')).toBe('****');
  });
});
