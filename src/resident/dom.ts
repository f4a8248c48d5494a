/** A few lines of DOM building instead of a framework: the page must stay a few tens of KB. */
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const name of Object.keys(attrs)) {
    const value = attrs[name];
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false)
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

export function show(...children: Child[]) {
  const page = document.getElementById('page')!;
  page.textContent = '';
  for (const child of children)
    if (child) page.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  window.scrollTo(0, 0);
}

export interface ApiAnswer<T> {
  ok: boolean;
  status: number;
  body: T & { error?: { message: string } };
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> {
  try {
    const response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
    const parsed = (await response.json().catch(() => ({}))) as T & { error?: { message: string } };
    return { ok: response.ok, status: response.status, body: parsed };
  } catch {
    return {
      ok: false,
      status: 0,
      body: { error: { message: '网络连接失败，请检查网络后再试' } } as T & { error: { message: string } },
    };
  }
}

export const errorOf = (answer: ApiAnswer<unknown>) => answer.body.error?.message ?? '出错了，请稍后再试';

export function formatTime(at: number): string {
  const d = new Date(at);
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
