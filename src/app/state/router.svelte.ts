/**
 * Hash routes keep every screen reachable offline from the one precached index.html and make the
 * back button work. Routes: #/ home, #/browse, #/browse/b/<buildingId>, #/browse/v/<group>,
 * #/household/<id>, #/search, #/tag/<tag>, #/settings, #/import, #/grids; the daily round:
 * #/ today, #/grid overview, #/visit/<householdId>, #/tonight, #/check/<templateId>/<b|e>/<id>, #/my-day;
 * problems: #/report (随手拍), #/problems, #/problem/<id>, #/export (每日问题清单); #/accounts (admin);
 * #/dashboard (数据看板), #/dashboard/wall (大屏), #/dashboard/list/<figure>/<cell> (the rows behind a figure);
 * pushed tasks (上级任务): #/task-item/<id> (do one item), #/tasks, #/task/<id> (progress), #/task-new;
 * #/cards (which grids' cards), #/cards/<gridId> (网格连心卡 of a grid, or of every grid under a community).
 */
export type Route =
  | { page: 'home' }
  | { page: 'grid' }
  | { page: 'visit'; householdId: string }
  | { page: 'tonight' }
  | { page: 'check'; templateId: string; target: 'building' | 'enterprise'; targetId: string }
  | { page: 'my-day' }
  | { page: 'report' }
  | { page: 'problems' }
  | { page: 'problem'; id: string }
  | { page: 'export' }
  | { page: 'login' }
  | { page: 'inbox' }
  | { page: 'browse' }
  | { page: 'building'; buildingId: string }
  | { page: 'village-group'; group: string }
  | { page: 'household'; id: string }
  | { page: 'search' }
  | { page: 'tag'; tag: string }
  | { page: 'settings' }
  | { page: 'import' }
  | { page: 'grids' }
  | { page: 'accounts' }
  | { page: 'dashboard' }
  | { page: 'dashboard-wall' }
  /** `cell`: the figure's parameters as a query string ("severity=red"), empty for the whole figure. */
  | { page: 'dashboard-list'; figure: string; cell: string }
  | { page: 'task-item'; id: string }
  | { page: 'tasks' }
  | { page: 'task'; id: string }
  | { page: 'task-new' }
  | { page: 'card-grids' }
  | { page: 'cards'; gridId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [first = '', second = '', third = '', fourth = ''] = parts;
  switch (first) {
    case 'visit':
      return second ? { page: 'visit', householdId: second } : { page: 'home' };
    case 'problem':
      return second ? { page: 'problem', id: second } : { page: 'problems' };
    case 'check':
      if (second && (third === 'b' || third === 'e') && fourth) {
        return {
          page: 'check',
          templateId: second,
          target: third === 'b' ? 'building' : 'enterprise',
          targetId: fourth,
        };
      }
      return { page: 'home' };
    case 'browse':
      if (second === 'b' && third) return { page: 'building', buildingId: third };
      if (second === 'v' && third) return { page: 'village-group', group: third };
      return { page: 'browse' };
    case 'household':
      return second ? { page: 'household', id: second } : { page: 'home' };
    case 'tag':
      return second ? { page: 'tag', tag: second } : { page: 'home' };
    case 'dashboard':
      if (second === 'wall') return { page: 'dashboard-wall' };
      if (second === 'list' && third) return { page: 'dashboard-list', figure: third, cell: fourth };
      return { page: 'dashboard' };
    case 'task-item':
      return second ? { page: 'task-item', id: second } : { page: 'home' };
    case 'task':
      return second ? { page: 'task', id: second } : { page: 'tasks' };
    case 'cards':
      return second ? { page: 'cards', gridId: second } : { page: 'card-grids' };
    case 'my-day':
    case 'report':
    case 'problems':
    case 'export':
    case 'login':
    case 'inbox':
    case 'tonight':
    case 'grid':
    case 'search':
    case 'settings':
    case 'import':
    case 'grids':
    case 'accounts':
    case 'tasks':
    case 'task-new':
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
    case 'visit':
      return `#/visit/${encodeURIComponent(route.householdId)}`;
    case 'problem':
      return `#/problem/${encodeURIComponent(route.id)}`;
    case 'dashboard-wall':
      return '#/dashboard/wall';
    case 'dashboard-list':
      return `#/dashboard/list/${encodeURIComponent(route.figure)}${route.cell ? `/${encodeURIComponent(route.cell)}` : ''}`;
    case 'task-item':
      return `#/task-item/${encodeURIComponent(route.id)}`;
    case 'task':
      return `#/task/${encodeURIComponent(route.id)}`;
    case 'cards':
      return `#/cards/${encodeURIComponent(route.gridId)}`;
    case 'card-grids':
      return '#/cards';
    case 'check':
      return `#/check/${encodeURIComponent(route.templateId)}/${route.target === 'building' ? 'b' : 'e'}/${encodeURIComponent(route.targetId)}`;
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
    // The route was read when this module loaded; a hash change between then and now (a tap or a
    // navigation while the app was still starting) fired no event we heard.
    const current = parseRoute(location.hash);
    if (hrefOf(current) !== hrefOf(this.#route)) this.#route = current;
    return () => window.removeEventListener('hashchange', update);
  }

  go(route: Route) {
    location.hash = hrefOf(route);
  }
}

export const router = new Router();
