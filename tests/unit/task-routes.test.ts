import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from '../../src/app/state/router.svelte.ts';

describe('the routes of pushed tasks', () => {
  it('parses what hrefOf writes, and a missing id falls back to a list', () => {
    const routes: Route[] = [
      { page: 'task-item', id: '02534b56-e1bf-8a5b-a810-2bed36bf41f3' },
      { page: 'tasks' },
      { page: 'task', id: '0192f3c4-0000-7000-8000-000000000001' },
      { page: 'task-new' },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
    expect(parseRoute('#/task')).toEqual({ page: 'tasks' });
    expect(parseRoute('#/task-item')).toEqual({ page: 'home' });
  });
});
