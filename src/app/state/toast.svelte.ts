/** One short message at a time ("saved, waiting to sync"), shown above the bottom bar. */
class ToastState {
  #message = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;

  get message() {
    return this.#message;
  }

  show(message: string, ms = 2500) {
    this.#message = message;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.#message = ''), ms);
  }

  reset() {
    clearTimeout(this.#timer);
    this.#message = '';
  }
}

export const toast = new ToastState();
