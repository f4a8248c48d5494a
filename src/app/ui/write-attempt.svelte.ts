import { storageWatch } from '../state/storage-watch.svelte.ts';
import { describeWriteFailure, type WriteFailure, type WriteSubject } from './write-failure.ts';

export type WriteResult<T> = { ok: true; value: T } | { ok: false; failure: WriteFailure };

/**
 * One screen's write in flight, the same for every form: busy while it runs, and on failure the
 * words to show (a refused field, a full phone, anything else) instead of an uncaught rejection. The
 * form's own state is never touched, so what was typed stays for the next tap on 保存.
 */
export class WriteAttempt {
  #isBusy = $state(false);
  #failure = $state.raw<WriteFailure | null>(null);
  readonly #subject: WriteSubject;

  constructor(subject: WriteSubject = 'record') {
    this.#subject = subject;
  }

  get isBusy() {
    return this.#isBusy;
  }
  get failure() {
    return this.#failure;
  }
  /** Every message, in order (empty when the last write was stored). */
  get messages(): string[] {
    return this.#failure?.messages ?? [];
  }
  /** Messages by field name ("form" for the write as a whole). */
  get fields(): Record<string, string> {
    return this.#failure?.fields ?? {};
  }

  async run<T>(write: () => Promise<T>): Promise<WriteResult<T>> {
    this.#isBusy = true;
    this.#failure = null;
    try {
      const value = await write();
      storageWatch.noteWriteStored();
      // The write took space: Today's warning follows the new figure.
      void storageWatch.refresh();
      return { ok: true, value };
    } catch (error) {
      const failure = describeWriteFailure(error, this.#subject);
      if (failure.isStorageFull) storageWatch.noteWriteRefusedForSpace();
      // Kept in the console for whoever supports the worker; the screen shows the words.
      if (!failure.isInvalid) console.error(error);
      this.#failure = failure;
      return { ok: false, failure };
    } finally {
      this.#isBusy = false;
    }
  }

  /** A refusal the screen decides itself, before any command runs (an unanswered checklist item). */
  refuse(message: string) {
    this.#failure = { messages: [message], fields: { form: message }, isInvalid: true, isStorageFull: false };
  }

  clear() {
    this.#failure = null;
  }
}
