import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppDB } from '../../src/app/db/app-db.ts';
import { clearLocalData } from '../../src/app/db/clear.ts';
import { readCachedDashboard, storeDashboard } from '../../src/app/db/dashboard-cache.ts';
import { META_KEYS } from '../../src/app/db/meta.ts';
import { ageOf, formatAsOf } from '../../src/app/ui/dashboard/figure-format.ts';
import { dashboardFixture, FIXTURE_AS_OF } from '../fixtures/dashboard.ts';

let db: AppDB;
let dbCount = 0;

beforeEach(() => {
  db = new AppDB(`dashboard-cache-test-${dbCount++}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe('the dashboard cached on the device', () => {
  it('is nothing before the first fetch', async () => {
    expect(await readCachedDashboard(db)).toBeUndefined();
  });

  it('reads back what was stored, with when it arrived, and tells its age', async () => {
    const dashboard = dashboardFixture();
    const storedAt = FIXTURE_AS_OF + 2_000;
    await storeDashboard(db, dashboard, storedAt);

    const cached = await readCachedDashboard(db);
    expect(cached).toEqual({ dashboard, storedAt });
    // Opened offline two hours later: "数据截至 16:05", two hours old.
    const later = FIXTURE_AS_OF + 2 * 3_600_000 + 5 * 60_000;
    expect(formatAsOf(cached!.dashboard.asOf, later)).toBe('16:05');
    expect(ageOf(cached!.dashboard.asOf, later)).toEqual({ unit: 'hours', n: 2 });
  });

  it('keeps only the latest fetch', async () => {
    await storeDashboard(db, dashboardFixture(), FIXTURE_AS_OF);
    const newer = dashboardFixture({ asOf: FIXTURE_AS_OF + 60_000 });
    await storeDashboard(db, newer, FIXTURE_AS_OF + 61_000);
    expect((await readCachedDashboard(db))?.dashboard.asOf).toBe(FIXTURE_AS_OF + 60_000);
  });

  it('ignores a cache in a shape this version no longer reads', async () => {
    await db.meta.put({ key: META_KEYS.dashboard, value: { dashboard: { asOf: 'x' }, storedAt: 1 } });
    expect(await readCachedDashboard(db)).toBeUndefined();
    await db.meta.put({ key: META_KEYS.dashboard, value: 'garbage' });
    expect(await readCachedDashboard(db)).toBeUndefined();
  });

  it('goes with the rest of the data at sign-out', async () => {
    await storeDashboard(db, dashboardFixture(), FIXTURE_AS_OF);
    await clearLocalData(db);
    expect(await readCachedDashboard(db)).toBeUndefined();
  });
});
