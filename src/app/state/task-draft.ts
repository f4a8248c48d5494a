/**
 * The pieces of a new task (下发任务) that are rules about words and choices, not screens: the grids
 * a creator may pick, grouped under their community or village (picking a community picks its grids),
 * and the one line that says what the targets are ("幸福社区 · 独居老人") for the task lists. Pure.
 */
import { CARE_TAGS, type CareTag } from '../../shared/schemas/care-tags.ts';
import type { Grid } from '../../shared/schemas/grid.ts';

export interface GridGroup {
  /** The community or village (or the town, for special grids straight under it). */
  parentId: string;
  parentName: string;
  grids: Grid[];
}

/** Work grids by parent, in code order (the order of the grid cards on the office wall). */
export function gridGroups(choices: ReadonlyArray<{ grid: Grid; parentName: string }>): GridGroup[] {
  const groups = new Map<string, GridGroup>();
  for (const { grid, parentName } of choices) {
    const parentId = grid.parentId ?? '';
    let group = groups.get(parentId);
    if (!group) groups.set(parentId, (group = { parentId, parentName, grids: [] }));
    group.grids.push(grid);
  }
  const byCode = (a: Grid, b: Grid) => a.code.localeCompare(b.code, 'zh-CN', { numeric: true });
  for (const group of groups.values()) group.grids.sort(byCode);
  return [...groups.values()].sort((a, b) => byCode(a.grids[0]!, b.grids[0]!));
}

/** The most words the summary keeps (the record allows 200 characters). */
const SUMMARY_MAX = 200;

/**
 * What the targets are, in the town's words: a whole community by its name, other grids by theirs
 * ("幸福社区、和平社区第2网格"), then the building and the care tag if one narrows it. Always in
 * Chinese: the task is read by the town, whatever language the creator's phone shows.
 */
export function targetSummary(
  groups: readonly GridGroup[],
  chosen: ReadonlySet<string>,
  narrowing: { buildingName?: string; careTag?: CareTag | null } = {},
): string {
  const places: string[] = [];
  for (const group of groups) {
    const picked = group.grids.filter((g) => chosen.has(g.id));
    if (picked.length === 0) continue;
    if (picked.length === group.grids.length && group.grids.length > 1 && group.parentName)
      places.push(group.parentName);
    else places.push(...picked.map((g) => g.name));
  }
  let where = places.join('、');
  const extra = [narrowing.buildingName, narrowing.careTag ? CARE_TAGS[narrowing.careTag].zh : undefined]
    .filter((part): part is string => !!part)
    .map((part) => ` · ${part}`)
    .join('');
  const room = SUMMARY_MAX - extra.length;
  if (where.length > room) {
    const tail = `等 ${places.length} 处`;
    where = `${where.slice(0, Math.max(0, room - tail.length - 1))}…${tail}`;
  }
  return `${where}${extra}`;
}

/** How many different values there are (the grids a new task's targets fall in). */
export const distinctCount = (values: readonly unknown[]): number => new Set(values).size;
