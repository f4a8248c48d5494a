/**
 * The pages a card's QR code can open that need no script: a replaced card and an unknown code.
 * Plain HTML with one inline style sheet (the CSP allows inline styles, never inline script), legible
 * in WeChat's browser and on old Android, day and night.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const STYLE = `
  body{margin:0;font:17px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f6f8;color:#1f2329}
  main{max-width:480px;margin:0 auto;padding:48px 20px;text-align:center}
  h1{font-size:22px;margin:16px 0 8px}
  p{color:#4a5058;margin:8px 0}
  .mark{font-size:48px;line-height:1}
  @media (prefers-color-scheme: dark){body{background:#121417;color:#e8eaed}p{color:#b8bcc2}}
`;

export function messagePage(title: string, detail: string, mark: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body><main><div class="mark" aria-hidden="true">${mark}</div><h1>${title}</h1><p>${detail}</p></main></body>
</html>`;
}

export const RETIRED_CARD_PAGE = messagePage(
  '这张连心卡已更换，请扫描新卡上的二维码',
  '网格的服务卡已经更新。请找到新发放的连心卡，扫描上面的二维码，或联系您的网格员。',
  '🔄',
);
export const UNKNOWN_CODE_PAGE = messagePage(
  '二维码无效',
  '没有找到这个二维码对应的网格。请确认扫描的是网格连心卡上的二维码。',
  '⚠️',
);
export const TOO_MANY_PAGE = messagePage('查询太频繁了', '请 10 分钟后再试。', '⏳');

/**
 * The built resident page (dist/resident/index.html), read once. Without a build (API tests) a
 * stand-in that says so, so a live token still answers 200.
 */
export function residentShell(distDir: string | undefined): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () =>
    (cached ??= distDir
      ? readFile(join(distDir, 'resident', 'index.html'), 'utf8').catch(() =>
          messagePage('网格连心', '居民页面尚未构建。', '🏠'),
        )
      : Promise.resolve(messagePage('网格连心', '居民页面尚未构建。', '🏠')));
}
