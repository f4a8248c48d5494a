import type { Facilities } from '../schemas/building.ts';
import { checklistTemplateSchema, type ChecklistItem, type ChecklistTemplate } from '../schemas/checklist.ts';

/**
 * Built-in templates have fixed ids so every device and the server agree on them without a sync.
 * The daily round is seed 001's central-household record: elevator once, gas pipes once, hydrants
 * once, public water pipes once, and reminding residents to turn off water, power and gas.
 */
export const DAILY_ROUND_TEMPLATE_ID = '01900000-0000-7000-8000-000000000001';
export const ENTERPRISE_SAFETY_TEMPLATE_ID = '01900000-0000-7000-8000-000000000002';

export const BUILT_IN_TEMPLATES: readonly ChecklistTemplate[] = [
  {
    id: DAILY_ROUND_TEMPLATE_ID,
    updatedAt: 0,
    isDeleted: false,
    name: '楼栋日常巡查',
    scope: 'building',
    shifts: ['day', 'night'],
    isBuiltIn: true,
    items: [
      { id: 'elevator', text: '检查电梯运行一次（按钮、照明、应急电话）', facility: 'elevator' },
      { id: 'gas-pipes', text: '巡查燃气管道一次（有无异味、锈蚀、私改）', facility: 'gas-pipes' },
      { id: 'fire-hydrant', text: '检查消防栓一次（水压、配件、有无遮挡）', facility: 'fire-hydrant' },
      { id: 'water-pipes', text: '检查公共水管一次（有无渗漏、冻裂）', facility: 'water-pipes' },
      { id: 'stairwell', text: '楼道通道畅通，无堆物、无电动车充电' },
      { id: 'remind-off', text: '提醒居民出门关水、关电、关气', kind: 'reminder' },
    ],
  },
  {
    id: ENTERPRISE_SAFETY_TEMPLATE_ID,
    updatedAt: 0,
    isDeleted: false,
    name: '企业安全检查（安监/环保）',
    scope: 'enterprise',
    shifts: ['day'],
    isBuiltIn: true,
    items: [
      { id: 'licences', text: '安全生产许可证、危化品经营许可在有效期内' },
      { id: 'hazmat-storage', text: '危化品分类存放，台账与实物一致' },
      { id: 'fire-equipment', text: '消防器材完好，疏散通道畅通' },
      { id: 'gas-detectors', text: '可燃/有毒气体报警器工作正常' },
      { id: 'emissions', text: '废气、废水处理设施运行，无异常排放' },
      { id: 'training', text: '员工安全培训及应急演练记录齐全' },
    ],
  },
];

/** Checks a template a grid made itself; throws a zod error naming each problem in Chinese. */
export function validateTemplate(template: unknown): ChecklistTemplate {
  return checklistTemplateSchema.parse(template);
}

/** Items that apply to a building: a building without an elevator has no elevator check. */
export function itemsForBuilding(template: ChecklistTemplate, facilities: Facilities): ChecklistItem[] {
  const has: Record<NonNullable<ChecklistItem['facility']>, boolean> = {
    elevator: facilities.elevators > 0,
    'gas-pipes': facilities.hasGasPipes,
    'fire-hydrant': facilities.fireHydrants > 0,
    'water-pipes': facilities.hasWaterPipes,
  };
  return template.items.filter((item) => item.facility === undefined || has[item.facility]);
}
