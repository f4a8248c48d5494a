/**
 * A year of plausible visit history for one grid: each household visited about as often as its
 * cadence asks (a little less, so some are overdue), mostly "met", some knocks that found nobody
 * home with an evening catch-up, then trimmed or topped up to an exact count. Seeded: the same input
 * gives the same visits.
 */
import { deterministicId } from '../../../src/shared/domain/ids.ts';
import {
  DEFAULT_CADENCE_CONFIG,
  householdCadence,
  type CadencePerson,
  type ScheduledCadence,
} from '../../../src/shared/domain/visit-cadence.ts';
import type { Shift, Visit, VisitOutcome } from '../../../src/shared/schemas/index.ts';
import { addCalendarDays, shanghaiDayStart } from '../../../src/shared/time.ts';
import { seededRandom } from '../../../src/shared/domain/seeded-random.ts';

/** Mean days between visits a worker manages for each cadence. */
const INTERVAL_DAYS: Record<ScheduledCadence, number> = { daily: 1, weekly: 7, monthly: 30, quarterly: 91 };
const HOUR_MS = 3_600_000;
const NOTES = [
  '身体状况良好，按时服药',
  '提醒注意用电用气安全',
  '反映楼道灯不亮，已记录',
  '家属在家，情况稳定',
  '了解近期就医情况',
  '宣传防诈骗知识',
];
const SCENES = ['家中整洁', '燃气灶具已关闭', '屋内较乱，已提醒清理', '门窗完好'];

export interface VisitHistory {
  visits: Visit[];
  scheduled: Record<ScheduledCadence, number>;
  firstDay: string;
}

export function makeVisitHistory(input: {
  gridId: string;
  households: readonly { id: string }[];
  people: readonly (CadencePerson & { id: string })[];
  today: string;
  days: number;
  target: number;
  seed: number;
}): VisitHistory {
  const random = seededRandom(input.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const idBytes = new Uint8Array(16);
  const newVisitId = (at: number) => {
    for (let i = 0; i < 16; i++) idBytes[i] = Math.floor(random() * 256);
    return deterministicId(at, idBytes);
  };

  const days = Array.from({ length: input.days + 1 }, (_, i) => addCalendarDays(input.today, i - input.days));
  const dayStarts = days.map((day) => shanghaiDayStart(day));
  const lastIndex = days.length - 1;

  const members = new Map<string, (CadencePerson & { id: string })[]>();
  for (const person of input.people) {
    if (person.isDeleted || person.status !== 'resident') continue;
    const list = members.get(person.householdId) ?? [];
    list.push(person);
    members.set(person.householdId, list);
  }

  const visits: Visit[] = [];
  const visit = (householdId: string, dayIndex: number, shift: Shift, outcome: VisitOutcome) => {
    const residents = members.get(householdId) ?? [];
    const offsetHours = shift === 'day' ? 8 + random() * 9 : 18.5 + random() * 2.5;
    const visitedAt = dayStarts[dayIndex]! + Math.round(offsetHours * HOUR_MS);
    const met = outcome === 'met';
    const record: Visit = {
      id: newVisitId(visitedAt),
      updatedAt: visitedAt,
      isDeleted: false,
      householdId,
      gridId: input.gridId,
      personIds: met && residents.length > 0 ? [pick(residents).id] : [],
      visitedAt,
      day: days[dayIndex]!,
      shift,
      outcome,
      fiveSees: met && random() < 0.3 ? { person: '精神状态良好', scene: pick(SCENES) } : {},
      needIds: [],
      photoIds: [],
    };
    if (met && random() < 0.4) record.notes = pick(NOTES);
    visits.push(record);
  };
  const outcome = (): VisitOutcome => {
    const x = random();
    return x < 0.88 ? 'met' : x < 0.95 ? 'nobody-home' : x < 0.97 ? 'refused' : 'in-hospital';
  };

  const scheduled: Record<ScheduledCadence, number> = { daily: 0, weekly: 0, monthly: 0, quarterly: 0 };
  for (const household of input.households) {
    const residents = members.get(household.id);
    if (!residents || residents.length === 0) continue;
    const { cadence } = householdCadence(residents, DEFAULT_CADENCE_CONFIG);
    if (cadence === 'none') continue;
    scheduled[cadence]++;
    const interval = INTERVAL_DAYS[cadence];
    for (let dayIndex = int(0, interval - 1); dayIndex <= lastIndex;) {
      const shift: Shift = random() < 0.85 ? 'day' : 'night';
      const result = outcome();
      visit(household.id, dayIndex, shift, result);
      // 白加黑: half the day knocks that found nobody get an evening try the same day.
      if (result === 'nobody-home' && shift === 'day' && random() < 0.5)
        visit(household.id, dayIndex, 'night', 'met');
      // A little less often than asked on average, so some households end up overdue.
      const step = Math.max(1, Math.round(interval * (0.75 + random() * 0.5)));
      dayIndex += step + (random() < 0.1 ? 1 : 0);
    }
  }

  // Exactly `target`: drop visits at random, or add extra knocks (repeat visits, calls that found nobody).
  if (visits.length > input.target) {
    for (let i = 0; i < input.target; i++) {
      const j = i + Math.floor(random() * (visits.length - i));
      [visits[i], visits[j]] = [visits[j]!, visits[i]!];
    }
    visits.length = input.target;
  }
  while (visits.length < input.target) {
    visit(pick(input.households).id, int(0, lastIndex), random() < 0.8 ? 'day' : 'night', outcome());
  }
  visits.sort((a, b) => a.visitedAt - b.visitedAt);
  return { visits, scheduled, firstDay: days[0]! };
}
