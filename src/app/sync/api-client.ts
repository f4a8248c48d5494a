import {
  accountResponseSchema,
  accountsResponseSchema,
  apiErrorSchema,
  type Account,
  type NewAccount,
  BLOB_GRID_HEADER,
  conflictsResponseSchema,
  type Conflict,
  deviceStatusSchema,
  type DeviceStatus,
  loginResponseSchema,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  pullResponseSchema,
  pushResponseSchema,
  type ApiErrorReason,
  type LoginResponse,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../shared/protocol.ts';
import {
  dashboardListSchema,
  dashboardSchema,
  type Dashboard,
  type DashboardFigure,
  type DashboardList,
} from '../../shared/dashboard.ts';
import { gridStaffSchema, type GridStaff } from '../../shared/grid-staff.ts';

/** The server answered with an error (4xx/5xx): `reason` is machine-readable, `message` is for people. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: ApiErrorReason | 'unknown';
  /** How long the server asked us to wait (Retry-After on 429/503), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, reason: ApiErrorReason | 'unknown', message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }

  /** Worth retrying later: the server is busy or broken, not the request. */
  get isTransient(): boolean {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3); a date in the past or nonsense is no wait. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The request never got an answer (offline, no signal, server down): said in the worker's words. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('没有连上镇服务器：请检查网络后再试', { cause });
    this.name = 'NetworkError';
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: FetchLike;
  getToken: () => string | null;
}

