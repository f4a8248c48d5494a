import type { Grid, GridTeam } from '../../shared/schemas/index.ts';
import type { AppDB } from './app-db.ts';

/** The grid's team as synced (or set on this phone); undefined while nobody has set one. */
export async function teamOfGrid(db: AppDB, gridId: string): Promise<GridTeam | undefined> {
  const row = await db.gridTeams.get(gridId);
  return row && !row.isDeleted ? row : undefined;
}

export interface GridCard {
  grid: Grid;
  team: GridTeam | undefined;
}

/**
 * The cards printed for a grid: its own, or for a community (a grid with grids under it) one for
 * each grid under it, by code. Grids are few (a town has ~100), so they are read whole.
 */
export async function cardsOf(
  db: AppDB,
  gridId: string,
): Promise<{ root: Grid; cards: GridCard[] } | undefined> {
  const grids = (await db.grids.toArray()).filter((g) => !g.isDeleted);
  const root = grids.find((g) => g.id === gridId);
  if (!root) return undefined;
  const children = new Map<string | null, Grid[]>();
  for (const grid of grids) children.set(grid.parentId, [...(children.get(grid.parentId) ?? []), grid]);
  const leaves: Grid[] = [];
  const walk = (grid: Grid) => {
    const under = children.get(grid.id) ?? [];
    if (under.length === 0) leaves.push(grid);
    else under.forEach(walk);
  };
  walk(root);
  leaves.sort((a, b) => a.code.localeCompare(b.code, 'zh-CN', { numeric: true }));
  const teams = await db.gridTeams.bulkGet(leaves.map((g) => g.id));
  return {
    root,
    cards: leaves.map((grid, i) => {
      const team = teams[i];
      return { grid, team: team && !team.isDeleted ? team : undefined };
    }),
  };
}

export interface CardGroup {
  /** A community, village or the town: printing it prints every grid under it. */
  parent: Grid | undefined;
  grids: Grid[];
}

/**
 * The grids on this phone whose cards can be printed, by the grid they are under (a community's
 * grids together), by code: what the center and a leader choose from.
 */
export async function cardGroups(db: AppDB): Promise<CardGroup[]> {
  const grids = (await db.grids.toArray()).filter((g) => !g.isDeleted);
  const byId = new Map(grids.map((g) => [g.id, g]));
  const hasChildren = new Set(grids.map((g) => g.parentId));
  const byCode = (a: Grid, b: Grid) => a.code.localeCompare(b.code, 'zh-CN', { numeric: true });
  const groups = new Map<string | null, Grid[]>();
  for (const grid of grids.filter((g) => !hasChildren.has(g.id)).sort(byCode))
    groups.set(grid.parentId, [...(groups.get(grid.parentId) ?? []), grid]);
  return [...groups].map(([parentId, list]) => ({
    parent: parentId === null ? undefined : byId.get(parentId),
    grids: list,
  }));
}
