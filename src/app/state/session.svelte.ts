import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { PlanActor } from '../../shared/domain/apply-mutation.ts';
import type { User } from '../../shared/protocol.ts';
import type { Actor } from '../../shared/schemas/index.ts';

interface StoredSession {
  token: string;
  user: User;
}

/** Roles whose main screen is the problem inbox, not a grid's daily round. */
const INBOX_ROLES: ReadonlySet<Actor['role']> = new Set(['center', 'department', 'admin']);

/** Offline demo: the device acts as a grid worker of its own. */
const DEMO_ACTOR: PlanActor = { role: 'worker', name: '网格员', userId: 'demo-worker' };

/**
 * Who is using this device. Signed in, it is the server's user (the token lives in IndexedDB, never
 * in a URL); in the offline demo it is a local grid worker. The server re-checks every write anyway.
 */
class SessionState {
  #session = $state.raw<StoredSession | null>(null);
  #store: UseStore | undefined;

  #storeOf(): UseStore {
    this.#store ??= createStore('lianxin-session', 'session');
    return this.#store;
  }

  get user(): User | null {
    return this.#session?.user ?? null;
  }
  get token(): string | null {
    return this.#session?.token ?? null;
  }
  get isSignedIn(): boolean {
    return this.#session !== null;
  }
  get isInboxRole(): boolean {
    return this.#session !== null && INBOX_ROLES.has(this.#session.user.role);
  }

  get actor(): PlanActor {
    const user = this.#session?.user;
    if (!user) return DEMO_ACTOR;
    return { role: user.role, userId: user.id, name: user.name, departmentId: user.departmentId };
  }

  /** The actor for sync (rebasing pending changes); only when signed in. */
  get planActor(): PlanActor | null {
    const user = this.#session?.user;
    return user
      ? { role: user.role, userId: user.id, name: user.name, departmentId: user.departmentId }
      : null;
  }

  async load(): Promise<void> {
    this.#session = (await get<StoredSession>('session', this.#storeOf())) ?? null;
  }

  async signIn(token: string, user: User): Promise<void> {
    this.#session = { token, user };
    await set('session', this.#session, this.#storeOf());
  }

  async signOut(): Promise<void> {
    this.#session = null;
    await del('session', this.#storeOf());
  }

  reset() {
    this.#session = null;
  }
}

export const session = new SessionState();