/** Typed calls to the sync server; every response is checked against the shared schemas. */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #fetch: FetchLike;
  readonly #getToken: () => string | null;

  constructor(options: ApiClientOptions) {
    this.#baseUrl = options.baseUrl ?? '';
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#getToken = options.getToken;
  }

  async #request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = this.#getToken();
    if (token) headers.set('authorization', `Bearer ${token}`);
    headers.set(PROTOCOL_HEADER, String(PROTOCOL_VERSION));
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      throw new NetworkError(error);
    }
    if (!response.ok) {
      const body: unknown = await response.json().catch(() => undefined);
      const parsed = apiErrorSchema.safeParse(body);
      const wait = retryAfterMs(response.headers.get('retry-after'));
      throw parsed.success
        ? new ApiError(response.status, parsed.data.error.reason, parsed.data.error.message, wait)
        : new ApiError(response.status, 'unknown', `服务器错误（${response.status}）`, wait);
    }
    return response;
  }

  async #json(path: string, init: RequestInit = {}): Promise<unknown> {
    const response = await this.#request(path, init);
    try {
      return await response.json();
    } catch (error) {
      // A cut-off body is a transport failure, not a server decision: retry it.
      throw new NetworkError(error);
    }
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const body = await this.#json('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return loginResponseSchema.parse(body);
  }

  async logout(): Promise<void> {
    await this.#request('/api/logout', { method: 'POST' });
  }

  /** `held`: the pull cursor this device has stored (what it has seen, for conflict detection). */
  async push(clientId: string, mutations: Mutation[], held?: number): Promise<PushResponse> {
    const body = await this.#json('/api/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        protocolVersion: PROTOCOL_VERSION,
        clientId,
        mutations,
        ...(held === undefined ? {} : { held }),
      }),
    });
    return pushResponseSchema.parse(body);
  }

  /**
   * `held`: the cursor this device has stored, when it asks ahead of it; `scope`: the scopeKey of
   * its last page, so the server can tell it the user's scope has changed.
   */
  async pull(
    cursor: number,
    clientId: string,
    limit?: number,
    held?: number,
    scope?: string,
  ): Promise<PullResponse> {
    const query = new URLSearchParams({ cursor: String(cursor), clientId });
    if (limit) query.set('limit', String(limit));
    if (held !== undefined && held < cursor) query.set('held', String(held));
    if (scope !== undefined) query.set('scope', scope);
    return pullResponseSchema.parse(await this.#json(`/api/pull?${query}`));
  }

  /** Content-addressed and idempotent: uploading the same photo twice is fine. */
  async putBlob(sha256: string, blob: Blob, gridId: string | undefined): Promise<void> {
    const headers: Record<string, string> = { 'content-type': blob.type || 'image/jpeg' };
    if (gridId) headers[BLOB_GRID_HEADER] = gridId;
    await this.#request(`/api/blobs/${sha256}`, { method: 'PUT', headers, body: blob });
  }

  /** The signed-in user's own password; their other devices are signed out. */
  async changePassword(current: string, next: string): Promise<void> {
    await this.#request('/api/me/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ current, next }),
    });
  }

  /**
   * What the server received from one of the signed-in user's own devices (a wiped phone's old
   * database); undefined when the server never heard from it.
   */
  async deviceStatus(clientId: string): Promise<DeviceStatus | undefined> {
    try {
      return deviceStatusSchema.parse(await this.#json(`/api/me/devices/${encodeURIComponent(clientId)}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Accounts (administrators only). */
  async accounts(): Promise<Account[]> {
    return accountsResponseSchema.parse(await this.#json('/api/admin/users')).users;
  }

  async createAccount(account: NewAccount): Promise<Account> {
    const body = await this.#json('/api/admin/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    return accountResponseSchema.parse(body).user;
  }

  async resetPassword(userId: string, password: string): Promise<void> {
    await this.#request(`/api/admin/users/${encodeURIComponent(userId)}/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password }),
    });
  }

  /** The grids a grid role's account covers from now on; it applies on that account's next request. */
  async setAccountGrids(userId: string, gridIds: string[]): Promise<Account> {
    const body = await this.#json(`/api/admin/users/${encodeURIComponent(userId)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gridIds }),
    });
    return accountResponseSchema.parse(body).user;
  }

  async revokeAccount(userId: string): Promise<void> {
    await this.#request(`/api/admin/users/${encodeURIComponent(userId)}/revoke`, { method: 'POST' });
  }

  /** The conflict log of the caller's grids: who overwrote which field, and what was lost. */
  async conflicts(): Promise<Conflict[]> {
    return conflictsResponseSchema.parse(await this.#json('/api/conflicts')).conflicts;
  }

  /** A resident's full phone number: asked of the server, which records who looked (audit). */
  async revealReporterPhone(problemId: string): Promise<string> {
    const body = (await this.#json(`/api/problems/${encodeURIComponent(problemId)}/reporter-phone`, {
      method: 'POST',
    })) as { phone?: unknown };
    if (typeof body.phone !== 'string') throw new Error('no phone in the answer');
    return body.phone;
  }

  /** Exports run on the device; the server's audit log still records them. */
  async reportExport(detail: {
    what: string;
    format: 'xlsx' | 'csv' | 'print';
    rows: number;
    gridIds: string[];
  }) {
    await this.#request('/api/audit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'export', detail: { ...detail, at: Date.now() } }),
    });
  }

  /** The figures of the caller's grids (a leader) or the whole town (center, admin). */
  async dashboard(): Promise<Dashboard> {
    return dashboardSchema.parse(await this.#json('/api/dashboard'));
  }

  /** The rows behind one figure (and one cell of it: `params`); `count` equals the figure. */
  async dashboardList(
    figure: DashboardFigure,
    params: Partial<Record<string, string>>,
    limit?: number,
  ): Promise<DashboardList> {
    const query = new URLSearchParams({ figure });
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
    if (limit !== undefined) query.set('limit', String(limit));
    return dashboardListSchema.parse(await this.#json(`/api/dashboard/list?${query}`));
  }

  /** The workers and helpers of the caller's grids, to dispatch to (a leader, center or admin). */
  async gridStaff(): Promise<GridStaff> {
    return gridStaffSchema.parse(await this.#json('/api/grid-staff'));
  }

  async getBlob(sha256: string): Promise<Blob> {
    return (await this.#request(`/api/blobs/${sha256}`)).blob();
  }
}
