import { describe, expect, it } from 'vitest';
import { PULL_REMAINING_LIMIT, remainingLabel } from '../../src/shared/protocol.ts';

describe('the first download’s progress line', () => {
  it('says "5000+" when the server stopped counting, the count below that', () => {
    expect(remainingLabel(0)).toBe('0');
    expect(remainingLabel(PULL_REMAINING_LIMIT - 1)).toBe('4999');
    // The server counts no further than the limit: a bigger town must not read as "5000 left".
    expect(remainingLabel(PULL_REMAINING_LIMIT)).toBe('5000+');
  });
});
