/**
 * The resident's side, without an account: the page a grid card's QR code opens (/r/<token>), the
 * report it sends, and the tracking page (/r/t/<code>) with its rating. Every answer names only the
 * resident's own report's public fields or the card's printed team (resident-view.ts); every bad
 * input is a 4xx with a Chinese message; guessing tokens and codes runs into the miss limit.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { MutationArgs } from '../../shared/mutations.ts';
import type { RecordKind } from '../../shared/records.ts';
import { PROBLEM_CATEGORIES, type Problem } from '../../shared/schemas/problem.ts';
import { applyAsResident } from '../resident/resident-apply.ts';
import { registerReporterPhoneRoute } from '../resident/phone-route.ts';
import { checkLimit, countLimit, takeLimit } from '../resident/resident-limits.ts';
import {
  residentShell,
  RETIRED_CARD_PAGE,
  TOO_MANY_PAGE,
  UNKNOWN_CODE_PAGE,
} from '../resident/resident-page.ts';
import {
  fileResidentReport,
  newTrackingCode,
  normalizeCode,
  publicReportBodySchema,
  TOKEN_PATTERN,
} from '../resident/resident-report.ts';
import { lookUpReport, lookUpToken, sha256Hex, type TokenLookup } from '../resident/resident-store.ts';
import { publicReport, publicTeam } from '../resident/resident-view.ts';
import {
  ApiFailure,
  clientAddress,
  parseOr400,
  readJson,
  type AppContext,
  type AppEnv,
  type ServerDeps,
} from './context.ts';

const UNKNOWN_TOKEN = '二维码无效';
const RETIRED_TOKEN = '这张连心卡已更换，请扫描新卡上的二维码';
const UNKNOWN_CODE = '没有找到这条反映，请检查查询码';

const rateBodySchema = z.object({
  solved: z.boolean({ error: '请选择问题是否解决' }),
  score: z.number({ error: '请打分（1 到 5 星）' }).int().min(1).max(5),
  comment: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().trim().max(200, { error: '意见最多 200 字' }).optional(),
  ),
});

/** The card side the resident page shows. gridTeams is "card"'s record kind (schemas/grid-team.ts). */
const GRID_TEAMS = 'gridTeams' as RecordKind;

