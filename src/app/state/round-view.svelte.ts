/**
 * The round as Today and Tonight both read it: one live view of the grid's due list and one of the
 * shift's building checks, so the two screens can never disagree about who is due or what is done.
 * Call during component initialisation (they are Dexie live queries).
 */
import type { Shift } from '../../shared/schemas/index.ts';
import { appDb } from '../db/index.ts';
import { checksDue, todayView, type CheckDue, type TodayView } from '../db/round-queries.ts';
import { live, type Live } from './live.svelte.ts';
import { round } from './round.svelte.ts';
import { settings } from './settings.svelte.ts';

export function liveTodayView(): Live<TodayView | undefined> {
  return live(
    () => ({ gridId: settings.gridId, today: round.today }),
    ({ gridId, today }) => (gridId ? todayView(appDb, gridId, today) : Promise.resolve(undefined)),
    undefined as TodayView | undefined,
  );
}

/** The checks of a shift: the one the worker is on (Today), or the night's (Tonight). */
export function liveChecks(shift: () => Shift): Live<CheckDue[]> {
  return live(
    () => ({ gridId: settings.gridId, today: round.today, shift: shift() }),
    ({ gridId, today, shift }) => (gridId ? checksDue(appDb, gridId, today, shift) : Promise.resolve([])),
    [] as CheckDue[],
  );
}

/** Which of Today's sections are open; kept while the app runs, so coming back from a visit keeps them. */
export const todayFolds = $state({ checks: true, daily: true, others: true, done: false });
