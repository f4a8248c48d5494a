import type { Hono, MiddlewareHandler } from 'hono';
import {
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  pullQuerySchema,
  pushRequestSchema,
  type PullResponse,
  type PushResponse,
} from '../../shared/protocol.ts';
import { pullChanges } from '../pull.ts';
import { pushMutations } from '../push-batch.ts';
import { ApiFailure, parseOr400, readJson, type AppEnv, type ServerDeps } from './context.ts';
import { requireAuth } from './auth-routes.ts';

const PROTOCOL_MESSAGE = `协议版本不符：请更新应用（服务器为 ${PROTOCOL_VERSION}）`;

/** ARCHITECTURE.md sync step 7: a request from another protocol version is refused with a clear reason. */
export const checkProtocolHeader: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header(PROTOCOL_HEADER) !== String(PROTOCOL_VERSION))
    throw new ApiFailure(400, 'protocol-version', PROTOCOL_MESSAGE);
  await next();
};

export function registerSyncRoutes(app: Hono<AppEnv>, deps: ServerDeps) {
  const { store } = deps;

  app.post('/api/push', requireAuth(deps), async (c) => {
    const body = await readJson(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ApiFailure(400, 'invalid-request', '推送内容必须是一个对象');
    // Checked before the rest, so an old app is told to update rather than that its data is bad.
    if (!('protocolVersion' in body) || body.protocolVersion !== PROTOCOL_VERSION)
      throw new ApiFailure(400, 'protocol-version', PROTOCOL_MESSAGE);
    const request = parseOr400(pushRequestSchema, body);
    const user = c.get('user');
    const stray = request.mutations.find((m) => m.clientId !== request.clientId);
    if (stray)
      throw new ApiFailure(400, 'invalid-request', `操作 ${stray.mutationId} 的设备编号与推送不一致`);
    // Ids only ever grow on a device; a batch out of order would otherwise be skipped as "duplicate".
    for (let i = 1; i < request.mutations.length; i++) {
      if (request.mutations[i]!.mutationId <= request.mutations[i - 1]!.mutationId)
        throw new ApiFailure(400, 'invalid-request', '操作编号必须按从小到大的顺序推送');
    }
    const client = await store.clients.get(request.clientId);
    if (client && client.userId !== user.id)
      throw new ApiFailure(403, 'forbidden', '此设备编号属于另一个账号：换账号登录后请使用新的设备编号');
    if (!client) await store.clients.bind(request.clientId, user.townId, user.id, deps.now());
    // What the device holds decides which overwrites are conflicts; a cursor from a server since reset
    // can be no more than what this server has written.
    if (request.held !== undefined)
      await store.clients.setPulledVersion(
        request.clientId,
        Math.min(request.held, await store.towns.version(user.townId)),
      );
    const response: PushResponse = await pushMutations(store, user, c.get('scope'), request, deps.now());
    return c.json(response);
  });

  app.get('/api/pull', checkProtocolHeader, requireAuth(deps), async (c) => {
    const query = parseOr400(pullQuerySchema, c.req.query());
    if (query.cursor > (await store.towns.version(c.get('user').townId)))
      throw new ApiFailure(
        409,
        'invalid-request',
        '同步位置超出服务器数据（服务器可能已重置）：请清空本机数据后重新同步',
      );
    const response: PullResponse = await pullChanges(store, c.get('user'), c.get('scope'), query, deps.now());
    return c.json(response);
  });
}
