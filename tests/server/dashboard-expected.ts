/**
 * The dashboard worked out by hand: plain loops over every generated record (dashboard-town.ts),
 * applying the shared rules to whole records — never the server's SQL, columns or visit summaries.
 * The due lists are made from each household's entire visit history.
 */
import {
  catchUpOf,
  checkTargets,
  closedAtOf,
  dashboardPeriods,
  failedItemsOf,
  gridScore,
  hoursToClose,
  isFeedbackGiven,
  isOpen,
  isOverdue,
  isResponseKnown,
  median,
  metAtOf,
  onTimeSettledAt,
  overdueTagKeys,
  rankGrids,
  respondedInTime,
  resolvedOnTime,
  resolverOf,
  runOfTarget,
  scoreOf,
  UNTAGGED,
} from '../../src/shared/domain/dashboard/index.ts';
import { BUILT_IN_TEMPLATES } from '../../src/shared/domain/checklist-templates.ts';
import { canSeeSensitive } from '../../src/shared/domain/privacy.ts';
import { computeDueList, DEFAULT_CADENCE_CONFIG } from '../../src/shared/domain/visit-cadence.ts';
import type { Dashboard } from '../../src/shared/dashboard.ts';
import {
  CARE_TAG_CODES,
  CARE_TAGS,
  HANDLING_LEVELS,
  NEED_TYPES,
  OPEN_NEED_STATUSES,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  SEVERITIES,
  VISIT_OUTCOMES,
  type Role,
} from '../../src/shared/schemas/index.ts';
import type { DashboardTown } from '../support/dashboard-town.ts';

const inRange = (at: number | null | undefined, from: number, to: number) =>
  at !== null && at !== undefined && at >= from && at <= to;
const zeros = (table: object): Record<string, number> =>
  Object.fromEntries(Object.keys(table).map((k) => [k, 0]));
const byName = new Intl.Collator('zh', { numeric: true });

