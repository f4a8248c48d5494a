/**
 * Adding a town to the deployment, and loading a town's grid tree and buildings (the demo town does
 * this for itself): `npm run town -- --code QS --name 青石镇 [--grids 网格.csv] [--buildings 楼栋.csv]`.
 * A new town gets its administrator (password printed once). The records get versions like any
 * write, so every device of the town pulls them on its next sync; nothing is written when any row has
 * a problem. DATABASE_URL selects PostgreSQL, as for the server.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readCsvRows } from '../shared/csv.ts';
import { defaultDepartmentRecords } from '../shared/domain/departments.ts';
import { newId } from '../shared/domain/ids.ts';
import { planTownImport, type TownImportPlan } from '../shared/domain/town-import.ts';
import { DEFAULT_KDF, hashPassword, type KdfParams } from './auth.ts';
import { openStore, storeOptionsFrom, type Store, type Town } from './store/store.ts';

export interface TownFiles {
  grids?: Uint8Array;
  buildings?: Uint8Array;
}

export interface TownLoadReport extends Pick<TownImportPlan, 'problems' | 'unchanged'> {
  grids: number;
  buildings: number;
}

/** Plans the load against what the town holds and, when no row has a problem, writes it in one transaction. */
export async function loadTown(
  store: Store,
  townId: string,
  files: TownFiles,
  now: number,
): Promise<TownLoadReport> {
  const plan = planTownImport({
    ...(files.grids ? { gridRows: readCsvRows(files.grids).rows } : {}),
    ...(files.buildings ? { buildingRows: readCsvRows(files.buildings).rows } : {}),
    existingGrids: await store.records.live(townId, 'grids'),
    existingBuildings: await store.records.live(townId, 'buildings'),
    now,
    newId,
  });
  if (plan.problems.length === 0) {
    // Parents first, so a device pulling in version order meets a grid's parent before the grid.
    await store.appendRecords(
      townId,
      [
        ...plan.grids.map((record) => ({ kind: 'grids' as const, record })),
        ...plan.buildings.map((record) => ({ kind: 'buildings' as const, record })),
      ],
      null,
      now,
    );
  }
  return {
    problems: plan.problems,
    unchanged: plan.unchanged,
    grids: plan.grids.length,
    buildings: plan.buildings.length,
  };
}

/**
 * Gives a town the default departments (DEFAULT_DEPARTMENTS) when it has never had a department
 * record: a new town, or one from before departments were data, which could not dispatch at all
 * otherwise. A town that has departments (or closed them) keeps what it has. How many were written.
 */
export async function ensureDepartments(store: Store, townId: string, now: number): Promise<number> {
  return store.transaction(async (tx) => {
    // Under the town's lock: two server processes starting together add the list once.
    await tx.towns.lock(townId);
    const any = await tx.records.changesSince(townId, 0, 1, { sql: "kind = 'departments'", params: [] });
    if (any.rows.length > 0) return 0;
    const records = defaultDepartmentRecords(now);
    await tx.appendRecords(
      townId,
      records.map((record) => ({ kind: 'departments' as const, record })),
      null,
      now,
    );
    return records.length;
  });
}

const TOWN_CODE = /^[A-Za-z0-9_-]{1,32}$/;

export interface AddedTown {
  town: Town;
  /** The new town's administrator and its one-time password; absent when the town existed. */
  admin?: { username: string; password: string };
}

/** The town of `code`, created with an administrator `<code>_admin` when it is new. */
export async function addTown(
  store: Store,
  code: string,
  rawName: string,
  now: number,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<AddedTown> {
  const name = rawName.trim();
  if (!TOWN_CODE.test(code)) throw new Error(`镇编码只能用字母、数字、- 和 _（收到 ${code}）`);
  if (name === '' || name.length > 40) throw new Error('镇名称不能为空，最多 40 个字');
  const existing = await store.towns.byCode(code);
  if (existing) {
    if (existing.name !== name) await store.towns.rename(existing.id, name);
    return { town: { ...existing, name } };
  }
  const username = `${code.toLowerCase()}_admin`;
  if (await store.accounts.byUsername(username))
    throw new Error(`用户名 ${username} 已被使用：请换一个镇编码`);
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password, kdf);
  const town = await store.transaction(async (tx) => {
    const created = await tx.towns.create({ id: newId(), code, name, createdAt: now });
    await tx.accounts.create({
      id: newId(),
      townId: created.id,
      username,
      name: `${name}管理员`,
      role: 'admin',
      gridIds: [],
      passwordHash,
      createdAt: now,
    });
    await tx.journal.audit(created.id, now, null, 'create-town', { code, name });
    // A town can dispatch from its first day: it starts with the default departments.
    await ensureDepartments(tx, created.id, now);
    return created;
  });
  return { town, admin: { username, password } };
}

const USAGE =
  '用法：npm run town -- --code 镇编码 --name 镇名称 [--grids 网格.csv] [--buildings 楼栋.csv] [--data-dir ./data]\n' +
  '  不带 --code 时载入唯一的镇；DATABASE_URL=postgres://... 时写入 PostgreSQL。\n' +
  '网格表列：编码,名称,类型,上级编码；楼栋表列：网格编码,小区,楼栋,单元数,楼层数,电梯数,消防栓数,燃气管道,供水管道';

async function main() {
  const { values } = parseArgs({
    options: {
      code: { type: 'string' },
      name: { type: 'string' },
      grids: { type: 'string' },
      buildings: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  if (!values.code && !values.grids && !values.buildings) {
    console.error(USAGE);
    process.exit(2);
  }
  const dataDir = resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data');
  const store = await openStore(storeOptionsFrom(process.env, dataDir));
  try {
    let town: Town | undefined;
    if (values.code) {
      const added = await addTown(store, values.code, values.name ?? values.code, Date.now());
      town = added.town;
      if (added.admin)
        console.log(
          `已新建 ${town.name}（${town.code}）。管理员账号 ${added.admin.username}，初始密码：${added.admin.password}（只显示这一次）`,
        );
      else console.log(`${town.name}（${town.code}）已存在。`);
    } else {
      const towns = await store.towns.list();
      if (towns.length !== 1) {
        console.error(`数据库里有 ${towns.length} 个镇：请用 --code 指明载入哪一个。\n${USAGE}`);
        process.exitCode = 2;
        return;
      }
      town = towns[0]!;
    }
    if (!values.grids && !values.buildings) return;
    const report = await loadTown(
      store,
      town.id,
      {
        ...(values.grids ? { grids: readFileSync(values.grids) } : {}),
        ...(values.buildings ? { buildings: readFileSync(values.buildings) } : {}),
      },
      Date.now(),
    );
    if (report.problems.length > 0) {
      console.error(`没有写入任何数据：${report.problems.length} 处问题，请改正后重新运行。`);
      for (const p of report.problems)
        console.error(`  ${p.table}${p.line > 0 ? ` 第 ${p.line} 行` : ''}：${p.message}`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `${town.name}：已写入 ${report.grids} 个网格、${report.buildings} 栋楼（${report.unchanged} 条与已有数据相同，未改动）。` +
        '各设备下次同步时收到。',
    );
  } finally {
    await store.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname))
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
