/** The demo town's grid teams: one per grid, through the planner, the same on every run. */
import { describe, expect, it } from 'vitest';
import { generateDemoTeams } from '../../src/shared/domain/demo-teams.ts';
import { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { gridTeamSchema } from '../../src/shared/schemas/index.ts';

const NOW = Date.UTC(2026, 2, 2, 1);

describe('generateDemoTeams', () => {
  const town = generateDemoTown({ households: 200, seed: 7 });
  const teams = generateDemoTeams(town.grids, NOW, new Map([['XF-01', { worker: '王丽' }]]));

  it('gives every comprehensive grid a valid team under its own id, 1+1+N', () => {
    const grids = town.grids.filter((g) => g.kind === 'grid');
    expect(teams.filter((t) => grids.some((g) => g.id === t.id))).toHaveLength(grids.length);
    for (const team of teams) {
      expect(gridTeamSchema.parse(team)).toEqual(team);
      expect(team.id).toBe(team.gridId);
      expect(team.members.map((m) => m.role)).toEqual(['leader', 'worker', 'helper', 'police', 'doctor']);
    }
    expect(new Set(teams.map((t) => t.residentToken)).size).toBe(teams.length);
  });

  it('names the demo accounts where they work, and gives one person one phone', () => {
    const first = teams.find((t) => t.gridId === town.grids.find((g) => g.code === 'XF-01')!.id)!;
    expect(first.members[1]).toMatchObject({ name: '王丽', role: 'worker' });
    const phones = new Map<string, Set<string>>();
    for (const member of teams.flatMap((t) => t.members))
      phones.set(member.name, (phones.get(member.name) ?? new Set()).add(member.phone!));
    expect([...phones.values()].every((set) => set.size === 1)).toBe(true);
  });

  it('is the same on every run (the cards of a demo do not change)', () => {
    expect(generateDemoTeams(town.grids, NOW, new Map([['XF-01', { worker: '王丽' }]]))).toEqual(teams);
  });
});
