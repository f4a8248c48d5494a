/**
 * The demo town's grid teams (1+1+N) and their cards' QR tokens, made by the same planner a real one
 * goes through (gridTeam.set as the center). The server's seed and the phone's offline demo both call
 * this, with the clock passed in. The tokens are drawn from a PRNG seeded by the grid's code: a demo's
 * cards are the same on every run (screenshots, tests). A real grid's token is drawn on the device
 * with crypto.getRandomValues.
 */
import type { Grid, GridTeam, GridTeamMember } from '../schemas/index.ts';
import { planMutation, readsFromLoaded, readsOf, type PlanActor } from './apply-mutation.ts';
import { drawSurname, GIVEN_NAMES } from './demo-households.ts';
import { createRandom } from './demo-random.ts';
import { RESIDENT_TOKEN_BYTES, residentTokenFrom } from './grid-team.ts';
import { refKey } from './mutation-reads.ts';

/** Words every demo card carries; the hotline is the demo town's. */
export const DEMO_TEAM_WORDS = {
  servicePromise: '有求必应、件件有回音',
  serviceHours: '工作日 8:30-17:30，急事随时',
  hotline: '0523-87654321',
} as const;

/** Names of people who have a demo account, by grid code and role (the server's seed knows them). */
export type KnownNames = ReadonlyMap<string, Partial<Record<'leader' | 'worker' | 'helper', string>>>;

const DEMO_CENTER: PlanActor = { role: 'center', userId: 'demo-center', name: '指挥中心' };

/** A number that is the same for the same text on every machine (FNV-1a), to seed a grid's draws. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** One person, one phone: a leader of seven grids is on seven cards with the same number. */
function phoneOf(name: string): string {
  const rng = createRandom(seedOf(`phone:${name}`));
  return `1${rng.pick(['39', '58', '87', '36', '51'])}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
}

function teamOf(grid: Grid, known: KnownNames): { members: GridTeamMember[]; token: string } {
  const rng = createRandom(seedOf(`grid-team:${grid.code}`));
  const name = () => {
    const gender = rng.chance(0.5) ? 'female' : 'male';
    return drawSurname(rng) + rng.pick(GIVEN_NAMES[gender].mid) + rng.pick(GIVEN_NAMES[gender].mid);
  };
  const names = known.get(grid.code) ?? {};
  const drafts: Omit<GridTeamMember, 'phone'>[] = [
    { name: names.leader ?? name(), role: 'leader' },
    { name: names.worker ?? name(), role: 'worker' },
    { name: names.helper ?? name(), role: 'helper' },
    { name: `${drawSurname(rng)}警官`, role: 'police' },
    { name: `${drawSurname(rng)}医生`, role: 'doctor' },
  ];
  const members = drafts.map((member) => ({ ...member, phone: phoneOf(member.name) }));
  const bytes = Uint8Array.from({ length: RESIDENT_TOKEN_BYTES }, () => rng.int(0, 255));
  return { members, token: residentTokenFrom(bytes) };
}

/** A team for every comprehensive and special grid of the town, as the center would set them. */
export function generateDemoTeams(
  grids: readonly Grid[],
  now: number,
  known: KnownNames = new Map(),
): GridTeam[] {
  return grids
    .filter((grid) => !grid.isDeleted && (grid.kind === 'grid' || grid.kind === 'special'))
    .map((grid) => {
      const { members, token } = teamOf(grid, known);
      const args = { gridId: grid.id, team: { members, ...DEMO_TEAM_WORDS }, token, at: now };
      const loaded = new Map<string, unknown>();
      for (const ref of readsOf('gridTeam.set', args)) loaded.set(refKey(ref.kind, ref.id), undefined);
      loaded.set(refKey('grids', grid.id), grid);
      const plan = planMutation('gridTeam.set', args, readsFromLoaded(loaded), DEMO_CENTER, now);
      if (!plan.ok) throw new Error(`demo gridTeam.set: ${plan.message}`);
      return plan.writes[0]!.record as GridTeam;
    });
}
