import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  planMutation,
  readsOf,
  type Plan,
  type PlanActor,
  type PlanReads,
  type RecordWrite,
} from '../../src/shared/domain/apply-mutation.ts';
import { DAILY_ROUND_TEMPLATE_ID } from '../../src/shared/domain/checklist-templates.ts';
import { idNumberCheckChar } from '../../src/shared/domain/id-number.ts';
import { newId } from '../../src/shared/domain/ids.ts';
import { mutationArgsSchemas, type MutationArgs, type MutationName } from '../../src/shared/mutations.ts';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Building, Hazard, Need, Person } from '../../src/shared/schemas/index.ts';
import { T0, newHousehold, newPerson, newProblem } from './harness.ts';

const GRID = newId();
const OTHER_GRID = newId();
const first17 = '32128319500308123';
const ID_NUMBER = first17 + idNumberCheckChar(first17);

const WORKER: PlanActor = { role: 'worker', userId: 'u-worker', name: '王丽' };
const HELPER: PlanActor = { role: 'helper', userId: 'u-helper', name: '赵桂英' };
const CENTER: PlanActor = { role: 'center', userId: 'u-center', name: '值班' };
const LEADER: PlanActor = { role: 'leader', userId: 'u-leader', name: '刘建华' };
const POLICE: PlanActor = { role: 'department', userId: 'u-police', departmentId: 'dept-police' };

/** The records a plan reads, in memory, with who last wrote each (for conflicts). */
function memoryReads(
  records: { kind: RecordKind; record: { id: string } }[],
  writers: Record<string, string> = {},
) {
  const byKey = new Map(records.map((r) => [`${r.kind}/${r.record.id}`, r.record]));
  const reads: PlanReads = {
    get: <K extends RecordKind>(kind: K, id: string) => byKey.get(`${kind}/${id}`) as RecordOf<K> | undefined,
    lastWriter: (_kind, id) => writers[id],
  };
  return reads;
}

/** Parses the args with the shared schema first, as the server does, then plans. */
function plan<N extends MutationName>(
  name: N,
  rawArgs: z.input<(typeof mutationArgsSchemas)[N]>,
  reads: PlanReads,
  actor: PlanActor = WORKER,
  writer?: string,
): Plan {
  const args = mutationArgsSchemas[name].parse(rawArgs) as MutationArgs<N>;
  return planMutation(name, args, reads, actor, T0 + 1000, writer ? { writer } : {});
}

function writesOf(result: Plan): RecordWrite[] {
  if (!result.ok) throw new Error(`rejected: ${result.reason} ${result.message}`);
  return result.writes;
}

const household = newHousehold(GRID, { phone: '13800000001' });
const person = newPerson(household, { idNumber: ID_NUMBER, tags: ['elderly-alone', 'chronic-illness'] });
const world = () =>
  memoryReads([
    { kind: 'households', record: household },
    { kind: 'people', record: person },
  ]);

describe('household.create', () => {
  it('writes the household and its members', () => {
    const h = newHousehold(GRID);
    const writes = writesOf(plan('household.create', { household: h, people: [newPerson(h)] }, world()));
    expect(writes.map((w) => w.kind)).toEqual(['households', 'people']);
  });

  it('refuses a member of another household or grid, and an id that already exists', () => {
    const h = newHousehold(GRID);
    const stray = newPerson(newHousehold(OTHER_GRID));
    expect(plan('household.create', { household: h, people: [stray] }, world())).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(
      plan('household.create', { household: { ...household, address: '别处' }, people: [] }, world()),
    ).toMatchObject({ ok: false, reason: 'invalid', message: `住户已存在：${household.id}` });
  });

  it('takes the very record already stored as the same create again (a replay), not a clash', () => {
    // Key order differs from the stored copy: equal content is what counts.
    const reordered = Object.fromEntries(Object.entries(household).reverse()) as typeof household;
    expect(writesOf(plan('household.create', { household: reordered, people: [] }, world()))).toEqual([
      { kind: 'households', record: household },
    ]);
  });

  it('lets only roles that may read ID numbers and health tags write them', () => {
    const h = newHousehold(GRID);
    const withId = { household: h, people: [newPerson(h, { idNumber: ID_NUMBER, birthDate: '1950-03-08' })] };
    expect(plan('household.create', withId, world(), HELPER)).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
    const withTag = { household: h, people: [newPerson(h, { tags: ['disabled'] })] };
    expect(plan('household.create', withTag, world(), CENTER)).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
    expect(plan('household.create', withId, world(), WORKER).ok).toBe(true);
  });
});

