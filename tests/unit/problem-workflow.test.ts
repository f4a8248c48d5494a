import { describe, expect, it } from 'vitest';
import {
  ESCALATION_LADDER,
  PROBLEM_TRANSITIONS,
  TRANSITION_ACTIONS,
  applyProblemAction,
  availableActions,
  createProblemReport,
  isProblemOverdue,
  nextEscalation,
  type TransitionAction,
  type TransitionPayload,
  type TransitionResult,
} from '../../src/shared/domain/problem-workflow.ts';
import {
  PROBLEM_ACTIONS,
  PROBLEM_STATUSES,
  problemSchema,
  type Actor,
  type Assignee,
  type Problem,
  type ProblemStatus,
} from '../../src/shared/schemas/problem.ts';

// Fixed clock: every timestamp below is derived from T0, never from Date.now.
const T0 = 1_750_000_000_000;
const DAY = 86_400_000;
const PROBLEM_ID = '01900000-0000-7000-8000-0000000000a1';
const GRID_ID = '01900000-0000-7000-8000-0000000000b1';
const PHOTO = 'a'.repeat(64);
const PHOTO_2 = 'b'.repeat(64);

const DEPT_A: Assignee = { kind: 'department', id: 'dept-a', name: '城管执法中队' };
const DEPT_B: Assignee = { kind: 'department', id: 'dept-b', name: '住建办' };
const DEPT_C: Assignee = { kind: 'department', id: 'dept-c', name: '安监站' };
const WORKER_1: Assignee = { kind: 'worker', id: 'u-worker-1', name: '张网格' };
const HELPER_1: Assignee = { kind: 'worker', id: 'u-helper-1', name: '李兼职' };

/**
 * Who acts, and what the problem is assigned to when it has an assignee. The plain variants are not
 * the assignee (the problem belongs to another department); the "-assignee" variants are.
 */
const VARIANTS = {
  worker: { actor: { role: 'worker', userId: 'u-worker-2' }, assignee: DEPT_B },
  'worker-assignee': { actor: { role: 'worker', userId: 'u-worker-1' }, assignee: WORKER_1 },
  helper: { actor: { role: 'helper', userId: 'u-helper-2' }, assignee: DEPT_B },
  'helper-assignee': { actor: { role: 'helper', userId: 'u-helper-1' }, assignee: HELPER_1 },
  leader: { actor: { role: 'leader', userId: 'u-leader' }, assignee: DEPT_B },
  center: { actor: { role: 'center', userId: 'u-center' }, assignee: DEPT_B },
  department: { actor: { role: 'department', userId: 'u-dept-a', departmentId: 'dept-a' }, assignee: DEPT_B },
  'department-assignee': {
    actor: { role: 'department', userId: 'u-dept-a', departmentId: 'dept-a' },
    assignee: DEPT_A,
  },
  admin: { actor: { role: 'admin', userId: 'u-admin' }, assignee: DEPT_B },
  resident: { actor: { role: 'resident' }, assignee: DEPT_B },
} as const satisfies Record<string, { actor: Actor; assignee: Assignee }>;
type Variant = keyof typeof VARIANTS;
const VARIANT_NAMES = Object.keys(VARIANTS) as Variant[];

const STATUSES = Object.keys(PROBLEM_STATUSES) as ProblemStatus[];
/** Statuses in which a problem has been dispatched to someone (before that, or closed on the spot, nobody). */
const HAS_ASSIGNEE: ReadonlySet<ProblemStatus> = new Set([
  'dispatched',
  'accepted',
  'in-progress',
  'resolved',
  'feedback-given',
  'evaluated',
]);

/**
 * The rules restated independently of PROBLEM_TRANSITIONS, so a wrong table fails here.
 * `always`: allowed whatever the assignee; `ifAssignee`: allowed only as the current assignee.
 */
const EXPECTED: Record<
  TransitionAction,
  {
    from: readonly ProblemStatus[];
    to: (from: ProblemStatus) => ProblemStatus;
    always: readonly Variant[];
    ifAssignee: readonly Variant[];
  }
