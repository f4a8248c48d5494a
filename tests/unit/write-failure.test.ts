import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandError } from '../../src/app/commands/run-command.ts';
import { storageWatch } from '../../src/app/state/storage-watch.svelte.ts';
import { isNearlyFull } from '../../src/app/state/storage.ts';
import { WriteAttempt } from '../../src/app/ui/write-attempt.svelte.ts';
import { describeWriteFailure, isStorageFullError } from '../../src/app/ui/write-failure.ts';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

// The real browser refusal (a transaction aborted at commit) is driven in tests/e2e/storage-full.spec.ts;
// fake-indexeddb has no quota, so these build the errors Dexie 4 hands the caller.
describe('recognising a full phone', () => {
  it('knows the browser error and Dexie 4 wrapping it, however deep', () => {
    expect(isStorageFullError(quota())).toBe(true);
    // What a transaction aborted by the quota rejects with (Dexie maps idbtrans.error into AbortError).
    expect(isStorageFullError(new Dexie.AbortError(quota()))).toBe(true);
    expect(isStorageFullError(new Dexie.AbortError('Transaction aborted', quota()))).toBe(true);
    expect(isStorageFullError(new Dexie.DatabaseClosedError(quota()))).toBe(true);
    expect(isStorageFullError(new Dexie.QuotaExceededError('full'))).toBe(true);
    expect(isStorageFullError(new Dexie.BulkError('2 of 3 failed', { 1: quota() }))).toBe(true);
    expect(isStorageFullError(new Error('outer', { cause: new Dexie.AbortError(quota()) }))).toBe(true);
    // A message that crossed a worker (the demo loader posts only error.message).
    expect(isStorageFullError(new Error(new Dexie.AbortError(quota()).message))).toBe(true);
  });

  it('tells other failures apart', () => {
    expect(isStorageFullError(new Dexie.AbortError(new DOMException('dup', 'ConstraintError')))).toBe(false);
    expect(isStorageFullError(new Dexie.DatabaseClosedError())).toBe(false);
    expect(isStorageFullError(new TypeError('x is undefined'))).toBe(false);
    expect(isStorageFullError(undefined)).toBe(false);
    expect(isStorageFullError('QuotaExceededError')).toBe(false);
  });
});

describe('the words a screen shows', () => {
  it('a full phone: what happened and what to do, in Chinese', () => {
    const failure = describeWriteFailure(new Dexie.AbortError(quota()));
    expect(failure.isStorageFull).toBe(true);
    expect(failure.messages).toEqual([
      '手机存储空间已满，这条记录没有保存。请先同步，再清理手机空间（删掉不用的照片、视频、聊天记录）；照片可以拍小一些。填好的内容还在，清理后再点一次保存。',
    ]);
    expect(failure.fields.form).toBe(failure.messages[0]);
    expect(describeWriteFailure(quota(), 'photo').messages[0]).toContain('这张照片没有存下');
    expect(failure.messages[0]).not.toContain('QuotaExceededError');
  });

  it("a refused field: the command's own words, by field", () => {
    const failure = describeWriteFailure(
      new CommandError([{ path: 'changes.phone', message: '电话号码格式不对' }]),
    );
    expect(failure).toEqual({
      messages: ['电话号码格式不对'],
      fields: { phone: '电话号码格式不对' },
      isInvalid: true,
      isStorageFull: false,
    });
  });

  it('anything else: not saved, try again', () => {
    const failure = describeWriteFailure(new Dexie.DatabaseClosedError());
    expect(failure.isStorageFull).toBe(false);
    expect(failure.messages[0]).toMatch(/^没有保存（.+）。填好的内容还在/);
  });
});

describe('a write attempt', () => {
  afterEach(() => {
    storageWatch.reset();
    vi.restoreAllMocks();
  });

  it('turns a rejection into words, raises the full-phone warning, and clears it when a write fits', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const attempt = new WriteAttempt();
    const refused = await attempt.run(() => Promise.reject(new Dexie.AbortError(quota())));
    expect(refused.ok).toBe(false);
    expect(attempt.isBusy).toBe(false);
    expect(attempt.messages[0]).toContain('手机存储空间已满');
    expect(storageWatch.level).toBe('full');

    const stored = await attempt.run(() => Promise.resolve('problem-id'));
    expect(stored).toEqual({ ok: true, value: 'problem-id' });
    expect(attempt.messages).toEqual([]);
    expect(storageWatch.level).toBe('ok');
  });
});

describe('warning before the phone fills', () => {
  it('warns over 80 % of the quota', () => {
    expect(isNearlyFull({ usage: 81, quota: 100, isPersisted: true })).toBe(true);
    expect(isNearlyFull({ usage: 80, quota: 100, isPersisted: true })).toBe(false);
    expect(isNearlyFull({ usage: undefined, quota: undefined, isPersisted: undefined })).toBe(false);
  });
});
