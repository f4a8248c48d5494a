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
