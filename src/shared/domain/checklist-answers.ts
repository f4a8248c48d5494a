/**
 * What a checklist answer means: which answers an item takes, and which answers make a hazard. One
 * place for the screen, the command and the planner (and the day's figures in day-summary.ts).
 */
import {
  CHECK_RESULTS,
  CHECKLIST_ITEM_KINDS,
  type ChecklistItem,
  type ChecklistItemKind,
  type ChecklistRun,
  type ChecklistTemplate,
  type CheckResult,
  type Hazard,
} from '../schemas/checklist.ts';

/** An item saved before reminders existed has no kind: it is a check. */
export function itemKindOf(item: Pick<ChecklistItem, 'kind'>): ChecklistItemKind {
  return item.kind ?? 'check';
}

/** The answers the item takes, in the order the screen shows them. */
export function answersOf(item: Pick<ChecklistItem, 'kind'>): readonly CheckResult[] {
  return CHECKLIST_ITEM_KINDS[itemKindOf(item)].answers;
}

/**
 * Only a failed check is a hazard of the building: it becomes a hazard record, which may become a
 * problem for someone to fix. A reminder not given (未完成) says nothing about the building — the
 * residents were not told yet — so it is the worker's own unfinished task: its reason stays on the run
 * and 我的一天 counts it, but nothing is dispatched for it.
 */
export function isHazardResult(result: CheckResult): boolean {
  return result === 'fail';
}

/** A reminder the worker still owes (counted on 我的一天 and in the export). */
export function isReminderNotDone(result: CheckResult): boolean {
  return result === 'not-done';
}

/**
 * What is wrong with a new run's answers, before it is saved: an item the template does not have, or
 * an answer the item does not take. For new writes only: a run stored before reminders existed may
 * hold 正常 for a reminder, and stays as it is.
 */
export function answerIssues(
  items: readonly ChecklistItem[],
  results: readonly { itemId: string; result: CheckResult }[],
): { path: string; message: string }[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const issues: { path: string; message: string }[] = [];
  results.forEach(({ itemId, result }, index) => {
    const item = byId.get(itemId);
    if (!item) {
      issues.push({ path: `results.${index}`, message: `检查项不在模板中：${itemId}` });
      return;
    }
    const answers = answersOf(item);
    if (!answers.includes(result)) {
      const named = answers.map((answer) => CHECK_RESULTS[answer].zh).join('、');
      issues.push({ path: `results.${index}`, message: `「${item.text}」只能回答：${named}` });
    }
  });
  return issues;
}

/** The hazards a finished run makes: one per failed item, described by the item and its note. */
export function hazardsOfRun(
  run: ChecklistRun,
  template: Pick<ChecklistTemplate, 'items'>,
  made: { at: number; newId: () => string },
): Hazard[] {
  const itemText = new Map(template.items.map((item) => [item.id, item.text]));
  return run.results
    .filter((answer) => isHazardResult(answer.result))
    .map((answer) => {
      const text = itemText.get(answer.itemId) ?? answer.itemId;
      return {
        id: made.newId(),
        updatedAt: made.at,
        isDeleted: false,
        gridId: run.gridId,
        runId: run.id,
        itemId: answer.itemId,
        ...(run.buildingId !== undefined
          ? { buildingId: run.buildingId }
          : { enterpriseId: run.enterpriseId }),
        description: `${text}：${answer.note || CHECK_RESULTS[answer.result].zh}`,
        photoIds: answer.photoIds,
        reportedAt: made.at,
      };
    });
}
