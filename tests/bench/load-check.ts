/**
 * The load test's checks after the run (load-bench.ts): every device's writes landed exactly once, in
 * the database and in a fresh pull of each account.
 */
import type { Store } from '../../src/server/store/store.ts';
import type { Household } from '../../src/shared/schemas/index.ts';
import type { Device, Seeded } from './load-devices.ts';
import { BENCH_PASSWORD, firstPull } from './push-load.ts';

interface Check {
  /** Writes acknowledged or sent that are missing from the log or the records, or wrong there. */
  lost: number;
  /** Writes logged or stored more than once, or that no device sent. */
  doubled: number;
  notes: string[];
}

/** Every device's mutation_log holds exactly the ids it sent, once each, applied; the records agree. */
export async function checkDatabase(store: Store, seeded: Seeded): Promise<Check> {
  const check: Check = { lost: 0, doubled: 0, notes: [] };
  const logRows = await store.sql.all<{
    client_id: string;
    n: number | string;
    ids: number | string;
    low: number | string;
    high: number | string;
    applied: number | string;
  }>(
    `SELECT client_id, COUNT(*) AS n, COUNT(DISTINCT mutation_id) AS ids, MIN(mutation_id) AS low,
       MAX(mutation_id) AS high, SUM(CASE WHEN status = 'applied' THEN 1 ELSE 0 END) AS applied
     FROM mutation_log GROUP BY client_id`,
  );
  const logOf = new Map(logRows.map((row) => [row.client_id, row]));
  const recordRows = await store.sql.all<{ written_by: string; kind: string; n: number | string }>(
    `SELECT written_by, kind, COUNT(*) AS n FROM records
     WHERE town_id = ? AND written_by IS NOT NULL GROUP BY written_by, kind`,
    [seeded.townId],
  );
  const recordsOf = new Map<string, Map<string, number>>();
  for (const row of recordRows) {
    const kinds = recordsOf.get(row.written_by) ?? new Map<string, number>();
    recordsOf.set(row.written_by, kinds.set(row.kind, Number(row.n)));
  }
  const clients = await store.sql.all<{ client_id: string; last_mutation_id: number | string }>(
    'SELECT client_id, last_mutation_id FROM clients WHERE town_id = ?',
    [seeded.townId],
  );
  const lastOf = new Map(clients.map((row) => [row.client_id, Number(row.last_mutation_id)]));
  const known = new Set(seeded.devices.map((d) => d.clientId));
  for (const device of seeded.devices) {
    const sent = device.written;
    const row = logOf.get(device.clientId);
    const applied = Number(row?.applied ?? 0);
    const n = Number(row?.n ?? 0);
    const ids = Number(row?.ids ?? 0);
    const fine =
      n === sent &&
      ids === sent &&
      applied === sent &&
      (sent === 0 || (Number(row!.low) === 1 && Number(row!.high) === sent));
    if (!fine) {
      check.lost += Math.max(0, sent - applied);
      check.doubled += Math.max(0, n - ids) + Math.max(0, Number(row?.high ?? 0) - sent);
      if (check.notes.length < 3)
        check.notes.push(
          `${device.clientId}: sent 1..${sent}, log ${n} rows, ${ids} ids, ${applied} applied`,
        );
    }
    if ((lastOf.get(device.clientId) ?? 0) !== sent) check.lost++;
    const stored = recordsOf.get(device.clientId) ?? new Map<string, number>();
    const expected: [string, number][] = [
      ['households', device.notes.size],
      ['visits', device.visits.size],
      ['needs', device.needs.size],
    ];
    for (const [kind, count] of expected) {
      const got = stored.get(kind) ?? 0;
      if (got < count) check.lost += count - got;
      if (got > count) check.doubled += got - count;
    }
  }
  for (const row of logRows) if (!known.has(row.client_id)) check.doubled += Number(row.n);
  return check;
}

/** A fresh pull of each account from cursor 0: its devices' households at their last notes, every visit there. */
export async function checkPulls(origins: readonly string[], seeded: Seeded): Promise<Check> {
  const check: Check = { lost: 0, doubled: 0, notes: [] };
  const byAccount = new Map<string, Device[]>();
  for (const device of seeded.devices)
    byAccount.set(device.username, [...(byAccount.get(device.username) ?? []), device]);
  let turn = 0;
  for (const [username, devices] of byAccount) {
    const held = new Map<string, { version: number; data?: unknown }>();
    const next = () => origins[turn++ % origins.length]!;
    await firstPull(
      next,
      username,
      BENCH_PASSWORD,
      (page) => {
        for (const change of page.changes) {
          const key = `${change.kind}/${change.id}`;
          if (held.has(key)) check.doubled++;
          held.set(key, { version: change.version, data: change.data });
        }
      },
      `final pull of ${username}`,
    );
    for (const device of devices) {
      for (const [id, notes] of device.notes) {
        const got = (held.get(`households/${id}`)?.data as Household | undefined)?.notes;
        if (got !== notes) {
          check.lost++;
          if (check.notes.length < 3)
            check.notes.push(`${username}: household ${id} has "${got}", not "${notes}"`);
        }
      }
      for (const id of device.visits) if (!held.has(`visits/${id}`)) check.lost++;
      for (const id of device.needs) if (!held.has(`needs/${id}`)) check.lost++;
    }
  }
  return check;
}
