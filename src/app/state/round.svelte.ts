import type { Shift } from '../../shared/schemas/index.ts';
import { shanghaiDay, shiftAt } from '../../shared/time.ts';

/**
 * The shift and day the worker is on. The shift follows the clock until the worker changes it
 * (a night round that starts at 17:30 is still the night round).
 */
class RoundState {
  #chosenShift = $state<Shift | null>(null);
  #now = $state(Date.now());

  get shift(): Shift {
    return this.#chosenShift ?? shiftAt(this.#now);
  }
  get today(): string {
    return shanghaiDay(this.#now);
  }
  /** The clock to the minute: screens left open all day (the inbox) re-judge "overdue" with it. */
  get now(): number {
    return this.#now;
  }
  get isShiftChosen() {
    return this.#chosenShift !== null;
  }

  chooseShift(shift: Shift | null) {
    this.#chosenShift = shift;
  }

  /** Re-reads the clock: called on a timer and when the app becomes visible, so midnight rolls over. */
  tick() {
    this.#now = Date.now();
  }

  start() {
    const tick = () => this.tick();
    const timer = setInterval(tick, 60_000);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }

  reset() {
    this.#chosenShift = null;
    this.#now = Date.now();
  }
}

export const round = new RoundState();
