import Dexie from 'dexie';
import { CommandError } from '../commands/run-command.ts';
import { t } from './i18n/index.ts';

/**
 * What a screen says when a write was not stored: the command's own words for each bad field, or
 * one message for the whole write. `fields` is keyed like CommandError.fieldMessages() ("form" for
 * the write as a whole), `messages` lists them in order for forms that show them in one place.
 */
export interface WriteFailure {
  messages: string[];
  fields: Record<string, string>;
  isInvalid: boolean;
  isStorageFull: boolean;
}

/** What was being stored, so the message names it: a record, or a photo. */
export type WriteSubject = 'record' | 'photo';

const QUOTA_NAMES: ReadonlySet<string> = new Set([
  Dexie.errnames.QuotaExceeded,
  // Firefox's older name for the same refusal.
  'NS_ERROR_DOM_QUOTA_REACHED',
]);
/** Legacy DOMException code of QuotaExceededError (still set by Chromium and WebKit). */
const QUOTA_EXCEEDED_CODE = 22;
/**
 * Dexie wraps the browser's error: a write refused for space reaches the caller as an AbortError (the
 * transaction aborted) or a DatabaseClosedError whose `inner` is the QuotaExceededError, a bulk write as
 * a BulkError with `failures`. An error that crossed a worker keeps only its message ("AbortError:
 * QuotaExceededError ..."); WebKit says "disk is full" with an UnknownError.
 */
const QUOTA_MESSAGE = /QuotaExceededError|quota exceeded|disk is full|no space left/i;

/** True when the phone's storage (the origin's quota) refused the write, however deeply wrapped. */
export function isStorageFullError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; inner?: unknown; cause?: unknown };
  if (typeof e.name === 'string' && QUOTA_NAMES.has(e.name)) return true;
  if (error instanceof DOMException && e.code === QUOTA_EXCEEDED_CODE) return true;
  if (typeof e.message === 'string' && QUOTA_MESSAGE.test(e.message)) return true;
  const failures = (error as { failures?: unknown }).failures;
  const nested = [e.inner, e.cause, ...(Array.isArray(failures) ? failures : [])];
  return nested.some((inner) => isStorageFullError(inner, depth + 1));
}

/**
 * The one place a failed write becomes words for the worker: a refused field in the command's own
 * words, a full phone as what happened and what to do, anything else as "not saved, try again".
 * Nothing of the form is touched: what was typed stays on the screen.
 */
export function describeWriteFailure(error: unknown, subject: WriteSubject = 'record'): WriteFailure {
  if (error instanceof CommandError) {
    return {
      messages: error.fieldErrors.map((e) => e.message),
      fields: error.fieldMessages(),
      isInvalid: true,
      isStorageFull: false,
    };
  }
  const isStorageFull = isStorageFullError(error);
  const message = isStorageFull
    ? t(subject === 'photo' ? 'storageFullPhoto' : 'storageFull')
    : t(subject === 'photo' ? 'photoFailed' : 'writeFailed', { reason: reasonOf(error) });
  return { messages: [message], fields: { form: message }, isInvalid: false, isStorageFull };
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
