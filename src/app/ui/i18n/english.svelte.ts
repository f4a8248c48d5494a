import type { MessageKey } from './zh.ts';

/**
 * The English dictionary, loaded the first time English is asked for: the app is Chinese first, and
 * the second dictionary is kilobytes the first screen does not need. Until it arrives, text shows in
 * Chinese; markup re-renders when it does.
 */
class EnglishDictionary {
  #messages = $state.raw<Record<MessageKey, string> | undefined>(undefined);
  #loading: Promise<void> | undefined;

  get messages(): Record<MessageKey, string> | undefined {
    if (this.#messages === undefined) void this.load();
    return this.#messages;
  }

  load(): Promise<void> {
    this.#loading ??= import('./en.ts').then(({ en }) => void (this.#messages = en));
    return this.#loading;
  }
}

export const english = new EnglishDictionary();
