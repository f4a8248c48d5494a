import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from '../../src/app/state/router.svelte.ts';

describe('the routes of the grid cards', () => {
  it('parses what hrefOf writes; #/cards without a grid is the list of grids', () => {
    const routes: Route[] = [
      { page: 'cards', gridId: '0192f3c4-0000-7000-8000-000000000001' },
      { page: 'card-grids' },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
    expect(hrefOf({ page: 'card-grids' })).toBe('#/cards');
    expect(parseRoute('#/cards/')).toEqual({ page: 'card-grids' });
  });
});
