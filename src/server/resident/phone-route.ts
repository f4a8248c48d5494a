/**
 * The full number a resident left on their report, for the staff who may read the report: every
 * look is written into the town's audit log (the lists and the problem page show it masked).
 */
import type { Hono } from 'hono';
import { requireAuth } from '../http/auth-routes.ts';
import { ApiFailure, type AppEnv, type ServerDeps } from '../http/context.ts';
import { mayRead } from '../scope.ts';

export function registerReporterPhoneRoute(app: Hono<AppEnv>, deps: ServerDeps) {
  app.post('/api/problems/:id/reporter-phone', requireAuth(deps), async (c) => {
    const user = c.get('user');
    const stored = await deps.store.records.get(user.townId, 'problems', c.req.param('id'));
    // Out of scope and missing look the same.
    if (!stored || stored.isDeleted || !mayRead(c.get('scope'), stored) || !stored.data.reporterPhone)
      throw new ApiFailure(404, 'not-found', '没有找到这个问题的居民电话');
    await deps.store.journal.audit(user.townId, deps.now(), user.id, 'read-resident-phone', {
      problemId: stored.id,
      gridId: stored.gridId,
    });
    return c.json({ phone: stored.data.reporterPhone });
  });
}
