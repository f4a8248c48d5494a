/**
 * Hostile input never makes the server fail (issue: a crafted push answered 500): 10,000 generated push
 * bodies, most of them shaped like real mutations with crafted values in their leaves (objects with a
 * `toString`, arrays, huge strings, wrong types), against the real handlers. Every answer is a 2xx or
 * a 4xx with the JSON error shape, never a 5xx.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/shared/domain/ids.ts';
import { MUTATION_NAMES } from '../../src/shared/mutations.ts';
import { PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { createHarness, newClientId, newHousehold, newPerson, newProblem, type Harness } from './harness.ts';
import { TEST_BACKEND } from '../support/test-store.ts';

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await createHarness({ households: 40 });
  token = await harness.login('wgz01');
});

/** Values that have broken message builders and parsers elsewhere. */
const nasty = fc.oneof(
  fc.constant({ toString: 1 }),
  fc.constant({ valueOf: null, toString: null }),
  fc.constant(Object.create(null) as object),
  fc.constant('__proto__'),
  fc.constant({ __proto__: { isDeleted: true } }),
  fc.string({ maxLength: 3000 }),
  fc.constant('x'.repeat(20_000)),
  fc.double(),
  fc.integer(),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.constant(-1),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.anything(), { maxLength: 5 }),
  fc.anything(),
);

/** Real args of every shape the planner knows, to fuzz leaf by leaf. */
function sampleArgs(gridId: string): unknown[] {
  const household = newHousehold(gridId);
  const person = newPerson(household);
  const problem = newProblem(gridId);
  return [
    { household, people: [person] },
    { id: household.id, changes: { notes: '备注', tags: ['elderly-alone'] } },
    { person },
    { id: person.id, changes: { tags: ['low-income'], phone: '13800000000' } },
    { id: person.id, status: 'moved-out', at: 1 },
    { problem },
    {
      id: problem.id,
      action: 'dispatch',
      payload: { assignee: { kind: 'department', id: 'dept-police', name: 'x' } },
      at: 1,
    },
    { id: problem.id, status: 'met', at: 1 },
    { id: newId(), changes: { outcome: 'refused', notes: null }, at: 1 },
    { id: newId(), at: 1 },
    {
      gridId,
      config: { byTag: { 'elderly-alone': 'daily', 'empty-nest': 'weekly' }, everyoneElse: 'quarterly' },
      at: 1,
    },
    {
      task: { id: newId(), title: '排查', kind: 'other', dueDate: '2099-01-01', targetKind: 'grid' },
      targets: { kind: 'grid', ids: [gridId, household.id] },
      at: 1,
    },
    { id: newId(), action: 'extend', dueDate: '2099-02-01', note: '顺延', at: 1 },
    {
      gridId,
      team: { members: [{ name: '王芳', role: 'leader', phone: '13800000000' }], hotline: '0571-12345678' },
      token: 'AAAAAAAAAAAAAAAAAAAAAAAA',
      at: 1,
    },
    { gridId, token: 'BBBBBBBBBBBBBBBBBBBBBBBB', at: 1 },
    { id: newId(), taskId: newId(), result: 'impossible', reason: '已搬走', photoIds: [], at: 1 },
  ];
}

/** Replaces one leaf (at a random depth) of a sample with a nasty value. */
function poison(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key, inner] = entries[path[0]! % entries.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  (copy as Record<string, unknown>)[key] = poison(inner, path.slice(1), replacement);
  return copy;
}

describe('push fuzz', () => {
  // Each push is a real transaction: over PostgreSQL's connections the 10,000 take minutes on a busy machine.
  const timeout = TEST_BACKEND === 'postgres' ? 600_000 : 180_000;
  it('10,000 generated push bodies give no 5xx', { timeout }, async () => {
    const samples = sampleArgs(harness.grid('XF-01'));
    const argsArb = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.nat(), fc.array(fc.nat(), { maxLength: 4 }), nasty) },
      { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constant([] as number[]), nasty) },
    );
    const mutationArb = fc.record({
      name: fc.oneof(
        { weight: 19, arbitrary: fc.constantFrom(...MUTATION_NAMES) },
        { weight: 1, arbitrary: nasty },
      ),
      args: argsArb.map(([pick, path, bad]) => poison(samples[pick % samples.length], path, bad)),
      createdAt: fc.oneof(
        { weight: 19, arbitrary: fc.constant(harness.clock.now) },
        { weight: 1, arbitrary: nasty },
      ),
    });
    const bodyArb = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 2 }).map((mutations) => ({ mutations })),
      },
      { weight: 1, arbitrary: fc.record({ mutations: nasty }) },
      { weight: 1, arbitrary: nasty.map((body) => ({ body })) },
    );
    let statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(bodyArb, async (generated) => {
        const clientId = newClientId();
        const body =
          'body' in generated
            ? generated.body
            : {
                protocolVersion: PROTOCOL_VERSION,
                clientId,
                mutations: Array.isArray(generated.mutations)
                  ? generated.mutations.map((m, i) => ({ ...m, clientId, mutationId: i + 1 }))
                  : generated.mutations,
              };
        const response = await harness.call('POST', '/api/push', { token, body });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          const error = (await response.json()) as { error?: { reason?: string; message?: string } };
          expect(typeof error.error?.message).toBe('string');
        }
      }),
      { numRuns: 10_000, seed: 20261201 },
    );
    // Most bodies reach the planner (200 with rejections), not only the request checks (400).
    expect(statuses.get(200) ?? 0).toBeGreaterThan(3000);
    statuses = new Map();
  });
});
