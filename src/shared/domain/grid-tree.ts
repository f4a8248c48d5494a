/**
 * The grid tree (town → community → grid): which grids lie at or below some grids. One walk for the
 * device (a task's targets under a community), the dashboard (a grid's figures) and anything else
 * that reaches down the tree.
 */
export interface GridNode {
  id: string;
  parentId: string | null;
}

/** The given grids that exist in `grids`, and every grid below them. */
export function gridsAtOrBelow(grids: Iterable<GridNode>, rootIds: Iterable<string>): Set<string> {
  const children = new Map<string, string[]>();
  const known = new Set<string>();
  for (const grid of grids) {
    known.add(grid.id);
    if (grid.parentId === null) continue;
    const siblings = children.get(grid.parentId) ?? [];
    siblings.push(grid.id);
    children.set(grid.parentId, siblings);
  }
  const found = new Set<string>();
  const stack = [...rootIds].filter((id) => known.has(id));
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (found.has(id)) continue;
    found.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return found;
}
