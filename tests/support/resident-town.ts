/**
 * A grid's team record with its card token, written through the store as a push would (under the
 * town's lock, at the next version), until "card"'s demo generator makes them.
 */
import { randomBytes } from 'node:crypto';
import type { RecordKind, RecordOf } from '../../src/shared/records.ts';
import type { Store } from '../../src/server/store/store.ts';

export const newResidentToken = () => randomBytes(16).toString('base64url');

export interface SeededTeam {
  residentToken: string;
  retiredTokens: string[];
  members: { name: string; role: string; phone?: string }[];
}

export async function seedGridTeam(
  store: Store,
  townId: string,
  gridId: string,
  team: Partial<SeededTeam> = {},
  at = Date.UTC(2026, 2, 1),
): Promise<SeededTeam> {
  const seeded: SeededTeam = {
    residentToken: team.residentToken ?? newResidentToken(),
    retiredTokens: team.retiredTokens ?? [],
    members: team.members ?? [{ name: '刘建华', role: 'leader', phone: '13800000001' }],
  };
  const record = {
    id: gridId,
    updatedAt: at,
    isDeleted: false,
    gridId,
    servicePromise: '有事找网格，服务零距离',
    ...seeded,
  };
  await store.transaction(async (tx) => {
    const { version } = await tx.towns.lock(townId);
    await tx.records.put(townId, [
      {
        kind: 'gridTeams' as RecordKind,
        record: record as unknown as RecordOf<RecordKind>,
        version: version + 1,
        writtenBy: null,
        writtenAt: at,
        prevAssigneeKey: null,
      },
    ]);
    await tx.towns.advance(townId, version + 1);
  });
  return seeded;
}
