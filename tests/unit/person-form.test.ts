// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { NewPerson, Person } from '../../src/shared/schemas/index.ts';
import PersonForm from '../../src/app/ui/components/PersonForm.svelte';

const person: Person = {
  id: '01900000-0000-7000-8000-000000000001',
  householdId: '01900000-0000-7000-8000-000000000002',
  gridId: '01900000-0000-7000-8000-000000000003',
  name: '李秀英',
  gender: 'female',
  relation: 'head',
  birthDate: '1950-03-08',
  phone: '13800138000',
  tags: ['elderly-alone'],
  status: 'resident',
  updatedAt: 0,
  isDeleted: false,
};

function renderAs(role: 'helper' | 'worker', shown: Person) {
  const onsave = vi.fn<(fields: NewPerson) => Promise<unknown>>(() => Promise.resolve());
  render(PersonForm, { person: shown, role, onsave, oncancel: () => {} });
  return onsave;
}

describe('the person form', () => {
  it('shows a helper neither the ID number nor the sensitive tags, and says why', async () => {
    const onsave = renderAs('helper', person);
    const form = screen.getByTestId('person-form');
    expect(form.querySelector('input[name=idNumber]')).toBeNull();
    expect(screen.queryByText('身份证号')).toBeNull();
    for (const hidden of ['残疾人', '慢性病', '孕妇', '留守儿童', '重点人员'])
      expect(screen.queryByRole('button', { name: hidden })).toBeNull();
    expect(screen.getByRole('button', { name: '独居老人' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: '低保户' })).toBeTruthy();
    expect(screen.getByTestId('sensitive-hidden').textContent).toBe(
      '身份证号和敏感标签（残疾人、慢性病、孕妇、留守儿童、重点人员）仅网格员、网格长、管理员可见，按个人信息保护要求不向您显示',
    );

    await fireEvent.click(screen.getByRole('button', { name: '低保户' }));
    await fireEvent.submit(form);
    expect(onsave).toHaveBeenCalledOnce();
    const fields = onsave.mock.calls[0]![0];
    expect(fields.idNumber).toBeUndefined();
    expect(fields.tags).toEqual(['elderly-alone', 'low-income']);
  });

  it('never sends back a sensitive tag a helper was not shown', async () => {
    // A copy that should have been redacted (the role changed under an old copy): still not resent.
    const onsave = renderAs('helper', { ...person, tags: ['elderly-alone', 'disabled'] });
    await fireEvent.submit(screen.getByTestId('person-form'));
    expect(onsave.mock.calls[0]![0].tags).toEqual(['elderly-alone']);
  });

  it('shows a grid worker the ID number and every tag, with no explanation', async () => {
    const onsave = renderAs('worker', { ...person, idNumber: '110101195003080022', tags: ['disabled'] });
    const form = screen.getByTestId('person-form');
    const idInput = form.querySelector<HTMLInputElement>('input[name=idNumber]');
    expect(idInput?.value).toBe('110101195003080022');
    for (const shown of ['残疾人', '慢性病', '孕妇', '留守儿童', '重点人员', '独居老人'])
      expect(screen.getByRole('button', { name: shown })).toBeTruthy();
    expect(screen.getByRole('button', { name: '残疾人' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByTestId('sensitive-hidden')).toBeNull();

    await fireEvent.submit(form);
    expect(onsave.mock.calls[0]![0]).toMatchObject({ idNumber: '110101195003080022', tags: ['disabled'] });
  });
});
