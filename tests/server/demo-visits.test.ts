import { beforeAll, describe, expect, it } from 'vitest';
import { computeDueList, DEFAULT_CADENCE_CONFIG } from '../../src/shared/domain/visit-cadence.ts';
import {
  householdSchema,
  personSchema,
  visitSchema,
  type Household,
  type Person,
  type Visit,
} from '../../src/shared/schemas/index.ts';
import { shanghaiDay } from '../../src/shared/time.ts';
import { createHarness, T0, type Harness } from './harness.ts';

/**
 * `npm start` seeds the workers' past visits with the demo town, written through the store like the
 * town's own records: a worker's first pull brings her grid's history, and Today opens on a day's work.
 */
let h: Harness;
let pulled: { households: Household[]; people: Person[]; visits: Visit[] };

beforeAll(async () => {
  h = await createHarness({ households: 2_000, visits: true });
  const changes = await h.pullAll(await h.login('wgy01'));
  const of = <T>(kind: string, schema: { parse(data: unknown): T }) =>
    changes.filter((c) => c.kind === kind && !c.isDeleted).map((c) => schema.parse(c.data));
  pulled = {
    households: of('households', householdSchema),
    people: of('people', personSchema),
    visits: of('visits', visitSchema),
  };
});

describe('the demo town seeds the workers’ past visits', () => {
  it('brings the worker her own grid’s visits, none from today on', async () => {
    const gridId = h.grid('XF-01');
    expect(pulled.visits.length).toBeGreaterThan(pulled.households.length);
    expect(pulled.visits.every((v) => v.gridId === gridId)).toBe(true);
    expect(pulled.visits.every((v) => v.visitedAt < T0 && v.day < shanghaiDay(T0))).toBe(true);
    expect(pulled.visits.length).toBe((await h.recordsIn('visits', gridId)).length);
  });

  it('leaves her a day of work on Today, not every household', () => {
    const list = computeDueList({ ...pulled, config: DEFAULT_CADENCE_CONFIG, today: shanghaiDay(T0) });
    expect(list.items.some((item) => item.isNeverVisited)).toBe(false);
    expect(list.counts.overdue).toBeGreaterThan(0);
    expect(list.todayTotal).toBeGreaterThan(0);
    expect(list.todayTotal).toBeLessThan(list.items.length / 2);
  });
});
