/** The search box keeps its text while the worker opens a result and comes back. */
class SearchState {
  #query = $state('');

  get query() {
    return this.#query;
  }
  set query(value: string) {
    this.#query = value;
  }

  reset() {
    this.#query = '';
  }
}

export const searchState = new SearchState();
