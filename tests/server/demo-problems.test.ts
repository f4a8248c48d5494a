import { beforeAll, describe, expect, it } from 'vitest';
import { isProblemOverdue } from '../../src/shared/domain/problem-workflow.ts';
import { PROBLEM_STATUSES, problemSchema, type Problem } from '../../src/shared/schemas/index.ts';
import { createHarness, T0, type Harness } from './harness.ts';

/**
 * `npm start` seeds a week of problems with the demo town, so each demo account has work to see: the
 * worker her own reports, the leader an inbox to dispatch, a department its orders, the command center
 * the whole town, with a photo that loads.
 */
let h: Harness;
let all: Problem[];

beforeAll(async () => {
  h = await createHarness({ households: 300, problems: true });
  all = (await h.store.records.live(h.townId, 'problems')).map((problem) => problemSchema.parse(problem));
});

const problemsIn = (changes: Awaited<ReturnType<Harness['pullAll']>>) =>
  changes.filter((c) => c.kind === 'problems').map((c) => problemSchema.parse(c.data));

describe('the demo town seeds a week of problems', () => {
  it('in every stage of the closed loop, none dated after now, some overdue', () => {
    expect(all.length).toBeGreaterThan(100);
    // Every status there is, so each screen and role has something to show.
    expect(new Set(all.map((p) => p.status))).toEqual(new Set(Object.keys(PROBLEM_STATUSES)));
    expect(all.every((p) => p.history.every((event) => event.at <= T0))).toBe(true);
    expect(all.some((p) => isProblemOverdue(p, T0))).toBe(true);
  });

  it('gives the worker her own reports, the leader an inbox, a department only its orders', async () => {
    const worker = (await h.store.accounts.byUsername('wgy01'))!;
    const mine = problemsIn(await h.pullAll(await h.login('wgy01')));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((p) => p.gridId === worker.gridIds[0])).toBe(true);
    expect(mine.some((p) => p.history[0]!.actor.userId === worker.id)).toBe(true);
    // Places of her own grid: a unit of one of its buildings, or one of its village houses.
    const gridId = worker.gridIds[0]!;
    const buildings = (await h.recordsIn('buildings', gridId)).map((b) => `${b.estate}${b.name}`);
    const addresses = new Set((await h.recordsIn('households', gridId)).map((x) => x.address));
    for (const { place } of mine) {
      const text = place.text ?? '';
      expect(addresses.has(text) || buildings.some((b) => text.startsWith(b)), text).toBe(true);
    }

    const leader = (await h.store.accounts.byUsername('wgz01'))!;
    const inbox = problemsIn(await h.pullAll(await h.login('wgz01')));
    expect(inbox.every((p) => leader.gridIds.includes(p.gridId))).toBe(true);
    expect(inbox.filter((p) => p.status === 'reported').length).toBeGreaterThan(3);
    expect(
      inbox.some((p) => p.history.some((e) => e.action === 'dispatch' && e.actor.userId === leader.id)),
    ).toBe(true);

    const police = problemsIn(await h.pullAll(await h.login('pcs')));
    expect(police.length).toBeGreaterThan(0);
    expect(police.every((p) => p.assignee?.kind === 'department' && p.assignee.id === 'dept-police')).toBe(
      true,
    );
    const officer = (await h.store.accounts.byUsername('pcs'))!;
    expect(
      police.some((p) => p.history.some((e) => e.action === 'accept' && e.actor.userId === officer.id)),
    ).toBe(true);
  });

  it('serves the photo a problem shows to whoever may read the problem', async () => {
    const token = await h.login('wgy01');
    const withPhoto = problemsIn(await h.pullAll(token)).find((p) => p.photoIds.length > 0);
    expect(withPhoto).toBeDefined();
    const response = await h.call('GET', `/api/blobs/${withPhoto!.photoIds[0]}`, { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});
