/** A button on the toast: 撤销 after a one-tap write. */
export interface ToastAction {
  label: string;
  run: () => void | Promise<void>;
}

/** How long a toast stays: long enough to read, and with an action long enough to reach it. */
const PLAIN_MS = 2500;
const WITH_ACTION_MS = 6000;

/** One short message at a time ("saved, waiting to sync"), shown above the bottom bar. */
class ToastState {
  #message = $state('');
  #action = $state<ToastAction | undefined>(undefined);
  #timer: ReturnType<typeof setTimeout> | undefined;

  get message() {
    return this.#message;
  }

  get action() {
    return this.#action;
  }

  show(message: string, options: { action?: ToastAction; ms?: number } = {}) {
    this.#message = message;
    this.#action = options.action;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.reset(), options.ms ?? (options.action ? WITH_ACTION_MS : PLAIN_MS));
  }

  /** Runs the action once: the toast goes away first, so a second tap cannot run it again. */
  async act() {
    const action = this.#action;
    this.reset();
    await action?.run();
  }

  reset() {
    clearTimeout(this.#timer);
    this.#message = '';
    this.#action = undefined;
  }
}

export const toast = new ToastState();
