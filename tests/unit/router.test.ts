// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { parseRoute, router } from '../../src/app/state/router.svelte.ts';

describe('router', () => {
  it('parses the hash routes the app links to', () => {
    expect(parseRoute('#/browse/b/b%201')).toEqual({ page: 'building', buildingId: 'b 1' });
    expect(parseRoute('#/accounts')).toEqual({ page: 'accounts' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'home' });
  });

  it('starts on the hash as it is when it starts listening, not as it was when the app loaded', () => {
    // The route was read at import; the hash changes while the app is still starting.
    location.hash = '#/search';
    const stop = router.start();
    expect(router.route).toEqual({ page: 'search' });
    stop();
  });
});
