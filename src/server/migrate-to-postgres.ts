/**
 * Moving up: `npm run migrate-to-postgres -- --from ./data --to postgres://...` copies the towns of an
 * SQLite deployment (or one, with --town CODE) into PostgreSQL, which may already serve other towns.
 * Everything a device relies on is copied as it is (record versions, the town's counter, sessions,
 * devices with their lastMutationId and cursor, the mutation log), so phones go on syncing against
 * the new server without signing in again or pulling everything again. One transaction: a copy that
 * fails leaves PostgreSQL as it was.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chunked, placeholders, type SqlExecutor } from './store/sql.ts';
import { openStore, type Store, type Town } from './store/store.ts';

/** Per table: which rows belong to the town (`?` = the town id, as often as it appears). */
const TOWN_ROWS: readonly { table: string; where: string; skip?: readonly string[] }[] = [
  { table: 'towns', where: 'id = ?' },
  { table: 'users', where: 'town_id = ?' },
  { table: 'sessions', where: 'user_id IN (SELECT id FROM users WHERE town_id = ?)' },
  { table: 'clients', where: 'town_id = ?' },
  { table: 'records', where: 'town_id = ?' },
  { table: 'household_visits', where: 'town_id = ?' },
  { table: 'visit_days', where: 'town_id = ?' },
  // The resident page's card tokens and tracking codes (hashes), so printed cards keep working.
  { table: 'resident_tokens', where: 'town_id = ?' },
  { table: 'resident_reports', where: 'town_id = ?' },
  { table: 'mutation_log', where: 'client_id IN (SELECT client_id FROM clients WHERE town_id = ?)' },
  // New ids on the way in: PostgreSQL may already hold other towns' rows with the same numbers.
  { table: 'conflicts', where: 'town_id = ?', skip: ['id'] },
  { table: 'audit', where: 'town_id = ?', skip: ['id'] },
  {
    table: 'blobs',
    where:
      'sha256 IN (SELECT sha256 FROM blob_uploads WHERE town_id = ? UNION SELECT sha256 FROM blob_refs WHERE town_id = ?)',
  },
  { table: 'blob_uploads', where: 'town_id = ?' },
  { table: 'blob_refs', where: 'town_id = ?' },
];

/** Content-addressed or shared rows: already there is the same row. */
const SHARED_TABLES = new Set(['blobs']);

export interface CopyReport {
  town: Town;
  rows: Record<string, number>;
  photos: number;
}

async function copyRows(
  from: SqlExecutor,
  to: SqlExecutor,
  table: string,
  where: string,
  townId: string,
  skip: readonly string[],
) {
  const params = Array.from({ length: where.split('?').length - 1 }, () => townId);
  const rows = await from.all<Record<string, unknown>>(`SELECT * FROM ${table} WHERE ${where}`, params);
  if (rows.length === 0) return rows;
  const columns = Object.keys(rows[0]!).filter((c) => !skip.includes(c));
  const onConflict = SHARED_TABLES.has(table) ? ' ON CONFLICT DO NOTHING' : '';
  for (const chunk of chunked(rows, columns.length)) {
    await to.run(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(columns.length, chunk.length)}${onConflict}`,
      chunk.flatMap((row) => columns.map((c) => row[c])),
    );
  }
  return rows;
}

/** Copies one town; refuses (before writing anything) when PostgreSQL already has it or its names. */
export async function copyTown(source: Store, target: Store, town: Town): Promise<CopyReport> {
  if ((await target.towns.get(town.id)) || (await target.towns.byCode(town.code)))
    throw new Error(`PostgreSQL 里已经有 ${town.name}（${town.code}）：不会覆盖。`);
  const users = await source.accounts.list(town.id);
  for (const user of users)
    if (await target.accounts.byUsername(user.username))
      throw new Error(`PostgreSQL 里已有用户名 ${user.username}（另一个镇）：请先在其中一边改名。`);
  const report: CopyReport = { town, rows: {}, photos: 0 };
  await target.transaction(async (tx) => {
    for (const { table, where, skip } of TOWN_ROWS) {
      const rows = await copyRows(source.sql, tx.sql, table, where, town.id, skip ?? []);
      report.rows[table] = rows.length;
      if (table !== 'blobs') continue;
      for (const row of rows) {
        const sha256 = String(row.sha256);
        const bytes = await source.blobs.read(sha256);
        if (!bytes) throw new Error(`照片 ${sha256} 的文件不见了：复制已取消，PostgreSQL 未改动。`);
        await tx.sql.run('INSERT INTO blob_bytes (sha256, bytes) VALUES (?, ?) ON CONFLICT DO NOTHING', [
          sha256,
          bytes,
        ]);
        report.photos++;
      }
    }
    // Checked before committing: what landed is what was read.
    const copied = await tx.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM records WHERE town_id = ?', [
      town.id,
    ]);
    if (copied?.n !== report.rows.records) throw new Error('复制的记录数不符：已取消');
  });
  return report;
}

async function main() {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, town: { type: 'string' } },
  });
  const to = values.to ?? process.env.DATABASE_URL;
  if (!values.from || !to) {
    console.error(
      '用法：npm run migrate-to-postgres -- --from ./data --to postgres://用户:密码@主机/库 [--town 镇编码]',
    );
    process.exit(2);
  }
  const dataDir = resolve(values.from);
  const source = await openStore({ file: join(dataDir, 'lianxin.sqlite') });
  const target = await openStore({ url: to });
  try {
    const towns = (await source.towns.list()).filter(
      (t) => values.town === undefined || t.code === values.town,
    );
    if (towns.length === 0)
      throw new Error(values.town ? `SQLite 里没有镇 ${values.town}` : 'SQLite 里没有任何镇');
    for (const town of towns) {
      const report = await copyTown(source, target, town);
      console.log(
        `${town.name}（${town.code}）：${report.rows.records} 条记录、${report.rows.users} 个账号、` +
          `${report.rows.clients} 台设备、${report.photos} 张照片已复制（版本号 ${town.version} 不变）。`,
      );
    }
    console.log(
      '设备无需重新登录：把服务器改为 DATABASE_URL 启动即可（停掉旧的 SQLite 服务器，别让两边同时写）。',
    );
  } finally {
    await source.close();
    await target.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname))
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
