import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import zhCN from 'zod/v4/locales/zh-CN.js';
import type { z } from 'zod';
import type { ApiError, ApiErrorReason } from '../../shared/protocol.ts';
import type { LoginThrottle } from '../auth.ts';
import type { KdfParams } from '../auth.ts';
import type { Scope } from '../scope.ts';
import type { Store, StoredUser } from '../store/store.ts';

export interface ServerDeps {
  store: Store;
  now: () => number;
  throttle: LoginThrottle;
  kdf: KdfParams;
  /** Trust X-Forwarded-For (only behind a reverse proxy that sets it). */
  trustProxy: boolean;
}

export interface AppEnv {
  Bindings: { incoming?: IncomingMessage };
  Variables: { user: StoredUser; scope: Scope; tokenHash: string };
}

export type AppContext = Context<AppEnv>;

/** Any refusal the API answers with `{ error: { reason, message } }`; caught by the app's onError. */
export class ApiFailure extends Error {
  readonly status: ContentfulStatusCode;
  readonly reason: ApiErrorReason;
  readonly headers: Record<string, string>;
  constructor(
    status: ContentfulStatusCode,
    reason: ApiErrorReason,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.headers = headers;
  }
}

export function errorBody(reason: ApiErrorReason, message: string): ApiError {
  return { error: { reason, message } };
}

const zhErrorMap = zhCN().localeError;

/** Parses with a schema or fails with 400 and the first issue in Chinese, naming the field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value, { error: zhErrorMap });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new ApiFailure(400, 'invalid-request', `${issue?.message ?? '请求无效'}${path ? `（${path}）` : ''}`);
}

/** The body as JSON; the body-size limit has already run. */
export async function readJson(c: AppContext): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiFailure(400, 'invalid-request', '请求内容为空');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiFailure(400, 'invalid-request', '请求内容不是有效的 JSON');
  }
}

/** The caller's address, for throttling and the audit log. */
export function clientAddress(c: AppContext, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