> = {
  'close-on-spot': {
    from: ['reported'],
    to: () => 'closed-on-the-spot',
    always: ['worker', 'worker-assignee', 'helper', 'helper-assignee', 'leader', 'admin'],
    ifAssignee: [],
  },
  escalate: {
    from: ['reported', 'accepted', 'in-progress'],
    to: () => 'reported',
    always: ['worker', 'worker-assignee', 'helper', 'helper-assignee', 'leader', 'admin'],
    ifAssignee: ['department-assignee'],
  },
  dispatch: {
    from: ['reported'],
    to: () => 'dispatched',
    always: ['leader', 'center', 'admin'],
    ifAssignee: [],
  },
  transfer: {
    from: ['dispatched', 'accepted'],
    to: () => 'dispatched',
    always: ['leader', 'center', 'admin'],
    ifAssignee: ['department-assignee'],
  },
  accept: {
    from: ['dispatched'],
    to: () => 'accepted',
    always: [],
    ifAssignee: ['worker-assignee', 'helper-assignee', 'department-assignee'],
  },
  progress: {
    from: ['reported', 'dispatched', 'accepted', 'in-progress'],
    to: (from) => (from === 'accepted' ? 'in-progress' : from),
    always: ['worker', 'worker-assignee', 'helper', 'helper-assignee', 'leader', 'center', 'admin'],
    ifAssignee: ['department-assignee'],
  },
  resolve: {
    from: ['accepted', 'in-progress'],
    to: () => 'resolved',
    always: ['leader', 'center', 'admin'],
    ifAssignee: ['worker-assignee', 'helper-assignee', 'department-assignee'],
  },
  feedback: {
    from: ['resolved'],
    to: () => 'feedback-given',
    always: ['worker', 'worker-assignee', 'helper', 'helper-assignee', 'leader', 'center', 'admin'],
    ifAssignee: [],
  },
  evaluate: {
    from: ['feedback-given'],
    to: () => 'evaluated',
    always: ['leader', 'center', 'admin'],
    ifAssignee: [],
  },
  'mark-abuse': {
    from: ['reported', 'dispatched', 'accepted', 'in-progress'],
    to: () => 'closed-abuse',
    always: ['leader', 'center', 'admin'],
    ifAssignee: [],
  },
};

/** The matrix runs the abuse mark on a resident's report: on anything else it is refused (below). */
const RESIDENT_REPORT: Partial<Problem> = { source: 'resident', reporter: { role: 'resident' } };
const matrixProblemOver = (action: TransitionAction): Partial<Problem> =>
  action === 'mark-abuse' ? RESIDENT_REPORT : {};

/** Everything any action could need; transfer/dispatch target a third department nobody holds yet. */
const FULL_PAYLOAD = {
  note: '已到现场处理',
  photoIds: [PHOTO],
  assignee: DEPT_C,
  reporterAnswer: '已解决，很满意',
  isSatisfied: true,
  score: 4,
} satisfies TransitionPayload;

const REPORTER: Actor = { role: 'worker', userId: 'u-worker-9', name: '王网格' };

/** A problem in the given state, built by hand so the matrix does not depend on the code under test. */
function problemAt(status: ProblemStatus, assignee?: Assignee, over: Partial<Problem> = {}): Problem {
  return {
    id: PROBLEM_ID,
    updatedAt: T0,
    isDeleted: false,
    gridId: GRID_ID,
    category: 'environment',
    severity: 'yellow',
    level: 3,
    path: 'on-the-spot',
    description: '3栋楼道堆放杂物',
    place: { text: '3栋2单元楼道' },
    photoIds: [PHOTO],
    source: 'snap',
    links: {},
    reporter: REPORTER,
    reportedAt: T0,
    status,
    ...(assignee ? { assignee } : {}),
    dueAt: T0 + 7 * DAY,
    history: [
      { at: T0, action: 'report', actor: REPORTER, fromStatus: null, toStatus: 'reported', photoIds: [] },
    ],
    ...over,
  };
}

const zh = (status: ProblemStatus) => PROBLEM_STATUSES[status].zh;
const HAN = /[\u4e00-\u9fff]/;