describe('household.update', () => {
  it('merges the changes into the stored household', () => {
    const [write] = writesOf(
      plan('household.update', { id: household.id, changes: { notes: '门口有狗' } }, world()),
    );
    expect(write).toMatchObject({
      kind: 'households',
      record: { ...household, notes: '门口有狗', updatedAt: T0 + 1000 },
    });
  });

  it('refuses a household that does not exist or was deleted', () => {
    const deleted = { ...household, id: newId(), isDeleted: true };
    const reads = memoryReads([{ kind: 'households', record: deleted }]);
    for (const id of [newId(), deleted.id])
      expect(plan('household.update', { id, changes: { notes: 'x' } }, reads)).toMatchObject({
        ok: false,
        reason: 'not-found',
      });
  });

  it('logs the overwritten value when another writer changed the field since this one last saw it', () => {
    const reads = memoryReads([{ kind: 'households', record: household }], { [household.id]: 'client-b' });
    const result = plan(
      'household.update',
      { id: household.id, changes: { phone: '13900000002' } },
      reads,
      WORKER,
      'client-a',
    );
    expect(result).toMatchObject({
      ok: true,
      conflicts: [
        {
          kind: 'households',
          id: household.id,
          field: 'phone',
          overwritten: '13800000001',
          value: '13900000002',
        },
      ],
    });
    // Same writer, or the same value: nothing was lost.
    const same = plan(
      'household.update',
      { id: household.id, changes: { phone: '13900000002' } },
      reads,
      WORKER,
      'client-b',
    );
    expect(same).toMatchObject({ ok: true, conflicts: [] });
    const unchanged = plan(
      'household.update',
      { id: household.id, changes: { phone: '13800000001' } },
      reads,
      WORKER,
      'client-a',
    );
    expect(unchanged).toMatchObject({ ok: true, conflicts: [] });
  });
});

describe('person.update', () => {
  it('refuses an ID number from a helper, who never sees one', () => {
    expect(
      plan('person.update', { id: person.id, changes: { idNumber: ID_NUMBER } }, world(), HELPER),
    ).toMatchObject({ ok: false, reason: 'forbidden' });
  });

  it('keeps the sensitive tags a helper could not see when the helper edits the tags', () => {
    const [write] = writesOf(
      plan(
        'person.update',
        { id: person.id, changes: { tags: ['elderly-alone', 'low-income'] } },
        world(),
        HELPER,
      ),
    );
    expect((write!.record as Person).tags.sort()).toEqual(['chronic-illness', 'elderly-alone', 'low-income']);
    expect(
      plan('person.update', { id: person.id, changes: { tags: ['key-person'] } }, world(), HELPER),
    ).toMatchObject({ ok: false, reason: 'forbidden' });
  });

  it('re-validates the merged person (birth date must match the ID number)', () => {
    expect(
      plan('person.update', { id: person.id, changes: { birthDate: '1960-01-01' } }, world()),
    ).toMatchObject({
      ok: false,
      reason: 'invalid',
      message: expect.stringContaining('出生日期'),
    });
  });
});

describe('person.moveOut', () => {
  it('moves a resident out once', () => {
    const [write] = writesOf(plan('person.moveOut', { id: person.id, status: 'moved-out', at: T0 }, world()));
    expect(write!.record).toMatchObject({ status: 'moved-out', movedOutAt: T0 });
    const gone = memoryReads([{ kind: 'people', record: write!.record }]);
    expect(plan('person.moveOut', { id: person.id, status: 'deceased', at: T0 }, gone)).toMatchObject({
      ok: false,
      reason: 'illegal-transition',
    });
  });
});

function need(overrides: Partial<Need> = {}): Need {
  return {
    id: newId(),
    updatedAt: T0,
    isDeleted: false,
    householdId: household.id,
    gridId: GRID,
    type: 'repair',
    description: '水管漏水',
    urgency: 'normal',
    status: 'open',
    history: [{ at: T0, status: 'open' }],
    createdAt: T0,
    ...overrides,
  };
}

