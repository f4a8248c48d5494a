import { liveQuery } from 'dexie';

export interface Live<T> {
  readonly value: T;
  readonly isLoading: boolean;
  readonly error: unknown;
}

/**
 * A Dexie live query as rune state: re-runs when the tables it read change (this tab's writes or
 * another tab's). `deps` is read inside the effect, so a change of route parameter re-subscribes.
 * Call during component initialisation.
 */
export function live<D, T>(deps: () => D, query: (deps: D) => Promise<T>, initial: T): Live<T> {
  let value = $state.raw(initial);
  let isLoading = $state(true);
  let error = $state<unknown>(undefined);
  $effect(() => {
    const current = deps();
    isLoading = true;
    const subscription = liveQuery(() => query(current)).subscribe({
      next: (next) => {
        value = next;
        isLoading = false;
        error = undefined;
      },
      error: (e: unknown) => {
        error = e;
        isLoading = false;
      },
    });
    return () => subscription.unsubscribe();
  });
  return {
    get value() {
      return value;
    },
    get isLoading() {
      return isLoading;
    },
    get error() {
      return error;
    },
  };
}
