/** /r/t/<code>: how the resident's report stands, the reply written for them, and their rating. */
import { api, el, errorOf, formatTime, show } from './dom.ts';

interface Report {
  status: string;
  statusText: string;
  category: string;
  description: string;
  place?: string;
  reportedAt: number;
  reply?: { text: string; at: number };
  canRate: boolean;
  rating?: { isSatisfied?: boolean; score?: number };
  steps: { at: number; text: string }[];
}

function choice(name: string, value: string, label: string) {
  const input = el('input', { type: 'radio', name, value });
  return { input, label: el('label', { class: 'chip' }, input, el('span', {}, label)) };
}

function rateForm(code: string) {
  const yes = choice('solved', 'yes', '解决了');
  const no = choice('solved', 'no', '没有解决');
  const stars = [1, 2, 3, 4, 5].map((n) => choice('score', String(n), `${n} 星`));
  const comment = el('textarea', { rows: '2', maxlength: '200', placeholder: '还想说点什么（选填）' });
  const message = el('p', { class: 'error', role: 'alert' });
  const submit = el('button', { type: 'submit' }, '提交评价');
  const form = el(
    'form',
    { class: 'card', novalidate: true },
    el('h2', {}, '问题解决了吗？'),
    el('div', { class: 'chips', role: 'radiogroup', 'aria-label': '问题解决了吗？' }, yes.label, no.label),
    el('h2', {}, '请为处理打分'),
    el('div', { class: 'chips', role: 'radiogroup', 'aria-label': '评分' }, ...stars.map((s) => s.label)),
    comment,
    message,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const score = stars.findIndex((s) => s.input.checked) + 1;
    if (!yes.input.checked && !no.input.checked) return void (message.textContent = '请选择问题是否解决');
    if (score === 0) return void (message.textContent = '请打分（1 到 5 星）');
    submit.disabled = true;
    void api<Report>('POST', `/api/public/track/${encodeURIComponent(code)}/rate`, {
      solved: yes.input.checked,
      score,
      comment: comment.value,
    }).then((answer) => {
      if (answer.ok) return render(code, answer.body);
      message.textContent = errorOf(answer);
      submit.disabled = false;
    });
  });
  return form;
}

function render(code: string, report: Report) {
  show(
    el('header', { class: 'top' }, el('h1', {}, '反映处理进度'), el('p', {}, '网格连心 · 居民服务')),
    el(
      'section',
      { class: 'card' },
      el('p', { class: `status status-${report.status}`, 'data-testid': 'track-status' }, report.statusText),
      el('p', {}, el('strong', {}, report.category), ' · ', formatTime(report.reportedAt)),
      el('p', {}, report.description),
      report.place ? el('p', { class: 'muted' }, `位置：${report.place}`) : null,
    ),
    report.reply
      ? el(
          'section',
          { class: 'card reply' },
          el('h2', {}, '给您的答复'),
          el('p', { 'data-testid': 'track-reply' }, report.reply.text),
          el('p', { class: 'muted' }, formatTime(report.reply.at)),
        )
      : null,
    report.canRate ? rateForm(code) : null,
    report.rating
      ? el(
          'section',
          { class: 'card' },
          el(
            'p',
            { 'data-testid': 'track-rating' },
            `您的评价：${report.rating.isSatisfied === false ? '没有解决' : '已解决'}${report.rating.score ? `，${report.rating.score} 星` : ''}`,
          ),
        )
      : null,
    el(
      'section',
      { class: 'card' },
      el('h2', {}, '处理经过'),
      el(
        'ol',
        { class: 'steps' },
        ...report.steps.map((s) =>
          el('li', {}, el('span', { class: 'muted' }, formatTime(s.at)), ' ', s.text),
        ),
      ),
    ),
  );
}

export async function trackPage(code: string) {
  const answer = await api<Report>('GET', `/api/public/track/${encodeURIComponent(code)}`);
  if (!answer.ok) return show(el('section', { class: 'card' }, el('h1', {}, errorOf(answer))));
  render(code, answer.body);
}
