import { createStore, get, set, type UseStore } from 'idb-keyval';

export type Lang = 'zh' | 'en';
export type Theme = 'day' | 'night';

interface StoredSettings {
  lang: Lang;
  theme: Theme;
  gridId: string | null;
  hasAskedPersist: boolean;
  /** Remembered outside the main database, so a wiped database can be noticed (storage safety). */
  hadData: boolean;
  // No visit cadence here: it is the grid's, set by its leader and synced (db/cadence-queries.ts).
  // A `cadenceConfig` an older version stored is ignored, and dropped with the next save.
}

const DEFAULTS: StoredSettings = {
  lang: 'zh',
  theme: 'day',
  gridId: null,
  hasAskedPersist: false,
  hadData: false,
};

/** Device settings live in their own small IndexedDB store (idb-keyval), apart from the register. */
class Settings {
  #lang = $state<Lang>(DEFAULTS.lang);
  #theme = $state<Theme>(DEFAULTS.theme);
  #gridId = $state<string | null>(DEFAULTS.gridId);
  #hasAskedPersist = false;
  #hadData = false;
  #store: UseStore | undefined;

  get lang() {
    return this.#lang;
  }
  get theme() {
    return this.#theme;
  }
  get gridId() {
    return this.#gridId;
  }
  get hasAskedPersist() {
    return this.#hasAskedPersist;
  }
  get hadData() {
    return this.#hadData;
  }

  #storeOf(): UseStore {
    this.#store ??= createStore('lianxin-settings', 'settings');
    return this.#store;
  }

  async load(): Promise<void> {
    const stored = await get<Partial<StoredSettings>>('settings', this.#storeOf());
    const merged = { ...DEFAULTS, ...stored };
    this.#lang = merged.lang;
    this.#theme = merged.theme;
    this.#gridId = merged.gridId;
    this.#hasAskedPersist = merged.hasAskedPersist;
    this.#hadData = merged.hadData;
  }

  async #save(): Promise<void> {
    const value: StoredSettings = {
      lang: this.#lang,
      theme: this.#theme,
      gridId: this.#gridId,
      hasAskedPersist: this.#hasAskedPersist,
      hadData: this.#hadData,
    };
    await set('settings', value, this.#storeOf());
  }

  setLang(lang: Lang) {
    this.#lang = lang;
    return this.#save();
  }
  setTheme(theme: Theme) {
    this.#theme = theme;
    return this.#save();
  }
  setGrid(gridId: string | null) {
    this.#gridId = gridId;
    return this.#save();
  }
  markPersistAsked() {
    this.#hasAskedPersist = true;
    return this.#save();
  }
  setHadData(hadData: boolean) {
    this.#hadData = hadData;
    return this.#save();
  }

  reset() {
    this.#lang = DEFAULTS.lang;
    this.#theme = DEFAULTS.theme;
    this.#gridId = DEFAULTS.gridId;
    this.#hasAskedPersist = DEFAULTS.hasAskedPersist;
    this.#hadData = DEFAULTS.hadData;
    return this.#save();
  }
}

export const settings = new Settings();
