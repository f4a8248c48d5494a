// @vitest-environment jsdom
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { DashboardView, RefreshFailure } from '../../src/app/state/dashboard.svelte.ts';
import DashboardStatus from '../../src/app/ui/dashboard/DashboardStatus.svelte';
import Headline from '../../src/app/ui/dashboard/Headline.svelte';
import { dashboardFixture, FIXTURE_AS_OF } from '../fixtures/dashboard.ts';

/** What the status line reads of a view: a stand-in with the cache it found and how the refresh went. */
function viewOf(state: { cached: boolean; failure?: RefreshFailure }): DashboardView {
  return {
    dashboard: state.cached ? dashboardFixture() : undefined,
    failure: state.failure,
    hasReadCache: true,
    isRefreshing: false,
    refresh: async () => {},
  } as unknown as DashboardView;
}

const TWO_HOURS_LATER = FIXTURE_AS_OF + 2 * 3_600_000 + 10 * 60_000;

describe('the dashboard says how fresh its figures are', () => {
  it('shows the cached figures\u2019 time and age, and says plainly it is offline', () => {
    render(DashboardStatus, {
      view: viewOf({ cached: true, failure: { kind: 'offline' } }),
      now: TWO_HOURS_LATER,
    });
    expect(screen.getByTestId('dash-as-of').textContent).toBe('数据截至 16:05（2 小时前）');
    expect(screen.getByTestId('dash-offline').textContent).toBe('离线，显示的是上次同步的数据');
  });

  it('with nothing cached and no network, says there is nothing yet', () => {
    render(DashboardStatus, {
      view: viewOf({ cached: false, failure: { kind: 'offline' } }),
      now: TWO_HOURS_LATER,
    });
    expect(screen.queryByTestId('dash-as-of')).toBeNull();
    expect(screen.getByTestId('dash-offline-empty').textContent).toBe(
      '离线，本机还没有看板数据。连上网络后再打开本页。',
    );
  });

  it('online and fresh, says only the time', () => {
    render(DashboardStatus, { view: viewOf({ cached: true }), now: FIXTURE_AS_OF + 20_000 });
    expect(screen.getByTestId('dash-as-of').textContent).toBe('数据截至 16:05（刚刚）');
    expect(screen.queryByTestId('dash-offline')).toBeNull();
  });
});

describe('the headline figures', () => {
  it('link to their lists with the count each list must show; a share links to its part', () => {
    const { container } = render(Headline, { dashboard: dashboardFixture() });
    const figures = [...container.querySelectorAll('[data-testid=dash-figure]')].map((link) => [
      link.getAttribute('data-figure'),
      link.getAttribute('data-count'),
    ]);
    expect(figures).toEqual([
      ['problems.new-today', '4'],
      ['problems.new-week', '19'],
      ['problems.new-month', '86'],
      ['problems.responded', '78'],
      ['problems.resolved-on-time', '61'],
      ['problems.open', '25'],
      ['problems.overdue', '6'],
      ['problems.overdue?severity=red', '1'],
      ['problems.overdue?severity=orange', '2'],
      ['problems.overdue?severity=yellow', '0'],
      ['problems.overdue?severity=blue', '3'],
    ]);
    expect(container.textContent).toContain('91%');
    expect(container.textContent).toContain('78/86');
  });

  it('shows a share of nothing as —, not 0 %', () => {
    const dashboard = dashboardFixture();
    dashboard.problems.responded = { part: 0, whole: 0 };
    const { container } = render(Headline, { dashboard });
    const responded = container.querySelector('[data-figure="problems.responded"]')!;
    expect(responded.querySelector('.value')?.textContent).toBe('—');
    expect(responded.textContent).not.toContain('0%');
  });
});