function expectOk(result: TransitionResult): Extract<TransitionResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.message}`);
  return result;
}
function expectFail(result: TransitionResult): Extract<TransitionResult, { ok: false }> {
  if (result.ok) throw new Error(`expected failure, got ${result.problem.status}`);
  return result;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const MATRIX = TRANSITION_ACTIONS.flatMap((action) =>
  STATUSES.flatMap((status) => VARIANT_NAMES.map((variant) => ({ action, status, variant }))),
);

describe('every action × from-status × role', () => {
  it('covers 10 actions × 9 statuses × 10 actor variants', () => {
    expect(TRANSITION_ACTIONS).toHaveLength(10);
    expect(MATRIX).toHaveLength(10 * 9 * 10);
  });

  it.each(MATRIX)('$action from $status by $variant', ({ action, status, variant }) => {
    const { actor, assignee } = VARIANTS[variant];
    const hasAssignee = HAS_ASSIGNEE.has(status);
    const problem = problemAt(status, hasAssignee ? assignee : undefined, matrixProblemOver(action));
    const rule = EXPECTED[action];
    const result = applyProblemAction(problem, action, actor, FULL_PAYLOAD, T0 + DAY);

    if (!rule.from.includes(status)) {
      const failure = expectFail(result);
      expect(failure.reason).toBe('illegal-transition');
      expect(failure.message).toBe(`“${zh(status)}”的问题不能“${PROBLEM_ACTIONS[action].zh}”`);
      return;
    }
    const allowed = rule.always.includes(variant) || (hasAssignee && rule.ifAssignee.includes(variant));
    if (!allowed) {
      const failure = expectFail(result);
      expect(failure.reason).toBe('forbidden');
      expect(failure.message).toMatch(HAN);
      return;
    }
    const { problem: next, event } = expectOk(result);
    expect(next.status).toBe(rule.to(status));
    expect(next.updatedAt).toBe(T0 + DAY);
    expect(next.history).toHaveLength(2);
    expect(next.history[1]).toBe(event);
    expect(event).toMatchObject({
      at: T0 + DAY,
      action,
      actor,
      fromStatus: status,
      toStatus: rule.to(status),
    });
    expect(() => problemSchema.parse(next)).not.toThrow();
  });

  it('availableActions agrees with applyProblemAction on every combination', () => {
    for (const status of STATUSES)
      for (const variant of VARIANT_NAMES) {
        const { actor, assignee } = VARIANTS[variant];
        const problem = problemAt(status, HAS_ASSIGNEE.has(status) ? assignee : undefined);
        const passing = TRANSITION_ACTIONS.filter(
          (action) =>
            applyProblemAction(
              { ...problem, ...matrixProblemOver(action) },
              action,
              actor,
              FULL_PAYLOAD,
              T0 + DAY,
            ).ok,
        ).filter((action) => action !== 'mark-abuse');
        // availableActions sees the snap report, on which the abuse mark is refused.
        expect(availableActions(problem, actor), `${status} / ${variant}`).toEqual(passing);
      }
  });
});

describe('the transition table', () => {
  it('has one entry per action except report', () => {
    expect(Object.keys(PROBLEM_TRANSITIONS).sort()).toEqual(
      Object.keys(PROBLEM_ACTIONS)
        .filter((a) => a !== 'report')
        .sort(),
    );
  });

  it('lets admin do everything the leader may, and residents nothing', () => {
    for (const action of TRANSITION_ACTIONS) {
      const rule = PROBLEM_TRANSITIONS[action];
      const roles: readonly string[] = rule.roles;
      const assigneeRoles: readonly string[] = rule.assigneeRoles;
      if (roles.includes('leader')) expect(roles, action).toContain('admin');
      expect([...roles, ...assigneeRoles], action).not.toContain('resident');
    }
  });
});

describe('role and assignee messages', () => {
  it('names the role that may not act', () => {
    const failure = expectFail(
      applyProblemAction(problemAt('reported'), 'dispatch', VARIANTS.worker.actor, FULL_PAYLOAD, T0),
    );
    expect(failure).toEqual({ ok: false, reason: 'forbidden', message: '网格员不能派单' });
  });

  it('uses the status names in illegal-transition messages', () => {
    const failure = expectFail(
      applyProblemAction(
        problemAt('resolved', DEPT_A),
        'accept',
        VARIANTS['department-assignee'].actor,
        {},
        T0,
      ),
    );
    expect(failure).toEqual({ ok: false, reason: 'illegal-transition', message: '“已办结”的问题不能“接单”' });
  });

  it('accept: the assignee department may, another department may not', () => {
    const dispatched = problemAt('dispatched', DEPT_A);
    expect(
      expectOk(
        applyProblemAction(dispatched, 'accept', { role: 'department', departmentId: 'dept-a' }, {}, T0),
      ).problem.status,
    ).toBe('accepted');
    expect(
      expectFail(
        applyProblemAction(dispatched, 'accept', { role: 'department', departmentId: 'dept-b' }, {}, T0),
      ),
    ).toEqual({ ok: false, reason: 'forbidden', message: '只有承办单位可以接单' });
    // Department staff with no department cannot be anyone's assignee.
    expect(applyProblemAction(dispatched, 'accept', { role: 'department' }, {}, T0).ok).toBe(false);
    // The leader dispatches but does not accept on the department's behalf.
    expect(expectFail(applyProblemAction(dispatched, 'accept', VARIANTS.leader.actor, {}, T0)).reason).toBe(
      'forbidden',
    );
  });

  it('accept: the assigned worker may, another worker may not', () => {
    const dispatched = problemAt('dispatched', WORKER_1);
    expect(
      applyProblemAction(dispatched, 'accept', { role: 'worker', userId: 'u-worker-1' }, {}, T0).ok,
    ).toBe(true);
    expect(
      expectFail(applyProblemAction(dispatched, 'accept', { role: 'worker', userId: 'u-worker-2' }, {}, T0)),
    ).toEqual({ ok: false, reason: 'forbidden', message: '只有承办单位可以接单' });
  });

  it('matches the assignee by kind as well as id', () => {
    // A department whose id happens to equal a worker's user id is still not that worker.
    const toWorker = problemAt('dispatched', { kind: 'worker', id: 'same-id', name: '赵网格' });
    expect(
      applyProblemAction(toWorker, 'accept', { role: 'department', departmentId: 'same-id' }, {}, T0).ok,
    ).toBe(false);
    const toDept = problemAt('dispatched', { kind: 'department', id: 'same-id', name: '司法所' });
    expect(applyProblemAction(toDept, 'accept', { role: 'worker', userId: 'same-id' }, {}, T0).ok).toBe(
      false,
    );
  });

  it('a department may transfer or escalate only what it holds', () => {
    const held = problemAt('accepted', DEPT_A);
    const other = problemAt('accepted', DEPT_B);
    const dept = VARIANTS['department-assignee'].actor;
    expect(expectOk(applyProblemAction(held, 'transfer', dept, FULL_PAYLOAD, T0)).problem.assignee).toEqual(
      DEPT_C,
    );
    const failure = expectFail(applyProblemAction(other, 'transfer', dept, FULL_PAYLOAD, T0));
    expect(failure).toEqual({
      ok: false,
      reason: 'forbidden',
      message: '职能部门只有作为本问题的承办单位时才能转办',
    });
    expect(applyProblemAction(held, 'escalate', dept, FULL_PAYLOAD, T0).ok).toBe(true);
    expect(expectFail(applyProblemAction(other, 'escalate', dept, FULL_PAYLOAD, T0)).reason).toBe(
      'forbidden',
    );
  });

  it('a worker resolves only what is assigned to them; the leader resolves anything open', () => {
    const mine = problemAt('in-progress', WORKER_1);
    expect(applyProblemAction(mine, 'resolve', VARIANTS['worker-assignee'].actor, FULL_PAYLOAD, T0).ok).toBe(
      true,
    );
    expect(
      expectFail(applyProblemAction(mine, 'resolve', VARIANTS.worker.actor, FULL_PAYLOAD, T0)).reason,
    ).toBe('forbidden');
    expect(applyProblemAction(mine, 'resolve', VARIANTS.leader.actor, FULL_PAYLOAD, T0).ok).toBe(true);
  });

  it('checks status before role and role before payload', () => {
    const resident = VARIANTS.resident.actor;
    // Wrong status, wrong role, empty payload: the status is named first.
    expect(
      expectFail(applyProblemAction(problemAt('evaluated', DEPT_A), 'resolve', resident, {}, T0)).reason,
    ).toBe('illegal-transition');
    // Right status, wrong role, empty payload: the role is named.
    expect(
      expectFail(applyProblemAction(problemAt('in-progress', DEPT_A), 'resolve', resident, {}, T0)).reason,
    ).toBe('forbidden');
    // Right status and role, empty payload: what is missing is named.
    expect(
      expectFail(
        applyProblemAction(problemAt('in-progress', DEPT_A), 'resolve', VARIANTS.leader.actor, {}, T0),
      ).reason,
    ).toBe('missing-field');
  });
});

describe('payload requirements', () => {
  const leader = VARIANTS.leader.actor;
  const worker = VARIANTS.worker.actor;
  const inProgress = problemAt('in-progress', DEPT_A);

  it('resolve needs a note and a photo', () => {
    const message = '办结需要填写处置说明并上传至少一张照片';
    expect(applyProblemAction(inProgress, 'resolve', leader, { note: '已清理' }, T0)).toEqual({
      ok: false,
      reason: 'missing-field',
      message,
    });
    expect(applyProblemAction(inProgress, 'resolve', leader, { photoIds: [PHOTO] }, T0)).toEqual({
      ok: false,
      reason: 'missing-field',
      message,
    });
    // A note of spaces is no note.
    expect(
      expectFail(applyProblemAction(inProgress, 'resolve', leader, { note: '   ', photoIds: [PHOTO] }, T0))
        .reason,
    ).toBe('missing-field');
    const { problem, event } = expectOk(
      applyProblemAction(
        inProgress,
        'resolve',
        leader,
        { note: ' 已清理 ', photoIds: [PHOTO, PHOTO_2] },
        T0 + 5,
      ),
    );
    expect(problem.resolvedAt).toBe(T0 + 5);
    expect(event.note).toBe('已清理');
    expect(event.photoIds).toEqual([PHOTO, PHOTO_2]);
    // Handling photos stay on the event; the problem keeps the report's own.
    expect(problem.photoIds).toEqual([PHOTO]);
  });

  it('rejects malformed photo ids as invalid', () => {
    const failure = expectFail(
      applyProblemAction(inProgress, 'resolve', leader, { note: '已清理', photoIds: ['not-a-hash'] }, T0),
    );
    expect(failure.reason).toBe('invalid');
    expect(failure.message).toMatch(HAN);
  });

  it('feedback needs the reporter answer and whether they are satisfied', () => {
    const resolved = problemAt('resolved', DEPT_A);
    for (const payload of [
      { isSatisfied: true },
      { reporterAnswer: '', isSatisfied: true },
      { reporterAnswer: '  ', isSatisfied: false },
      { reporterAnswer: '满意' },
    ] satisfies TransitionPayload[])
      expect(applyProblemAction(resolved, 'feedback', worker, payload, T0)).toEqual({
        ok: false,
        reason: 'missing-field',
        message: '反馈需要填写群众意见并选择是否满意',
      });
    const { problem, event } = expectOk(
      applyProblemAction(
        resolved,
        'feedback',
        worker,
        { reporterAnswer: '不太满意，还有味道', isSatisfied: false },
        T0,
      ),
    );
    expect(problem.status).toBe('feedback-given');
    expect(event).toMatchObject({ reporterAnswer: '不太满意，还有味道', isSatisfied: false });
  });

  it('evaluate needs an integer score from 1 to 5', () => {
    const given = problemAt('feedback-given', DEPT_A);
    expect(applyProblemAction(given, 'evaluate', leader, {}, T0)).toEqual({
      ok: false,
      reason: 'missing-field',
      message: '评价需要打分（1 到 5 分）',
    });
    for (const score of [0, 6, 2.5, -1])
      expect(applyProblemAction(given, 'evaluate', leader, { score }, T0), String(score)).toEqual({
        ok: false,
        reason: 'invalid',
        message: '评分必须是 1 到 5 的整数',
      });
    for (const score of [1, 5])
      expect(expectOk(applyProblemAction(given, 'evaluate', leader, { score }, T0)).event.score).toBe(score);
  });

  it('transfer needs a different assignee and a reason', () => {
    const accepted = problemAt('accepted', DEPT_A);
    const same = expectFail(
      applyProblemAction(accepted, 'transfer', leader, { assignee: DEPT_A, note: '转给你' }, T0),
    );
    expect(same.reason).toBe('invalid');
    expect(same.message).toContain(DEPT_A.name);
    // Same kind and id under another display name is still the same assignee.
    expect(
      expectFail(
        applyProblemAction(
          accepted,
          'transfer',
          leader,
          { assignee: { ...DEPT_A, name: '城管' }, note: '转' },
          T0,
        ),
      ).reason,
    ).toBe('invalid');
    expect(expectFail(applyProblemAction(accepted, 'transfer', leader, { assignee: DEPT_B }, T0))).toEqual({
      ok: false,
      reason: 'missing-field',
      message: '转办需要选择新的承办单位并填写转办理由',
    });
    expect(
      expectFail(applyProblemAction(accepted, 'transfer', leader, { note: '不归我们管' }, T0)).reason,
    ).toBe('missing-field');
    const { problem, event } = expectOk(
      applyProblemAction(accepted, 'transfer', leader, { assignee: DEPT_B, note: '属住建职责' }, T0),
    );
    expect(problem).toMatchObject({ status: 'dispatched', assignee: DEPT_B });
    expect(event).toMatchObject({ assignee: DEPT_B, note: '属住建职责', fromStatus: 'accepted' });
  });

  it('dispatch needs an assignee', () => {
    expect(applyProblemAction(problemAt('reported'), 'dispatch', leader, { note: '请处理' }, T0)).toEqual({
      ok: false,
      reason: 'missing-field',
      message: '派单需要选择承办单位',
    });
  });

  it('close on the spot and escalate need a note', () => {
    expect(
      expectFail(
        applyProblemAction(problemAt('reported'), 'close-on-spot', worker, { photoIds: [PHOTO] }, T0),
      ),
    ).toEqual({
      ok: false,
      reason: 'missing-field',
      message: '现场办结需要填写处置说明',
    });
    expect(expectFail(applyProblemAction(problemAt('reported'), 'escalate', worker, {}, T0)).reason).toBe(
      'missing-field',
    );
    const { problem } = expectOk(
      applyProblemAction(problemAt('reported'), 'close-on-spot', worker, { note: '已劝离' }, T0 + 9),
    );
    expect(problem).toMatchObject({ status: 'closed-on-the-spot', resolvedAt: T0 + 9 });
  });

  it('progress needs a note or a photo, and starts the work only after accepting', () => {
    const accepted = problemAt('accepted', DEPT_A);
    expect(applyProblemAction(accepted, 'progress', worker, { note: '' }, T0)).toEqual({
      ok: false,
      reason: 'missing-field',
      message: '进展需要填写说明或上传至少一张照片',
    });
    expect(
      expectOk(applyProblemAction(accepted, 'progress', worker, { photoIds: [PHOTO] }, T0)).problem.status,
    ).toBe('in-progress');
    expect(
      expectOk(applyProblemAction(accepted, 'progress', worker, { note: '已联系物业' }, T0)).event.note,
    ).toBe('已联系物业');
    expect(
      expectOk(
        applyProblemAction(problemAt('dispatched', DEPT_A), 'progress', worker, { note: '等待接单' }, T0),
      ).problem.status,
    ).toBe('dispatched');
  });

  it('keeps only the fields an action means on its event', () => {
    const { event } = expectOk(
      applyProblemAction(problemAt('reported'), 'progress', worker, FULL_PAYLOAD, T0),
    );
    expect(event).not.toHaveProperty('assignee');
    expect(event).not.toHaveProperty('score');
    expect(event).not.toHaveProperty('reporterAnswer');
  });
});

describe('escalation ladder', () => {
  const worker = VARIANTS.worker.actor;

  it('climbs one rung at a time to departments at level 1, then refuses', () => {
    let problem = problemAt('reported');
    const seen: Array<{ path: string; level: number }> = [];
    for (let step = 1; step <= 3; step++) {
      const { problem: next, event } = expectOk(
        applyProblemAction(problem, 'escalate', worker, { note: `第${step}次上报` }, T0 + step),
      );
      expect(next.status).toBe('reported');
      expect(event.level).toBe(next.level);
      seen.push({ path: next.path, level: next.level });
      problem = next;
    }
    expect(seen).toEqual([
      { path: 'leader', level: 3 },
      { path: 'leader', level: 2 },
      { path: 'departments', level: 1 },
    ]);
    const refused = expectFail(applyProblemAction(problem, 'escalate', worker, { note: '再上报' }, T0 + 9));
    expect(refused.reason).toBe('illegal-transition');
    expect(refused.message).toContain('最高层级');
    expect(availableActions(problem, worker)).not.toContain('escalate');
  });

  it('clears the assignee so the next level dispatches afresh', () => {
    const accepted = problemAt('accepted', DEPT_A, { path: 'leader', level: 3 });
    const { problem, event } = expectOk(
      applyProblemAction(
        accepted,
        'escalate',
        VARIANTS['department-assignee'].actor,
        { note: '需镇级协调' },
        T0,
      ),
    );
    expect(problem).toMatchObject({ status: 'reported', path: 'leader', level: 2 });
    expect(problem).not.toHaveProperty('assignee');
    expect(event).toMatchObject({ level: 2, fromStatus: 'accepted', toStatus: 'reported' });
    expect(() => problemSchema.parse(problem)).not.toThrow();
  });

  it('moves off-ladder pairs up, never down', () => {
    expect(ESCALATION_LADDER).toHaveLength(4);
    expect(nextEscalation('departments', 3)).toEqual({ path: 'leader', level: 2 });
    expect(nextEscalation('on-the-spot', 2)).toEqual({ path: 'leader', level: 2 });
    expect(nextEscalation('leader', 1)).toEqual({ path: 'departments', level: 1 });
    expect(nextEscalation('departments', 1)).toBeUndefined();
  });
});

describe('the whole closed loop', () => {
  it('goes reported -> dispatched -> accepted -> in-progress -> resolved -> feedback-given -> evaluated', () => {
    const worker: Actor = { role: 'worker', userId: 'u-worker-1', name: '张网格' };
    const center: Actor = { role: 'center', userId: 'u-center' };
    const dept: Actor = { role: 'department', userId: 'u-dept-a', departmentId: 'dept-a' };
    const leader: Actor = { role: 'leader', userId: 'u-leader' };

    let problem = createProblemReport(
      {
        id: PROBLEM_ID,
        gridId: GRID_ID,
        category: 'safety-hazard',
        severity: 'orange',
        description: '桥头护栏松动',
        place: { text: '村口桥头' },
        photoIds: [PHOTO],
        source: 'snap',
        links: {},
      },
      worker,
      T0,
    );
    expect(() => problemSchema.parse(problem)).not.toThrow();

    const steps: Array<[TransitionAction, Actor, TransitionPayload, ProblemStatus]> = [
      ['dispatch', center, { assignee: DEPT_A }, 'dispatched'],
      ['accept', dept, {}, 'accepted'],
      ['progress', dept, { note: '已设置警示带', photoIds: [PHOTO_2] }, 'in-progress'],
      ['resolve', dept, { note: '护栏已加固', photoIds: [PHOTO] }, 'resolved'],
      ['feedback', worker, { reporterAnswer: '修好了', isSatisfied: true }, 'feedback-given'],
      ['evaluate', leader, { score: 5 }, 'evaluated'],
    ];
    steps.forEach(([action, actor, payload, status], index) => {
      const at = T0 + (index + 1) * 3_600_000;
      const result = expectOk(applyProblemAction(problem, action, actor, payload, at));
      expect(result.problem.status, action).toBe(status);
      expect(result.problem.updatedAt).toBe(at);
      expect(() => problemSchema.parse(result.problem), action).not.toThrow();
      problem = result.problem;
    });

    expect(problem.history).toHaveLength(7);
    expect(problem.history.map((e) => e.toStatus)).toEqual([
      'reported',
      'dispatched',
      'accepted',
      'in-progress',
      'resolved',
      'feedback-given',
      'evaluated',
    ]);
    expect(problem.history.map((e) => e.fromStatus)).toEqual([
      null,
      'reported',
      'dispatched',
      'accepted',
      'in-progress',
      'resolved',
      'feedback-given',
    ]);
    expect(problem.assignee).toEqual(DEPT_A);
    expect(problem.resolvedAt).toBe(T0 + 4 * 3_600_000);
    expect(problem.history[6]?.score).toBe(5);
    expect(availableActions(problem, leader)).toEqual([]);
  });
});

describe('purity', () => {
  it('never mutates the problem, actor or payload', () => {
    const problem = deepFreeze(problemAt('accepted', DEPT_A));
    const before = structuredClone(problem);
    const actor = deepFreeze({ ...VARIANTS.leader.actor });
    const payload = deepFreeze({ note: '属住建职责', assignee: { ...DEPT_B }, photoIds: [PHOTO] });
    // Frozen inputs make any write throw in strict mode; the comparison catches the rest.
    for (const action of ['transfer', 'escalate', 'progress', 'resolve'] as const) {
      const { problem: next } = expectOk(applyProblemAction(problem, action, actor, payload, T0 + 1));
      expect(next).not.toBe(problem);
      expect(next.history).not.toBe(problem.history);
    }
    expect(problem).toEqual(before);
  });
});

describe('createProblemReport', () => {
  const fields = {
    id: PROBLEM_ID,
    gridId: GRID_ID,
    category: 'dispute',
    severity: 'red',
    description: '邻里噪音纠纷',
    place: { text: '5栋301' },
    photoIds: [],
    source: 'resident',
    links: {},
  } as const satisfies Parameters<typeof createProblemReport>[0];

  it('starts a worker report on the spot at level 3, due after the severity response days', () => {
    const problem = createProblemReport({ ...fields, photoIds: [] }, VARIANTS.worker.actor, T0);
    expect(problem).toMatchObject({
      status: 'reported',
      level: 3,
      path: 'on-the-spot',
      reportedAt: T0,
      updatedAt: T0,
      dueAt: T0 + DAY,
      reporter: VARIANTS.worker.actor,
    });
    expect(problem.history).toEqual([
      {
        at: T0,
        action: 'report',
        actor: VARIANTS.worker.actor,
        fromStatus: null,
        toStatus: 'reported',
        photoIds: [],
        level: 3,
      },
    ]);
    expect(() => problemSchema.parse(problem)).not.toThrow();
  });

  it('sends anyone else’s report to the grid leader, and keeps a given level and path', () => {
    expect(createProblemReport({ ...fields, photoIds: [] }, VARIANTS.resident.actor, T0).path).toBe('leader');
    const given = createProblemReport(
      { ...fields, photoIds: [], level: 2, path: 'departments', severity: 'blue' },
      VARIANTS.worker.actor,
      T0,
    );
    expect(given).toMatchObject({ level: 2, path: 'departments', dueAt: T0 + 15 * DAY });
  });
});

describe('isProblemOverdue', () => {
  const red = createProblemReport(
    {
      id: PROBLEM_ID,
      gridId: GRID_ID,
      category: 'safety-hazard',
      severity: 'red',
      description: '燃气泄漏',
      place: {},
      photoIds: [],
      source: 'snap',
      links: {},
    },
    VARIANTS.worker.actor,
    T0,
  );

  it('a red problem is due one day after it was reported', () => {
    expect(isProblemOverdue(red, T0 + DAY - 1)).toBe(false);
    expect(isProblemOverdue(red, T0 + DAY)).toBe(false);
    expect(isProblemOverdue(red, T0 + DAY + 1)).toBe(true);
  });

  it('every open status can be overdue; closed ones never are', () => {
    for (const status of STATUSES)
      expect(isProblemOverdue({ ...red, status }, T0 + 30 * DAY), status).toBe(
        PROBLEM_STATUSES[status].isOpen,
      );
    const closed = expectOk(
      applyProblemAction(red, 'close-on-spot', VARIANTS.worker.actor, { note: '已关阀通风' }, T0 + 2 * DAY),
    ).problem;
    expect(isProblemOverdue(closed, T0 + 100 * DAY)).toBe(false);
  });
});

describe("a resident's own report", () => {
  const resident: Actor = { role: 'resident' };
  const own = (status: ProblemStatus) => problemAt(status, DEPT_A, RESIDENT_REPORT);

  it('the resident says whether it was solved, then rates it', () => {
    const fed = expectOk(
      applyProblemAction(
        own('resolved'),
        'feedback',
        resident,
        { reporterAnswer: '解决了', isSatisfied: true },
        T0,
      ),
    );
    expect(fed.problem.status).toBe('feedback-given');
    const rated = expectOk(applyProblemAction(fed.problem, 'evaluate', resident, { score: 5 }, T0));
    expect(rated.event).toMatchObject({ action: 'evaluate', actor: resident, score: 5 });
  });

  it('a resident may not answer on a report a worker made, nor take any other step', () => {
    const failure = expectFail(
      applyProblemAction(problemAt('resolved', DEPT_A), 'feedback', resident, FULL_PAYLOAD, T0),
    );
    expect(failure.reason).toBe('forbidden');
    expect(availableActions(own('reported'), resident)).toEqual([]);
    expect(availableActions(own('resolved'), resident)).toEqual(['feedback']);
  });

  it('the abuse mark closes only a resident report, with a reason', () => {
    const snap = expectFail(
      applyProblemAction(problemAt('reported'), 'mark-abuse', VARIANTS.leader.actor, FULL_PAYLOAD, T0),
    );
    expect(snap.reason).toBe('illegal-transition');
    const noReason = expectFail(
      applyProblemAction(own('reported'), 'mark-abuse', VARIANTS.leader.actor, {}, T0),
    );
    expect(noReason.reason).toBe('missing-field');
    expect(PROBLEM_STATUSES['closed-abuse'].isOpen).toBe(false);
  });

  it("the leader dispatches it to the grid's worker, who accepts and resolves it with a public reply", () => {
    const report = problemAt('reported', undefined, { ...RESIDENT_REPORT, path: 'leader' });
    const leader = VARIANTS.leader.actor;
    const worker = VARIANTS['worker-assignee'].actor;
    expect(availableActions(report, leader)).toContain('dispatch');
    const dispatched = expectOk(applyProblemAction(report, 'dispatch', leader, { assignee: WORKER_1 }, T0));
    expect(dispatched.problem.assignee).toEqual(WORKER_1);
    expect(availableActions(dispatched.problem, worker)).toContain('accept');
    // Not yet accepted: the worker may not resolve it behind the dispatcher's back.
    expect(availableActions(dispatched.problem, worker)).not.toContain('resolve');
    const accepted = expectOk(applyProblemAction(dispatched.problem, 'accept', worker, {}, T0 + 1));
    const reply = '东门路灯已修好，感谢您的反映';
    const resolved = expectOk(
      applyProblemAction(
        accepted.problem,
        'resolve',
        worker,
        { note: '已报修，更换灯泡', photoIds: [PHOTO_2], publicReply: reply },
        T0 + 2,
      ),
    );
    expect(resolved.problem).toMatchObject({ status: 'resolved', resolvedAt: T0 + 2, assignee: WORKER_1 });
    expect(resolved.event).toMatchObject({ actor: worker, publicReply: reply });
    expect(problemSchema.safeParse(resolved.problem).success).toBe(true);
    // Another worker of the grid is not the assignee.
    expect(availableActions(accepted.problem, VARIANTS.worker.actor)).not.toContain('resolve');
  });

  it('a public reply is kept on resolve and feedback, never on other steps', () => {
    const payload = { ...FULL_PAYLOAD, publicReply: '楼道杂物已清理，谢谢您的反映' };
    const resolved = expectOk(
      applyProblemAction(problemAt('in-progress', DEPT_A), 'resolve', VARIANTS.leader.actor, payload, T0),
    );
    expect(resolved.event.publicReply).toBe('楼道杂物已清理，谢谢您的反映');
    const progress = expectOk(
      applyProblemAction(problemAt('in-progress', DEPT_A), 'progress', VARIANTS.leader.actor, payload, T0),
    );
    expect(progress.event.publicReply).toBeUndefined();
  });
});
