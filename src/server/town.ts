/**
 * Loading a real town's grid tree and buildings into the server (the demo town does this for itself):
 * `npm run town -- --grids 网格.csv --buildings 楼栋.csv`. The records get versions like any write, so
 * every device pulls them on its next sync; nothing is written when any row has a problem.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readCsvRows } from '../shared/csv.ts';
import { newId } from '../shared/domain/ids.ts';
import { planTownImport, type TownImportPlan } from '../shared/domain/town-import.ts';
import { openStore, type Store } from './store/store.ts';

export interface TownFiles {
  grids?: Uint8Array;
  buildings?: Uint8Array;
}

export interface TownLoadReport extends Pick<TownImportPlan, 'problems' | 'unchanged'> {
  grids: number;
  buildings: number;
}

/** Plans the load against what the store holds and, when no row has a problem, writes it in one transaction. */
export function loadTown(store: Store, files: TownFiles, now: number): TownLoadReport {
  const plan = planTownImport({
    ...(files.grids ? { gridRows: readCsvRows(files.grids).rows } : {}),
    ...(files.buildings ? { buildingRows: readCsvRows(files.buildings).rows } : {}),
    existingGrids: store.liveRecords('grids'),
    existingBuildings: store.liveRecords('buildings'),
    now,
    newId,
  });
  if (plan.problems.length === 0) {
    store.transaction(() => {
      // Parents first, so a device pulling in version order meets a grid's parent before the grid.
      for (const grid of plan.grids) store.writeRecord('grids', grid, null, now);
      for (const building of plan.buildings) store.writeRecord('buildings', building, null, now);
    });
  }
  return {
    problems: plan.problems,
    unchanged: plan.unchanged,
    grids: plan.grids.length,
    buildings: plan.buildings.length,
  };
}

function main() {
  const { values } = parseArgs({
    options: {
      grids: { type: 'string' },
      buildings: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  if (!values.grids && !values.buildings) {
    console.error(
      '用法：npm run town -- --grids 网格.csv [--buildings 楼栋.csv] [--data-dir ./data]\n' +
        '网格表列：编码,名称,类型,上级编码；楼栋表列：网格编码,小区,楼栋,单元数,楼层数,电梯数,消防栓数,燃气管道,供水管道',
    );
    process.exit(2);
  }
  const dataDir = resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data');
  const store = openStore({ file: join(dataDir, 'lianxin.sqlite') });
  try {
    const report = loadTown(
      store,
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
      `已写入 ${report.grids} 个网格、${report.buildings} 栋楼（${report.unchanged} 条与已有数据相同，未改动）。` +
        '各设备下次同步时收到。',
    );
  } finally {
    store.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
