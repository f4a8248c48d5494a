// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet, tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src/app/commands/run-command.ts';
import ListRow from '../../src/app/ui/components/ListRow.svelte';
import SaveButton from '../../src/app/ui/components/SaveButton.svelte';
import { WriteAttempt } from '../../src/app/ui/write-attempt.svelte.ts';

describe('a list row', () => {
  it('is one link: what comes first, the title with its chips, the line under it, a chevron', () => {
    const room = createRawSnippet(() => ({ render: () => '<span class="room">301</span>' }));
    const { container } = render(ListRow, {
      href: '#/household/h1',
      title: '李秀英',
      sub: '幸福家园1栋1单元301室 · 13800138000',
      tags: ['elderly-alone', 'low-income'],
      lead: room,
    });
    const link = screen.getByRole('link');
    expect(link.getAttribute('href')).toBe('#/household/h1');
    expect(link.className).toBe('row-link');
    expect([...link.children].map((child) => child.className.split(' ')[0])).toEqual([
      'room',
      'row-main',
      'chevron',
    ]);
    expect(container.querySelector('.row-title')?.textContent).toBe('李秀英独居老人低保户');
    expect(container.querySelector('.row-sub')?.textContent).toBe('幸福家园1栋1单元301室 · 13800138000');
  });

  it('puts the chips after the line under the title when asked, and has no such line without one', () => {
    const { container } = render(ListRow, {
      href: '#/household/h1',
      title: '王军',
      sub: '2 人',
      tags: ['empty-nest'],
      tagsAfter: 'sub',
    });
    expect(container.querySelector('.row-title')?.textContent).toBe('王军');
    expect(container.querySelector('.row-sub')?.textContent).toBe('2 人空巢老人');

    const bare = render(ListRow, { href: '#/household/h2', title: '幸福家园1栋1单元101室' });
    expect(bare.container.querySelector('.row-sub')).toBeNull();
  });
});

describe('the save button of a form', () => {
  it('is off while the write runs and shows why it was not stored', async () => {
    const attempt = new WriteAttempt();
    let refuse = () => {};
    let saving: Promise<unknown> = Promise.resolve();
    const save = () => {
      saving = attempt.run(
        () =>
          new Promise((_, reject) => {
            refuse = () => reject(new CommandError([{ path: 'outcome', message: '请选择走访结果' }]));
          }),
      );
    };
    render(SaveButton, { attempt, label: '保存', testId: 'save-visit', onclick: save });
    const button = screen.getByTestId('save-visit') as HTMLButtonElement;
    expect(button.type).toBe('button');
    expect(screen.queryByTestId('save-error')).toBeNull();

    await fireEvent.click(button);
    expect(button.disabled).toBe(true);
    refuse();
    await saving;
    await tick();
    expect(button.disabled).toBe(false);
    expect(screen.getByTestId('save-error').textContent).toBe('请选择走访结果');
  });

  it('submits its form when the form saves', () => {
    render(SaveButton, { attempt: new WriteAttempt(), label: '保存走访', testId: 'save-visit' });
    expect((screen.getByTestId('save-visit') as HTMLButtonElement).type).toBe('submit');
  });
});
