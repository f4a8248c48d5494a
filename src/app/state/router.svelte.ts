/**
 * Hash routes keep every screen reachable offline from the one precached index.html and make the
 * back button work. Routes: #/ home, #/browse, #/browse/b/<buildingId>, #/browse/v/<group>,
 * #/household/<id>, #/search, #/tag/<tag>, #/settings, #/import, #/grids.
 */
export type Route =
  | { page: 'home' }
  | { page: 'browse' }
  | { page: 'building'; buildingId: string }
  | { page: 'village-group'; group: string }
  | { page: 'household'; id: string }
  | { page: 'search' }
  | { page: 'tag'; tag: string }
  | { page: 'settings' }
  | { page: 'import' }
  | { page: 'grids' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [first = '', second = '', third = ''] = parts;
  switch (first) {
    case 'browse':
      if (second === 'b' && third) return { page: 'building', buildingId: third };
      if (second === 'v' && third) return { page: 'village-group', group: third };
      return { page: 'browse' };
    case 'household':
      return second ? { page: 'household', id: second } : { page: 'home' };
    case 'tag':
      return second ? { page: 'tag', tag: second } : { page: 'home' };
    case 'search':
    case 'settings':
    case 'import':
    case 'grids':
      return { page: first };
    default:
      return { page: 'home' };
  }
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'building':
      return `#/browse/b/${encodeURIComponent(route.buildingId)}`;
    case 'village-group':
      return `#/browse/v/${encodeURIComponent(route.group)}`;
    case 'household':
      return `#/household/${encodeURIComponent(route.id)}`;
    case 'tag':
      return `#/tag/${encodeURIComponent(route.tag)}`;
    default:
      return `#/${route.page}`;
  }
}

class Router {
  #route = $state<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash));

  get route() {
    return this.#route;
  }

  start() {
    const update = () => {
      this.#route = parseRoute(location.hash);
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }

  go(route: Route) {
    location.hash = hrefOf(route);
  }
}

export const router = new Router();
