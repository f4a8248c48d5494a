import type { PinyinOf } from '../../shared/domain/search-keys.ts';

let loading: Promise<PinyinOf> | undefined;

/** pinyin-pro carries a large dictionary: load it on the first write that needs search keys. */
export function loadPinyin(): Promise<PinyinOf> {
  loading ??= import('pinyin-pro').then(
    ({ pinyin }) =>
      (name: string) =>
        pinyin(name, { toneType: 'none', type: 'array', surname: 'head', nonZh: 'removed' }),
  );
  return loading;
}
