/** /r/<token>: the grid's team as the card prints it, and the form to report a problem. */
import { api, el, errorOf, show } from './dom.ts';
import { scaledJpeg } from './photo.ts';

interface Team {
  gridName: string;
  members: { name: string; role: string; phone?: string }[];
  servicePromise?: string;
  serviceHours?: string;
  hotline?: string;
  categories: { key: string; label: string }[];
}

interface Filed {
  code: string;
  groups: string;
  trackingPath: string;
}

function teamSection(team: Team) {
  return el(
    'section',
    { class: 'card' },
    el('h2', {}, '网格服务团队'),
    el(
      'ul',
      { class: 'team' },
      ...team.members.map((m) =>
        el(
          'li',
          {},
          el('span', { class: 'who' }, el('strong', {}, m.name), ' ', el('span', { class: 'muted' }, m.role)),
          m.phone ? el('a', { class: 'tel', href: `tel:${m.phone}` }, `拨打 ${m.phone}`) : null,
        ),
      ),
    ),
    team.servicePromise ? el('p', {}, `服务承诺：${team.servicePromise}`) : null,
    team.serviceHours ? el('p', {}, `服务时间：${team.serviceHours}`) : null,
    team.hotline
      ? el('p', {}, '服务热线：', el('a', { class: 'tel', href: `tel:${team.hotline}` }, team.hotline))
      : null,
  );
}

function field(label: string, control: HTMLElement, hint?: string) {
  return el(
    'label',
    { class: 'field' },
    el('span', { class: 'label' }, label),
    control,
    hint ? el('span', { class: 'muted' }, hint) : null,
  );
}

function filedPage(filed: Filed) {
  const copy = el('button', { type: 'button', class: 'secondary' }, '复制查询码');
  copy.addEventListener('click', () => {
    const done = () => (copy.textContent = '已复制');
    if (navigator.clipboard) navigator.clipboard.writeText(filed.code).then(done, () => undefined);
    else {
      const area = el('textarea', {}, filed.code);
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
      done();
    }
  });
  show(
    el(
      'section',
      { class: 'card' },
      el('h1', {}, '已收到您的反映'),
      el('p', {}, '网格长会尽快处理。请保存下面的查询码，凭它查看处理进度和答复：'),
      el('p', { class: 'code', 'data-testid': 'tracking-code' }, filed.groups),
      copy,
      el('a', { class: 'button', href: filed.trackingPath, 'data-testid': 'tracking-link' }, '查看处理进度'),
    ),
  );
}

export async function cardPage(token: string) {
  const answer = await api<Team>('GET', `/api/public/grid/${encodeURIComponent(token)}`);
  if (!answer.ok) {
    show(el('section', { class: 'card' }, el('h1', {}, errorOf(answer))));
    return;
  }
  const team = answer.body;
  const category = el(
    'select',
    { name: 'category', required: true },
    el('option', { value: '' }, '请选择'),
    ...team.categories.map((c) => el('option', { value: c.key }, c.label)),
  );
  const description = el('textarea', {
    name: 'description',
    rows: '4',
    maxlength: '500',
    required: true,
    placeholder: '发生了什么？例如：3栋楼下垃圾三天没人清理',
  });
  const place = el('input', { name: 'place', maxlength: '100', placeholder: '例如：3栋2单元楼道' });
  const photo = el('input', { name: 'photo', type: 'file', accept: 'image/*' });
  const locate = el('input', { name: 'locate', type: 'checkbox' });
  const phone = el('input', {
    name: 'phone',
    type: 'tel',
    maxlength: '20',
    placeholder: '选填，方便网格员回访',
  });
  // People never see or reach this field; a form-filling bot does.
  const trap = el('input', { name: 'website', tabindex: '-1', autocomplete: 'off', 'aria-hidden': 'true' });
  const message = el('p', { class: 'error', role: 'alert' });
  const submit = el('button', { type: 'submit' }, '提交反映');
  const form = el(
    'form',
    { class: 'card', novalidate: true },
    el('h2', {}, '我要反映问题'),
    field('问题类别', category),
    field('问题描述', description),
    field('位置（选填）', place),
    field('照片（选填）', photo, '照片会压缩后上传，不含拍摄位置等信息'),
    el('label', { class: 'check' }, locate, el('span', {}, '附上我现在的位置')),
    field('联系电话（选填）', phone, '只有网格工作人员能看到'),
    el('div', { class: 'trap' }, field('网站', trap)),
    message,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  async function position(): Promise<{ lat: number; lng: number; accuracy: number } | undefined> {
    if (!locate.checked || !navigator.geolocation) return undefined;
    return new Promise((resolve) =>
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
        () => resolve(undefined),
        { timeout: 8000, maximumAge: 60_000 },
      ),
    );
  }

  async function send() {
    message.textContent = '';
    if (category.value === '') return void (message.textContent = '请选择问题类别');
    if (description.value.trim().length < 2)
      return void (message.textContent = '请填写问题描述（至少 2 个字）');
    submit.disabled = true;
    submit.textContent = '正在提交…';
    const file = photo.files?.[0];
    const scaled = file ? await scaledJpeg(file) : undefined;
    if (file && scaled === undefined) {
      message.textContent = '这张照片无法读取，请换一张或不附照片';
    } else {
      const location = await position();
      const answer = await api<Filed>('POST', '/api/public/reports', {
        token,
        category: category.value,
        description: description.value,
        place: place.value,
        phone: phone.value,
        website: trap.value,
        ...(scaled ? { photo: scaled } : {}),
        ...(location ? { location } : {}),
      });
      if (answer.ok) return filedPage(answer.body);
      message.textContent = errorOf(answer);
    }
    submit.disabled = false;
    submit.textContent = '提交反映';
  }

  show(
    el(
      'header',
      { class: 'top' },
      el('h1', {}, team.gridName || '网格连心'),
      el('p', {}, '网格连心 · 居民服务'),
    ),
    teamSection(team),
    form,
  );
}
