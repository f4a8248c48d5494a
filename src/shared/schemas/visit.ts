import { z } from 'zod';
import {
  baseRecordSchema,
  calendarDateSchema,
  epochMsSchema,
  optionalText,
  recordIdSchema,
} from './common.ts';

/** 白加黑: a daytime round and an evening catch-up round. */
export const SHIFTS = {
  day: { zh: '白班', en: 'Day' },
  night: { zh: '夜班', en: 'Night' },
} as const;
export type Shift = keyof typeof SHIFTS;
export const shiftSchema = z.enum(Object.keys(SHIFTS) as [Shift, ...Shift[]], {
  error: '班次只能是白班或夜班',
});

export const VISIT_OUTCOMES = {
  met: { zh: '见到本人', en: 'Met', countsAsVisit: true },
  'nobody-home': { zh: '无人在家', en: 'Nobody home', countsAsVisit: false },
  refused: { zh: '拒绝', en: 'Refused', countsAsVisit: false },
  'moved-away': { zh: '已搬离', en: 'Moved away', countsAsVisit: true },
  'in-hospital': { zh: '住院', en: 'In hospital', countsAsVisit: true },
  deceased: { zh: '已去世', en: 'Deceased', countsAsVisit: true },
} as const;
export type VisitOutcome = keyof typeof VISIT_OUTCOMES;
export const visitOutcomeSchema = z.enum(Object.keys(VISIT_OUTCOMES) as [VisitOutcome, ...VisitOutcome[]], {
  error: '走访结果无效',
});

/** 五个见: see the person, the scene, the process, the result, the analysis. */
export const fiveSeesSchema = z.object({
  person: optionalText('见人', 500),
  scene: optionalText('见物', 500),
  process: optionalText('见过程', 500),
  result: optionalText('见结果', 500),
  analysis: optionalText('见分析', 500),
});
export type FiveSees = z.infer<typeof fiveSeesSchema>;

export const gpsFixSchema = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  /** Metres, as the browser reports it (coords.accuracy). */
  accuracy: z.number().nonnegative(),
  at: epochMsSchema,
});
export type GpsFix = z.infer<typeof gpsFixSchema>;

export const visitSchema = baseRecordSchema.extend({
  householdId: recordIdSchema,
  gridId: recordIdSchema,
  /** Members the worker saw (for met) or was looking for. */
  personIds: z.array(recordIdSchema).max(30),
  visitedAt: epochMsSchema,
  /** Calendar day in Asia/Shanghai of visitedAt: the day the visit counts for. */
  day: calendarDateSchema,
  shift: shiftSchema,
  outcome: visitOutcomeSchema,
  fiveSees: fiveSeesSchema,
  notes: optionalText('备注', 2000),
  /** Needs found on this visit (their records point back here). */
  needIds: z.array(recordIdSchema).max(20),
  /** sha-256 of photos stored on the device (uploaded by the sync issue). */
  photoIds: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(9),
  gps: gpsFixSchema.optional(),
});
export type Visit = z.infer<typeof visitSchema>;

/**
 * A correction of a visit on its own day (a mistaken 快速登记, a forgotten note): what was seen and
 * written, never who was visited or when. `notes: null` clears the note.
 */
export const visitChangesSchema = z
  .object({
    outcome: visitOutcomeSchema.optional(),
    personIds: z.array(recordIdSchema).max(30).optional(),
    fiveSees: fiveSeesSchema.optional(),
    notes: optionalText('备注', 2000).nullable(),
  })
  .strict();
export type VisitChanges = z.infer<typeof visitChangesSchema>;
