import { addPhoto } from '../commands/photos.ts';
import { reportProblem, type ProblemReportInput } from '../commands/problems.ts';
import { recordVisit, type VisitInput } from '../commands/round.ts';
import { commandContext } from './commands.ts';

/**
 * Test-only: the same commands the screens run, with the same context, callable from an end-to-end
 * test that queues hundreds of writes (tests/e2e/long-week-offline.spec.ts) where tapping through
 * each would take the run past its time. Loaded only when the page set the flag main.ts checks; it
 * gives the page nothing the signed-in user could not do through the screens.
 */
export interface E2eHooks {
  /** Compresses and stores a photo as the photo picker does; resolves to its content address. */
  addPhoto(file: Blob): Promise<string>;
  recordVisit(input: VisitInput): Promise<string>;
  reportProblem(input: ProblemReportInput): Promise<string>;
}

export function installE2eHooks(): void {
  const hooks: E2eHooks = {
    addPhoto: async (file) => (await addPhoto(commandContext(), file)).id,
    recordVisit: (input) => recordVisit(commandContext(), input),
    reportProblem: (input) => reportProblem(commandContext(), input),
  };
  (window as unknown as { lianxinE2e?: E2eHooks }).lianxinE2e = hooks;
}
