/**
 * The needs and checklist runs of the dashboard's generated town (dashboard-town.ts): a year of needs
 * found on visits, and the last days' runs of every check the shifts ask for.
 */
import { BUILT_IN_TEMPLATES, itemsForBuilding } from '../../src/shared/domain/checklist-templates.ts';
import { checkTargets } from '../../src/shared/domain/dashboard/index.ts';
import type { generateDemoTown } from '../../src/shared/domain/demo-town.ts';
import { deterministicId } from '../../src/shared/domain/ids.ts';
import {
  NEED_TYPES,
  SHIFTS,
  type ChecklistRun,
  type Need,
  type NeedStatus,
  type NeedType,
  type Shift,
} from '../../src/shared/schemas/index.ts';
import { addCalendarDays, shanghaiDayStart } from '../../src/shared/time.ts';

type Town = ReturnType<typeof generateDemoTown>;
const MINUTE = 60_000;
const DAY = 86_400_000;

const NEED_TYPE_CODES = Object.keys(NEED_TYPES) as NeedType[];

/** About one need for every four households over the year, most met, some still open. */
export function yearOfNeeds(town: Town, now: number, random: () => number): Need[] {
  const needs: Need[] = [];
  const idBytes = new Uint8Array(16);
  for (const household of town.households) {
    if (random() >= 0.25) continue;
    const createdAt = Math.floor(now - random() * 365 * DAY);
    const history: { at: number; status: NeedStatus }[] = [{ at: createdAt, status: 'open' }];
    let at = createdAt;
    const next = (status: NeedStatus) => {
      const later = at + Math.floor(random() * 20 * DAY);
      if (later > now) return false;
      at = later;
      history.push({ at, status });
      return true;
    };
    const draw = random();
    if (draw < 0.5) next('in-progress');
    if (draw < 0.75) next('met');
    else if (draw < 0.8) next('withdrawn');
    // Met and taken back, then met again: the last 已解决 is when it was met.
    if (draw < 0.05 && next('in-progress')) next('met');
    for (let b = 0; b < 16; b++) idBytes[b] = Math.floor(random() * 256);
    needs.push({
      id: deterministicId(createdAt, idBytes),
      updatedAt: at,
      isDeleted: random() < 0.01,
      householdId: household.id,
      gridId: household.gridId,
      type: NEED_TYPE_CODES[Math.floor(random() * NEED_TYPE_CODES.length)]!,
      description: '需要帮助',
      urgency: 'normal',
      status: history.at(-1)!.status,
      history,
      createdAt,
    });
  }
  return needs;
}

/** The last days' checklist runs: most of each shift's checks done, tonight's under way. */
export function recentRuns(
  town: Town,
  today: string,
  now: number,
  days: number,
  random: () => number,
): ChecklistRun[] {
  const runs: ChecklistRun[] = [];
  const idBytes = new Uint8Array(16);
  const gridIds = new Set([...town.buildings.map((b) => b.gridId), ...town.enterprises.map((e) => e.gridId)]);
  for (let ago = days - 1; ago >= 0; ago--) {
    const day = addCalendarDays(today, -ago);
    for (const gridId of gridIds)
      for (const shift of Object.keys(SHIFTS) as Shift[]) {
        const targets = checkTargets({
          templates: BUILT_IN_TEMPLATES,
          buildings: town.buildings,
          enterprises: town.enterprises,
          gridId,
          shift,
        });
        for (const target of targets) {
          const completedAt =
            shanghaiDayStart(day) +
            (shift === 'day' ? 10 : 19) * 3_600_000 +
            Math.floor(random() * 90) * MINUTE;
          if (completedAt > now || random() > 0.85) continue;
          const template = BUILT_IN_TEMPLATES.find((t) => t.id === target.templateId)!;
          const building = town.buildings.find((b) => b.id === target.targetId);
          const items = building ? itemsForBuilding(template, building.facilities) : template.items;
          for (let b = 0; b < 16; b++) idBytes[b] = Math.floor(random() * 256);
          runs.push({
            id: deterministicId(completedAt, idBytes),
            updatedAt: completedAt,
            isDeleted: false,
            templateId: template.id,
            gridId,
            ...(building ? { buildingId: building.id } : { enterpriseId: target.targetId }),
            day,
            shift,
            completedAt,
            results: items.map((item) =>
              item.kind === 'reminder'
                ? random() < 0.1
                  ? { itemId: item.id, result: 'not-done' as const, note: '住户不在', photoIds: [] }
                  : { itemId: item.id, result: 'reminded' as const, photoIds: [] }
                : {
                    itemId: item.id,
                    result: random() < 0.08 ? ('fail' as const) : ('pass' as const),
                    note: '',
                    photoIds: [],
                  },
            ),
          });
        }
      }
  }
  return runs;
}
