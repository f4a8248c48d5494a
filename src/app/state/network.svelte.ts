/** navigator.onLine as rune state. It only says a network exists, not that the town server answers. */
class NetworkState {
  #isOnline = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  get isOnline() {
    return this.#isOnline;
  }

  start() {
    const update = () => (this.#isOnline = navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }

  reset() {
    this.#isOnline = navigator.onLine;
  }
}

export const network = new NetworkState();
