import { z } from 'zod';
import { describeInput } from './common.ts';

/**
 * Care tags (重点人群 / 特殊群体) that drive visits. `isSensitive` marks health, minors' and
 * watch-list data that PIPL treats as sensitive personal information: shown only to roles that need it.
 */
export const CARE_TAGS = {
  'elderly-alone': { zh: '独居老人', en: 'Elderly living alone', isSensitive: false },
  'empty-nest': { zh: '空巢老人', en: 'Empty-nest elderly', isSensitive: false },
  disabled: { zh: '残疾人', en: 'Disabled', isSensitive: true },
  'chronic-illness': { zh: '慢性病', en: 'Chronic illness', isSensitive: true },
  pregnant: { zh: '孕妇', en: 'Pregnant', isSensitive: true },
  'left-behind-child': { zh: '留守儿童', en: 'Left-behind child', isSensitive: true },
  'low-income': { zh: '低保户', en: 'Low-income (dibao)', isSensitive: false },
  'key-person': { zh: '重点人员', en: 'Key person', isSensitive: true },
  unemployed: { zh: '失业人员', en: 'Unemployed', isSensitive: false },
} as const;

export type CareTag = keyof typeof CARE_TAGS;
export const CARE_TAG_CODES = Object.keys(CARE_TAGS) as CareTag[];
export const careTagSchema = z.enum(CARE_TAG_CODES as [CareTag, ...CareTag[]], {
  error: (issue) => `未知的关怀标签：${describeInput(issue.input)}`,
});

/** Chinese label -> code, for imports that use the labels residents and offices use. */
export const careTagByLabel: ReadonlyMap<string, CareTag> = new Map(
  CARE_TAG_CODES.map((code) => [CARE_TAGS[code].zh, code]),
);
