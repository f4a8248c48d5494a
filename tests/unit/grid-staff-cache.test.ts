import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppDB } from '../../src/app/db/app-db.ts';
import { clearLocalData } from '../../src/app/db/clear.ts';
import { gridStaffOf, storeGridStaff } from '../../src/app/db/grid-staff-cache.ts';
import { META_KEYS } from '../../src/app/db/meta.ts';
import type { GridStaff } from '../../src/shared/grid-staff.ts';

const XF01 = 'grid-xf-01';
const XF02 = 'grid-xf-02';
const STAFF: GridStaff = [
  { userId: 'u-wgy02', name: '陈军', role: 'worker', gridIds: [XF02] },
  { userId: 'u-zxh01', name: '赵桂英', role: 'helper', gridIds: [XF01] },
  { userId: 'u-wgy01', name: '王丽', role: 'worker', gridIds: [XF01, XF02] },
];

let db: AppDB;
let dbCount = 0;

beforeEach(() => {
  db = new AppDB(`grid-staff-cache-test-${dbCount++}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe("the grids' workers cached on the device", () => {
  it('is nobody before the first fetch', async () => {
    expect(await gridStaffOf(db, XF01)).toEqual([]);
  });

  it("names one grid's workers and helpers, by name, from the latest fetch", async () => {
    await storeGridStaff(db, STAFF);
    expect((await gridStaffOf(db, XF01)).map((member) => member.name)).toEqual(['王丽', '赵桂英']);
    expect((await gridStaffOf(db, XF02)).map((member) => member.name)).toEqual(['陈军', '王丽']);
    await storeGridStaff(db, STAFF.slice(0, 1));
    expect(await gridStaffOf(db, XF01)).toEqual([]);
  });

  it('ignores a cache in a shape this version no longer reads', async () => {
    await db.meta.put({ key: META_KEYS.gridStaff, value: [{ id: 'u-1', gridIds: [XF01] }] });
    expect(await gridStaffOf(db, XF01)).toEqual([]);
  });

  it('goes with the rest of the data at sign-out', async () => {
    await storeGridStaff(db, STAFF);
    await clearLocalData(db);
    expect(await gridStaffOf(db, XF01)).toEqual([]);
  });
});
