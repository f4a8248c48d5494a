/**
 * Rules of a grid's team and card (网格连心卡) that the planner, the commands and the screens share.
 */
import type { Role } from '../schemas/problem.ts';

/**
 * Who sets a grid's team and replaces its card's QR code: the leader for the grids they lead, the
 * center and the administrator for the town's. A worker's card is what the leader printed.
 */
export const GRID_TEAM_EDITOR_ROLES: ReadonlySet<Role> = new Set<Role>(['leader', 'center', 'admin']);
export const canEditGridTeam = (role: Role) => GRID_TEAM_EDITOR_ROLES.has(role);

/** Bytes of randomness in a resident token: 144 bits, 24 base64url characters. */
export const RESIDENT_TOKEN_BYTES = 18;

/** A resident token (base64url, no padding) from random bytes the caller drew. */
export function residentTokenFrom(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The page a card's QR code opens, on this origin. */
export const residentUrl = (origin: string, token: string) => `${origin}/r/${token}`;

/** How many tokens of replaced cards a grid remembers (the schema's limit). */
export const RETIRED_TOKENS_KEPT = 20;
