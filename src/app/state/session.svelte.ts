import type { Actor } from '../../shared/schemas/index.ts';

/**
 * Who is using this device. Until accounts arrive with the sync server, the device acts as the
 * grid worker; the server will set the real user and role on every mutation it applies.
 */
class SessionState {
  #actor = $state<Actor>({ role: 'worker', name: '网格员' });

  get actor(): Actor {
    return this.#actor;
  }

  setActor(actor: Actor) {
    this.#actor = actor;
  }

  reset() {
    this.#actor = { role: 'worker', name: '网格员' };
  }
}

export const session = new SessionState();
