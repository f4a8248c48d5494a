/**
 * What the public page shows: a grid's card side (its name and team, as printed), and a resident's
 * own report as they may follow it. Built field by field from what is public, never by copying a
 * record and removing what is not: a field added to a record later stays private until named here.
 */
import { PROBLEM_CATEGORIES, type Problem, type ProblemStatus } from '../../shared/schemas/problem.ts';

/** The statuses in words a resident understands, not the office's. */
const RESIDENT_STATUS: Record<ProblemStatus, string> = {
  reported: '已收到，等待网格长处理',
  dispatched: '已交给承办人员',
  accepted: '承办人员已接单',
  'in-progress': '正在处理',
  resolved: '已处理完毕，请您确认',
  'feedback-given': '已回访',
  evaluated: '已评价，感谢您的反馈',
  'closed-on-the-spot': '已现场解决',
  'closed-abuse': '该反映已关闭',
};

export interface PublicReport {
  status: ProblemStatus;
  statusText: string;
  category: string;
  description: string;
  place?: string;
  reportedAt: number;
  resolvedAt?: number;
  hasPhoto: boolean;
  /** The latest reply written for the resident (resolve or feedback). */
  reply?: { text: string; at: number };
  /** Whether the page offers "问题解决了吗？" and the stars. */
  canRate: boolean;
  /** The resident's own answer, once given. */
  rating?: { isSatisfied?: boolean; score?: number };
  /** Dated steps, each named by what happened only. */
  steps: { at: number; text: string }[];
}

const STEP_TEXT: Partial<Record<Problem['history'][number]['action'], string>> = {
  report: '您提交了反映',
  dispatch: '已派给承办人员',
  transfer: '已转给其他承办人员',
  accept: '承办人员已接单',
  escalate: '已上报上级处理',
  resolve: '已处理完毕',
  'close-on-spot': '已现场解决',
  feedback: '已回访',
  evaluate: '已评价',
  'mark-abuse': '该反映已关闭',
};

export function publicReport(problem: Problem): PublicReport {
  const replies = problem.history.filter((e) => e.publicReply !== undefined && e.publicReply !== '');
  const last = replies.at(-1);
  const byResident = problem.history.filter((e) => e.actor.role === 'resident' && e.action !== 'report');
  const feedback = byResident.find((e) => e.action === 'feedback');
  const evaluation = byResident.find((e) => e.action === 'evaluate');
  const rated = feedback !== undefined || evaluation !== undefined;
  return {
    status: problem.status,
    statusText: RESIDENT_STATUS[problem.status],
    category: PROBLEM_CATEGORIES[problem.category].zh,
    description: problem.description,
    ...(problem.place.text ? { place: problem.place.text } : {}),
    reportedAt: problem.reportedAt,
    ...(problem.resolvedAt !== undefined && problem.status !== 'closed-abuse'
      ? { resolvedAt: problem.resolvedAt }
      : {}),
    hasPhoto: problem.photoIds.length > 0,
    ...(last?.publicReply ? { reply: { text: last.publicReply, at: last.at } } : {}),
    canRate: !rated && (problem.status === 'resolved' || problem.status === 'feedback-given'),
    ...(rated
      ? {
          rating: {
            ...(feedback?.isSatisfied !== undefined ? { isSatisfied: feedback.isSatisfied } : {}),
            ...(evaluation?.score !== undefined ? { score: evaluation.score } : {}),
          },
        }
      : {}),
    steps: problem.history.flatMap((e) => {
      const text = STEP_TEXT[e.action];
      return text ? [{ at: e.at, text }] : [];
    }),
  };
}

/** A team member as the card prints them. */
export interface PublicTeam {
  gridName: string;
  members: { name: string; role: string; phone?: string }[];
  servicePromise?: string;
  serviceHours?: string;
  hotline?: string;
}

const TEAM_ROLE_ZH: Record<string, string> = {
  leader: '网格长',
  worker: '专职网格员',
  helper: '兼职网格员',
  police: '网格警员',
  doctor: '家庭医生',
  other: '网格服务人员',
};

interface TeamFields {
  members?: { name: string; role: string; phone?: string }[];
  servicePromise?: string;
  serviceHours?: string;
  hotline?: string;
}

export function publicTeam(gridName: string, team: TeamFields | undefined): PublicTeam {
  return {
    gridName,
    members: (team?.members ?? []).map((m) => ({
      name: m.name,
      role: TEAM_ROLE_ZH[m.role] ?? '网格服务人员',
      ...(m.phone ? { phone: m.phone } : {}),
    })),
    ...(team?.servicePromise ? { servicePromise: team.servicePromise } : {}),
    ...(team?.serviceHours ? { serviceHours: team.serviceHours } : {}),
    ...(team?.hotline ? { hotline: team.hotline } : {}),
  };
}