export function registerPublicRoutes(app: Hono<AppEnv>, deps: ServerDeps, distDir?: string) {
  const { store } = deps;
  const shell = residentShell(distDir);
  const address = (c: AppContext) => clientAddress(c, deps.trustProxy);
  registerReporterPhoneRoute(app, deps);

  /** A token as the database knows it, counting a miss against the address (enumeration). */
  async function resolveToken(c: AppContext, token: string): Promise<TokenLookup> {
    const now = deps.now();
    await checkLimit(store, 'missesPerAddress', address(c), now);
    const found = TOKEN_PATTERN.test(token) ? await lookUpToken(store.sql, token) : undefined;
    const grid = found && (await store.records.get(found.townId, 'grids', found.gridId));
    if (found && grid && !grid.isDeleted) return found;
    await countLimit(store, 'missesPerAddress', address(c), now);
    return undefined;
  }

  async function resolveCode(c: AppContext, raw: string): Promise<{ townId: string; problem: Problem }> {
    const now = deps.now();
    await checkLimit(store, 'missesPerAddress', address(c), now);
    const code = normalizeCode(raw);
    const found = code !== undefined ? await lookUpReport(store.sql, code) : undefined;
    const stored = found && (await store.records.get(found.townId, 'problems', found.problemId));
    if (found && stored && !stored.isDeleted) return { townId: found.townId, problem: stored.data };
    await countLimit(store, 'missesPerAddress', address(c), now);
    throw new ApiFailure(404, 'not-found', UNKNOWN_CODE);
  }

  function tokenOr4xx(found: TokenLookup): NonNullable<TokenLookup> {
    if (!found) throw new ApiFailure(404, 'not-found', UNKNOWN_TOKEN);
    if (found.retired) throw new ApiFailure(410, 'not-found', RETIRED_TOKEN);
    return found;
  }

  // The resident page's own build (its own Vite step): hashed names, cached for good.
  app.use('/resident/assets/*', async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  // The page itself. Tracking pages are the same page: the code is checked by the API it calls.
  app.get('/r/t/:code', async (c) => c.html(await shell(), 200, { 'Cache-Control': 'no-store' }));
  app.get('/r/:token', async (c) => {
    const headers = { 'Cache-Control': 'no-store' };
    let found: TokenLookup;
    try {
      found = await resolveToken(c, c.req.param('token'));
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 429) return c.html(TOO_MANY_PAGE, 429, headers);
      throw error;
    }
    if (!found) return c.html(UNKNOWN_CODE_PAGE, 404, headers);
    if (found.retired) return c.html(RETIRED_CARD_PAGE, 410, headers);
    return c.html(await shell(), 200, headers);
  });

  app.get('/api/public/grid/:token', async (c) => {
    const { townId, gridId } = tokenOr4xx(await resolveToken(c, c.req.param('token')));
    const grid = await store.records.get(townId, 'grids', gridId);
    const team = await store.records.get(townId, GRID_TEAMS, gridId);
    const teamData = team && !team.isDeleted ? (team.data as Parameters<typeof publicTeam>[1]) : undefined;
    const categories = Object.entries(PROBLEM_CATEGORIES).map(([key, { zh }]) => ({ key, label: zh }));
    return c.json({ ...publicTeam(grid?.data.name ?? '', teamData), categories });
  });

  app.post('/api/public/reports', async (c) => {
    const body = parseOr400(publicReportBodySchema, await readJson(c));
    const now = deps.now();
    await takeLimit(store, 'reportsPerAddress', address(c), now);
    // A bot filled the field people never see: it hears what a resident hears, and nothing is kept.
    if (body.website !== undefined && body.website !== '')
      return c.json(trackingAnswer(newTrackingCode()), 201);
    const where = tokenOr4xx(await resolveToken(c, body.token));
    await takeLimit(store, 'reportsPerToken', sha256Hex(body.token), now);
    const { code } = await fileResidentReport(store, where, body, now);
    return c.json(trackingAnswer(code), 201);
  });

  app.get('/api/public/track/:code', async (c) => {
    const { problem } = await resolveCode(c, c.req.param('code'));
    return c.json(publicReport(problem));
  });

  app.post('/api/public/track/:code/rate', async (c) => {
    const body = parseOr400(rateBodySchema, await readJson(c));
    await takeLimit(store, 'ratingsPerAddress', address(c), deps.now());
    const { townId, problem } = await resolveCode(c, c.req.param('code'));
    if (!publicReport(problem).canRate)
      throw new ApiFailure(409, 'conflict', '这条反映现在不能评价：还没有办结，或您已经评价过了');
    const now = deps.now();
    const act = (payload: MutationArgs<'problem.act'>['payload'], action: 'feedback' | 'evaluate') => ({
      name: 'problem.act' as const,
      args: { id: problem.id, action, payload, at: now },
    });
    const answer = body.comment ?? (body.solved ? '居民确认：问题已解决' : '居民反映：问题没有解决');
    // Someone may already have told the resident and noted their answer; then only the stars remain.
    await applyAsResident(
      store,
      townId,
      [
        ...(problem.status === 'resolved'
          ? [act({ reporterAnswer: answer, isSatisfied: body.solved, photoIds: [] }, 'feedback')]
          : []),
        act({ score: body.score, note: answer, photoIds: [] }, 'evaluate'),
      ],
      now,
    );
    const after = await store.records.get(townId, 'problems', problem.id);
    return c.json(publicReport(after!.data));
  });
}

/** The code in groups of four for copying, and the link that follows it. */
function trackingAnswer(code: string) {
  return { code, groups: code.match(/.{1,4}/g)!.join(' '), trackingPath: `/r/t/${code}` };
}
