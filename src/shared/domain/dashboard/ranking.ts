/**
 * 考评: how a grid's month is scored for the ranking table. Three of the figures the seeds' towns
 * report and promise, weighted by what the job is: the round first (日必访, "each worker visits the
 * key people at least once a day"), then answering (第一时间回应, 件件有回音) and resolving on time.
 */
export interface Ratio {
  part: number;
  whole: number;
}

export const RANKING_WEIGHTS = {
  /** Households on a cadence that are not overdue: the round is most of a worker's day. */
  visitsDone: 0.4,
  /** Problems taken up within RESPONSE_HOURS. */
  responded: 0.3,
  /** Problems resolved by their due time. */
  resolvedOnTime: 0.3,
} as const;
export type RankedFigure = keyof typeof RANKING_WEIGHTS;

/**
 * 0 to 100, one decimal: the weighted mean of the grid's shares. A share with nothing to divide by
 * (no problem this month) is left out and the others' weights scaled up, so a quiet grid is judged on
 * what it had to do; with nothing at all the score is 0 and the grid ranks last.
 */
export function gridScore(ratios: Record<RankedFigure, Ratio>): number {
  let weighted = 0;
  let weights = 0;
  for (const figure of Object.keys(RANKING_WEIGHTS) as RankedFigure[]) {
    const { part, whole } = ratios[figure];
    if (whole === 0) continue;
    weighted += RANKING_WEIGHTS[figure] * (part / whole);
    weights += RANKING_WEIGHTS[figure];
  }
  return weights === 0 ? 0 : Math.round((weighted / weights) * 1000) / 10;
}

/** Best first; equal scores by name, so the table does not reshuffle between refreshes. */
export function rankGrids<T extends { score: number; name: string }>(rows: readonly T[]): T[] {
  const collator = new Intl.Collator('zh', { numeric: true });
  return [...rows].sort((a, b) => b.score - a.score || collator.compare(a.name, b.name));
}