/** A visit to `household` on 2026-03-01 (T0 is 10:00 that day in Shanghai). */
const newVisit = (overrides = {}) => ({
  id: newId(),
  updatedAt: T0,
  isDeleted: false,
  householdId: household.id,
  gridId: GRID,
  personIds: [],
  visitedAt: T0,
  day: '2026-03-01',
  shift: 'day' as const,
  outcome: 'met' as const,
  fiveSees: {},
  needIds: [],
  photoIds: [],
  ...overrides,
});

describe('visit.record and needs', () => {
  const visit = newVisit;

  it('writes the visit with its needs', () => {
    const writes = writesOf(plan('visit.record', { visit: visit(), needs: [need()] }, world()));
    expect(writes.map((w) => w.kind)).toEqual(['visits', 'needs']);
  });

  it('refuses a visit to an unknown household, or one filed under another grid', () => {
    expect(
      plan('visit.record', { visit: visit({ householdId: newId() }), needs: [] }, world()),
    ).toMatchObject({
      ok: false,
      reason: 'not-found',
    });
    expect(plan('visit.record', { visit: visit({ gridId: OTHER_GRID }), needs: [] }, world())).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses a new need that claims to be linked to a problem already', () => {
    expect(plan('need.create', { need: need({ problemId: newId() }) }, world())).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('appends the status change to the history, and refuses a change to the same status', () => {
    const open = need();
    const reads = memoryReads([{ kind: 'needs', record: open }]);
    const [write] = writesOf(
      plan('need.setStatus', { id: open.id, status: 'met', note: '已修好', at: T0 + 5 }, reads),
    );
    expect((write!.record as Need).history).toEqual([
      { at: T0, status: 'open' },
      { at: T0 + 5, status: 'met', note: '已修好' },
    ]);
    expect(plan('need.setStatus', { id: open.id, status: 'open', at: T0 }, reads)).toMatchObject({
      ok: false,
      reason: 'illegal-transition',
    });
  });
});

describe('visit.correct and visit.withdraw', () => {
  // Plans run at T0 + 1000, on the visit's own day.
  const today = newVisit;
  const readsWith = (visit: { id: string }, writers: Record<string, string> = {}) =>
    memoryReads([{ kind: 'visits', record: visit }], writers);

  it("withdraws today's visit as a tombstone that keeps its content", () => {
    const visit = today({ notes: '误点' });
    const [write] = writesOf(plan('visit.withdraw', { id: visit.id, at: T0 + 500 }, readsWith(visit)));
    expect(write).toEqual({ kind: 'visits', record: { ...visit, isDeleted: true, updatedAt: T0 + 500 } });
  });

  it("corrects what today's visit says, re-validated, and clears a note with null", () => {
    const visit = today({ notes: '误点' });
    const [write] = writesOf(
      plan(
        'visit.correct',
        { id: visit.id, changes: { outcome: 'nobody-home', notes: null }, at: T0 + 500 },
        readsWith(visit),
      ),
    );
    expect(write!.record).toEqual({
      ...visit,
      outcome: 'nobody-home',
      notes: undefined,
      updatedAt: T0 + 500,
    });
    expect('notes' in write!.record).toBe(false);
  });

  it('refuses to change a visit of another day, or one already withdrawn', () => {
    const yesterday = today({ day: '2026-02-28', visitedAt: T0 - 86_400_000 });
    expect(plan('visit.withdraw', { id: yesterday.id, at: T0 }, readsWith(yesterday))).toMatchObject({
      ok: false,
      reason: 'illegal-transition',
      message: '只能更正或撤回当天的走访（这条是 2026-02-28 的）',
    });
    const gone = today({ isDeleted: true });
    expect(
      plan('visit.correct', { id: gone.id, changes: { outcome: 'refused' }, at: T0 }, readsWith(gone)),
    ).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('judges the day by the clock of the plan, never a device clock running ahead', () => {
    const tomorrow = today({ day: '2026-03-02', visitedAt: T0 + 86_400_000 });
    // Stamped tomorrow by a fast clock, planned today: the visit is not of the plan's day.
    expect(
      plan('visit.withdraw', { id: tomorrow.id, at: T0 + 86_400_000 }, readsWith(tomorrow)),
    ).toMatchObject({ ok: false, reason: 'illegal-transition' });
  });

  it('never lets a correction move a visit to another household or day', () => {
    expect(
      mutationArgsSchemas['visit.correct'].safeParse({
        id: newId(),
        changes: { day: '2026-03-02' },
        at: T0,
      }).success,
    ).toBe(false);
  });

  it('refuses a correction that changes nothing, and withdrawing a visit corrected unseen is a conflict', () => {
    const visit = today({ notes: '门口聊了几句' });
    expect(
      plan('visit.correct', { id: visit.id, changes: { outcome: 'met' }, at: T0 }, readsWith(visit)),
    ).toMatchObject({ ok: false, reason: 'illegal-transition', message: '走访内容没有变化' });
    const withdrawn = plan(
      'visit.withdraw',
      { id: visit.id, at: T0 },
      readsWith(visit, { [visit.id]: 'someone-else' }),
    );
    expect(withdrawn.ok && withdrawn.conflicts.map((c) => [c.field, c.overwritten])).toEqual([
      ['outcome', 'met'],
      ['notes', '门口聊了几句'],
    ]);
  });

  it('logs the outcome another writer set since this one last saw the visit', () => {
    const visit = today();
    const result = plan(
      'visit.correct',
      { id: visit.id, changes: { outcome: 'refused' }, at: T0 },
      readsWith(visit, { [visit.id]: 'someone-else' }),
    );
    expect(result.ok && result.conflicts).toEqual([
      { kind: 'visits', id: visit.id, field: 'outcome', overwritten: 'met', value: 'refused' },
    ]);
  });
});

describe('checklists', () => {
  const building: Building = {
    id: newId(),
    updatedAt: T0,
    isDeleted: false,
    gridId: GRID,
    name: '1栋',
    estate: '幸福家园',
    floors: 6,
    units: 2,
    facilities: { elevators: 0, fireHydrants: 2, hasGasPipes: true, hasWaterPipes: true },
  };
  const run = (overrides = {}) => ({
    id: newId(),
    updatedAt: T0,
    isDeleted: false,
    templateId: DAILY_ROUND_TEMPLATE_ID,
    gridId: GRID,
    buildingId: building.id,
    day: '2026-03-01',
    shift: 'day' as const,
    completedAt: T0,
    results: [{ itemId: 'gas-pipes', result: 'fail' as const, photoIds: [] }],
    ...overrides,
  });
  const hazard = (runId: string, overrides: Partial<Hazard> = {}): Hazard => ({
    id: newId(),
    updatedAt: T0,
    isDeleted: false,
    gridId: GRID,
    runId,
    itemId: 'gas-pipes',
    buildingId: building.id,
    description: '燃气管道锈蚀',
    photoIds: [],
    reportedAt: T0,
    ...overrides,
  });
  const reads = () => memoryReads([{ kind: 'buildings', record: building }]);

  it('writes the run with a hazard per failed item', () => {
    const r = run();
    expect(
      writesOf(plan('checklist.recordRun', { run: r, hazards: [hazard(r.id)] }, reads())).map((w) => w.kind),
    ).toEqual(['checklistRuns', 'hazards']);
  });

  it('refuses a run of an unknown building and hazards that belong to another run', () => {
    expect(
      plan('checklist.recordRun', { run: run({ buildingId: newId() }), hazards: [] }, reads()),
    ).toMatchObject({
      ok: false,
      reason: 'not-found',
    });
    expect(plan('checklist.recordRun', { run: run(), hazards: [hazard(newId())] }, reads())).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('never lets a saved template replace a built-in one, and never marks one built-in', () => {
    const template = {
      id: newId(),
      updatedAt: T0,
      isDeleted: false,
      name: '夜间巡查',
      scope: 'building' as const,
      shifts: ['night' as const],
      items: [{ id: 'light', text: '楼道灯' }],
      gridId: GRID,
      isBuiltIn: true,
    };
    const [write] = writesOf(plan('checklistTemplate.save', { template }, reads()));
    expect(write!.record).toMatchObject({ isBuiltIn: false });
    expect(
      plan('checklistTemplate.save', { template: { ...template, id: DAILY_ROUND_TEMPLATE_ID } }, reads()),
    ).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
  });
});

describe('problem.report', () => {
  it('re-stamps the reporter with the real user and starts the loop at "reported"', () => {
    const forged = newProblem(GRID, {
      status: 'resolved',
      reporter: { role: 'leader', name: '冒充' },
      assignee: { kind: 'department', id: 'dept-police', name: '派出所' },
    });
    const [write] = writesOf(plan('problem.report', { problem: forged }, world(), HELPER));
    expect(write!.record).toMatchObject({
      status: 'reported',
      reporter: { role: 'helper', userId: 'u-helper' },
      history: [{ action: 'report', actor: { role: 'helper', userId: 'u-helper' } }],
    });
    expect(write!.record).not.toHaveProperty('assignee');
  });

  it('links the hazard it was made from, once', () => {
    const h: Hazard = {
      id: newId(),
      updatedAt: T0,
      isDeleted: false,
      gridId: GRID,
      runId: newId(),
      itemId: 'gas-pipes',
      description: '燃气管道锈蚀',
      photoIds: [],
      reportedAt: T0,
    };
    const problem = newProblem(GRID, { links: { hazardId: h.id } });
    const writes = writesOf(
      plan('problem.report', { problem }, memoryReads([{ kind: 'hazards', record: h }])),
    );
    expect(writes[1]).toMatchObject({ kind: 'hazards', record: { id: h.id, problemId: problem.id } });
    const linked = memoryReads([{ kind: 'hazards', record: writes[1]!.record }]);
    const again = newProblem(GRID, { links: { hazardId: h.id } });
    expect(plan('problem.report', { problem: again }, linked)).toMatchObject({
      ok: false,
      reason: 'illegal-transition',
    });
  });

  it('refuses a link to a need of another grid', () => {
    const foreign = need({ gridId: OTHER_GRID });
    const problem = newProblem(GRID, { links: { needId: foreign.id } });
    expect(
      plan('problem.report', { problem }, memoryReads([{ kind: 'needs', record: foreign }])),
    ).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });
});

describe('problem.act', () => {
  const reported = newProblem(GRID);
  const department: RecordOf<'departments'> = {
    id: 'dept-police',
    name: '派出所',
    isDeleted: false,
    updatedAt: T0,
  };
  const reads = () =>
    memoryReads([
      { kind: 'problems', record: reported },
      { kind: 'departments', record: department },
    ]);
  const police = { kind: 'department' as const, id: 'dept-police', name: '派出所' };

  it('runs the shared state machine with the real actor', () => {
    const [write] = writesOf(
      plan(
        'problem.act',
        { id: reported.id, action: 'dispatch', payload: { assignee: police }, at: T0 + 10 },
        reads(),
        LEADER,
      ),
    );
    expect(write!.record).toMatchObject({ status: 'dispatched', assignee: police });
    expect((write!.record as RecordOf<'problems'>).history.at(-1)!.actor).toMatchObject({
      role: 'leader',
      userId: 'u-leader',
    });
  });

  it('maps the state machine refusals to rejection reasons', () => {
    const act = (action: 'dispatch' | 'accept' | 'close-on-spot', actor: PlanActor, payload = {}) =>
      plan('problem.act', { id: reported.id, action, payload, at: T0 + 10 }, reads(), actor);
    expect(act('dispatch', WORKER, { assignee: police })).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(act('accept', POLICE)).toMatchObject({ ok: false, reason: 'illegal-transition' });
    expect(act('close-on-spot', WORKER)).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(
      act('dispatch', LEADER, { assignee: { kind: 'department', id: 'dept-nowhere', name: '不存在' } }),
    ).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(
      plan(
        'problem.act',
        { id: newId(), action: 'progress', payload: { note: 'x' }, at: T0 },
        reads(),
        LEADER,
      ),
    ).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('readsOf', () => {
  it('names every record a plan reads', () => {
    const problem = newProblem(GRID, { links: { hazardId: newId(), needId: newId() } });
    expect(readsOf('problem.report', { problem })).toEqual([
      { kind: 'problems', id: problem.id },
      { kind: 'hazards', id: problem.links.hazardId },
      { kind: 'needs', id: problem.links.needId },
    ]);
    expect(readsOf('person.moveOut', { id: person.id, status: 'deceased', at: T0 })).toEqual([
      { kind: 'people', id: person.id },
    ]);
    const h = newHousehold(GRID);
    const p = newPerson(h);
    expect(readsOf('household.create', { household: h, people: [p] })).toEqual([
      { kind: 'households', id: h.id },
      { kind: 'people', id: p.id },
    ]);
  });
});