export function expectedDashboard(
  data: DashboardTown,
  gridIds: ReadonlySet<string> | null,
  role: Role,
): Dashboard {
  const now = data.now;
  const p = dashboardPeriods(now);
  const inScope = (gridId: string) => gridIds === null || gridIds.has(gridId);
  // A report marked as abuse (无效反映) is nobody's work: no figure counts it.
  const problems = data.problems.filter(
    (x) => !x.isDeleted && x.status !== 'closed-abuse' && inScope(x.gridId),
  );

  // Problems.
  const reportedSince = (from: number) => problems.filter((x) => inRange(x.reportedAt, from, now));
  const thisMonth = reportedSince(p.monthStart);
  const byCategory = zeros(PROBLEM_CATEGORIES);
  const bySource = zeros(PROBLEM_SOURCES);
  for (const x of thisMonth) {
    byCategory[x.category]! += 1;
    bySource[x.source]! += 1;
  }
  const responded = { part: 0, whole: 0 };
  for (const x of thisMonth) {
    if (!isResponseKnown(x, now)) continue;
    responded.whole += 1;
    if (respondedInTime(x)) responded.part += 1;
  }
  const resolvedOnTimeShare = { part: 0, whole: 0 };
  for (const x of problems) {
    const settled = onTimeSettledAt(x, now);
    if (!inRange(settled, p.monthStart, now)) continue;
    resolvedOnTimeShare.whole += 1;
    if (resolvedOnTime(x)) resolvedOnTimeShare.part += 1;
  }
  const overdueBySeverity = zeros(SEVERITIES);
  const overdueByLevel = zeros(HANDLING_LEVELS);
  let openNow = 0;
  for (const x of problems) {
    if (isOpen(x)) openNow += 1;
    if (!isOverdue(x, now)) continue;
    overdueBySeverity[x.severity]! += 1;
    overdueByLevel[String(x.level)]! += 1;
  }
  const closed = problems.filter((x) => inRange(closedAtOf(x), p.monthStart, now));
  const scores = closed.flatMap((x) => (scoreOf(x) === null ? [] : [scoreOf(x)!]));

  // The round: each grid's due list from its whole visit history.
  const liveHouseholds = data.town.households.filter((h) => !h.isDeleted && inScope(h.gridId));
  const gridsWithWork = new Set([
    ...liveHouseholds.map((h) => h.gridId),
    ...data.town.buildings.filter((b) => !b.isDeleted && inScope(b.gridId)).map((b) => b.gridId),
    ...data.town.enterprises.filter((e) => !e.isDeleted && inScope(e.gridId)).map((e) => e.gridId),
  ]);
  const gridNames = new Map(data.town.grids.map((g) => [g.id, g.name]));
  const seesSensitive = canSeeSensitive(role);
  const overdueByTag: Record<string, number> = Object.fromEntries(
    [...CARE_TAG_CODES.filter((t) => seesSensitive || !CARE_TAGS[t].isSensitive), UNTAGGED].map((k) => [
      k,
      0,
    ]),
  );
  const perGrid: Dashboard['round']['perGrid'] = [];
  const ranking: Dashboard['ranking'] = [];
  for (const gridId of [...gridsWithWork].sort((a, b) =>
    byName.compare(gridNames.get(a)!, gridNames.get(b)!),
  )) {
    const households = liveHouseholds.filter((h) => h.gridId === gridId);
    const ids = new Set(households.map((h) => h.id));
    const visits = data.visits.filter((v) => ids.has(v.householdId));
    const cadence = data.cadences.find((c) => c.gridId === gridId && !c.isDeleted);
    const due = computeDueList({
      households,
      people: data.town.people.filter((person) => ids.has(person.householdId)),
      visits,
      config: cadence ? { byTag: cadence.byTag, everyoneElse: cadence.everyoneElse } : DEFAULT_CADENCE_CONFIG,
      today: p.today,
    });
    const catchUp = catchUpOf({ households, visits, today: p.today });
    const runs = data.runs.filter((r) => r.gridId === gridId && r.day === p.today && !r.isDeleted);
    const checks = (shift: 'day' | 'night') => {
      const targets = checkTargets({
        templates: BUILT_IN_TEMPLATES,
        buildings: data.town.buildings,
        enterprises: data.town.enterprises,
        gridId,
        shift,
      });
      return {
        due: targets.length,
        done: targets.filter((t) => runOfTarget(t, runs, p.today, shift)).length,
      };
    };
    const [day, night] = [checks('day'), checks('night')];
    let overdue = 0;
    for (const item of due.items) {
      if (item.status !== 'overdue') continue;
      overdue += 1;
      for (const key of overdueTagKeys(item, seesSensitive)) overdueByTag[key]! += 1;
    }
    perGrid.push({
      gridId,
      name: gridNames.get(gridId)!,
      dailyDue: due.items.filter((i) => i.cadence === 'daily' && i.status !== 'upcoming').length,
      dailyDone: due.items.filter((i) => i.cadence === 'daily' && i.status === 'done').length,
      due: due.todayTotal,
      done: due.counts.done,
      overdue,
      catchUpTonight: catchUp.listed.length,
      catchUpDone: catchUp.done.length,
      checksDue: { day: day.due, night: night.due },
      checksDone: { day: day.done, night: night.done },
      failedItems: runs.reduce((sum, run) => sum + failedItemsOf(run).length, 0),
    });
    const gridProblems = problems.filter((x) => x.gridId === gridId);
    const gridResponded = { part: 0, whole: 0 };
    const gridOnTime = { part: 0, whole: 0 };
    for (const x of gridProblems) {
      if (inRange(x.reportedAt, p.monthStart, now) && isResponseKnown(x, now)) {
        gridResponded.whole += 1;
        if (respondedInTime(x)) gridResponded.part += 1;
      }
      if (inRange(onTimeSettledAt(x, now), p.monthStart, now)) {
        gridOnTime.whole += 1;
        if (resolvedOnTime(x)) gridOnTime.part += 1;
      }
    }
    const visitsDone = { part: due.items.length - overdue, whole: due.items.length };
    ranking.push({
      gridId,
      name: gridNames.get(gridId)!,
      score: gridScore({ visitsDone, responded: gridResponded, resolvedOnTime: gridOnTime }),
      visitsDone,
      resolvedOnTime: gridOnTime,
      responded: gridResponded,
    });
  }

  // Needs.
  const openByType = zeros(NEED_TYPES);
  const metByType = zeros(NEED_TYPES);
  for (const need of data.needs) {
    if (need.isDeleted || !inScope(need.gridId)) continue;
    if (OPEN_NEED_STATUSES.includes(need.status)) openByType[need.type]! += 1;
    if (inRange(metAtOf(need), p.monthStart, now)) metByType[need.type]! += 1;
  }

  // Visits that count, by day and by the worker whose device wrote them.
  const counted = data.visits.filter(
    (v) => !v.isDeleted && VISIT_OUTCOMES[v.outcome].countsAsVisit && inScope(v.gridId),
  );
  const trend = p.trendDays.map((day, i) => ({
    day,
    reported: problems.filter(
      (x) => x.reportedAt >= p.trendBounds[i]! && x.reportedAt < p.trendBounds[i + 1]!,
    ).length,
    resolved: problems.filter((x) => {
      const at = closedAtOf(x);
      return at !== null && at >= p.trendBounds[i]! && at < p.trendBounds[i + 1]!;
    }).length,
    visits: counted.filter((v) => v.day === day).length,
  }));
  const workers = data.accounts
    .filter(
      (a) =>
        (a.role === 'worker' || a.role === 'helper') &&
        (gridIds === null || a.gridIds.some((id) => gridIds.has(id))),
    )
    .sort((a, b) => byName.compare(a.name, b.name))
    .map((a) => ({
      userId: a.id,
      name: a.name,
      visits: counted.filter(
        (v) => v.day >= p.monthStartDay && v.day <= p.today && data.visitWriter.get(v.id) === a.id,
      ).length,
      problemsFound: thisMonth.filter((x) => x.reporter.userId === a.id).length,
      resolvedOnTime: problems.filter(
        (x) => resolvedOnTime(x) && inRange(x.resolvedAt, p.monthStart, now) && resolverOf(x) === a.id,
      ).length,
    }));

  return {
    asOf: now,
    today: p.today,
    gridIds: gridIds === null ? null : [...gridIds].sort(),
    problems: {
      newToday: reportedSince(p.dayStart).length,
      newThisWeek: reportedSince(p.weekStart).length,
      newThisMonth: thisMonth.length,
      responded,
      resolvedOnTime: resolvedOnTimeShare,
      openNow,
      overdueBySeverity,
      overdueByLevel,
      byCategory,
      bySource,
      closedThisMonth: closed.length,
      medianHoursToClose: median(closed.map((x) => hoursToClose(x.reportedAt, closedAtOf(x)!))),
      feedbackGiven: closed.filter(isFeedbackGiven).length,
      evaluated: scores.length,
      meanScore: scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length,
    },
    round: { perGrid, overdueByTag },
    needs: { openByType, metByType },
    trend,
    ranking: rankGrids(ranking),
    workers,
  };
}
