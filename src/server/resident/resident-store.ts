/**
 * What the public page needs that no town's sync reads: which town and grid a card's token opens
 * (the public URL names no town, so tokens are looked up deployment-wide), and which problem a
 * tracking code follows. Only hashes are kept: a copy of these tables hands out neither.
 */
import { createHash } from 'node:crypto';
import type { SqlExecutor } from '../store/sql.ts';

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Schema step 4 (the same SQL on both engines). */
export const RESIDENT_STEP_SQL = `
  -- A grid card's token (live or retired), kept by every write of the grid's team record.
  CREATE TABLE resident_tokens (
    token_hash TEXT PRIMARY KEY,
    town_id TEXT NOT NULL,
    grid_id TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX resident_tokens_by_grid ON resident_tokens (town_id, grid_id);
  -- A resident's report: the hash of the tracking code they hold, and the problem it follows.
  CREATE TABLE resident_reports (
    code_hash TEXT PRIMARY KEY,
    town_id TEXT NOT NULL,
    problem_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
`;

/** The fields of a grid team record this table follows (schemas/grid-team.ts). */
export interface TeamTokens {
  id: string;
  gridId?: string;
  isDeleted?: boolean;
  residentToken?: string;
  retiredTokens?: readonly string[];
}

/**
 * Called by Records.put for every write of kind gridTeams, in the write's transaction. A token
 * another grid (of any town) already holds stays theirs: a team record cannot take over a card it
 * did not print.
 */
export async function refreshResidentTokens(
  sql: SqlExecutor,
  townId: string,
  teams: readonly TeamTokens[],
): Promise<void> {
  for (const team of teams) {
    const gridId = team.gridId ?? team.id;
    await sql.run('DELETE FROM resident_tokens WHERE town_id = ? AND grid_id = ?', [townId, gridId]);
    if (team.isDeleted === true) continue;
    const tokens = [
      ...(team.residentToken ? [{ token: team.residentToken, retired: 0 }] : []),
      ...(team.retiredTokens ?? []).map((token) => ({ token, retired: 1 })),
    ];
    for (const { token, retired } of tokens)
      await sql.run(
        `INSERT INTO resident_tokens (token_hash, town_id, grid_id, retired) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        [sha256Hex(token), townId, gridId, retired],
      );
  }
}

/** Step 4's backfill: the tokens of the team records already stored. */
export async function backfillResidentTokens(tx: SqlExecutor): Promise<void> {
  const rows = await tx.all<{ town_id: string; data: string }>(
    "SELECT town_id, data FROM records WHERE kind = 'gridTeams' AND is_deleted = 0",
  );
  for (const row of rows) await refreshResidentTokens(tx, row.town_id, [JSON.parse(row.data) as TeamTokens]);
}

export type TokenLookup = { townId: string; gridId: string; retired: boolean } | undefined;

export async function lookUpToken(sql: SqlExecutor, token: string): Promise<TokenLookup> {
  const row = await sql.get<{ town_id: string; grid_id: string; retired: number }>(
    'SELECT town_id, grid_id, retired FROM resident_tokens WHERE token_hash = ?',
    [sha256Hex(token)],
  );
  return row ? { townId: row.town_id, gridId: row.grid_id, retired: Number(row.retired) === 1 } : undefined;
}

export async function recordReport(
  sql: SqlExecutor,
  code: string,
  townId: string,
  problemId: string,
  at: number,
): Promise<void> {
  await sql.run(
    'INSERT INTO resident_reports (code_hash, town_id, problem_id, created_at) VALUES (?, ?, ?, ?)',
    [sha256Hex(code), townId, problemId, at],
  );
}

export async function lookUpReport(
  sql: SqlExecutor,
  code: string,
): Promise<{ townId: string; problemId: string } | undefined> {
  const row = await sql.get<{ town_id: string; problem_id: string }>(
    'SELECT town_id, problem_id FROM resident_reports WHERE code_hash = ?',
    [sha256Hex(code)],
  );
  return row ? { townId: row.town_id, problemId: row.problem_id } : undefined;
}
