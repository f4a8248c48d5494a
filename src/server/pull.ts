/**
 * Serving a pull (ARCHITECTURE.md sync step 4): the changes after the client's cursor that the
 * user's scope covers, oldest first, in pages; tombstones included; people redacted for roles that
 * may not see sensitive fields, and an audit row for every page that carried them unredacted.
 */
import { canSeeSensitive } from '../shared/domain/privacy.ts';
import type { PullResponse, RecordChange } from '../shared/protocol.ts';
import type { Person } from '../shared/schemas/person.ts';
import { recordFilter, scopeKeyOf, type Scope } from './scope.ts';
import type { Store, StoredUser } from './store/store.ts';
import { hasSensitive, visibleChange } from './visible.ts';

export interface PullInput {
  cursor: number;
  limit: number;
  clientId?: string | undefined;
  /** What the client has stored, if less than `cursor` (it fetches ahead while it stores). */
  held?: number | undefined;
  /** The scope key the device got with its last page; when the user's scope moved since, start over. */
  scope?: string | undefined;
}

export async function pullChanges(
  store: Store,
  user: StoredUser,
  scope: Scope,
  input: PullInput,
  now: number,
): Promise<PullResponse> {
  // ARCHITECTURE.md sync step 9: a scope that changed since the device's last page (grids given or
  // taken, a grid moved in the tree) is pulled again from the start; the device then removes what
  // the new scope no longer brings.
  const scopeKey = scopeKeyOf(scope);
  const rescoped = input.scope !== undefined && input.scope !== scopeKey && input.cursor > 0;
  const from = rescoped ? 0 : input.cursor;
  // One snapshot: the page, the town's counter and the client's lastMutationId agree. Every version
  // up to that counter is committed (pushes bump it last, under the town's lock), so jumping the
  // cursor to it never steps over a change that commits later.
  const snapshot = await store.transaction(
    async (tx) => ({
      ...(await tx.records.changesSince(scope.townId, from, input.limit, recordFilter(scope))),
      version: await tx.towns.version(scope.townId),
      client: input.clientId === undefined ? undefined : await tx.clients.get(input.clientId),
    }),
    { readOnlySnapshot: true },
  );
  const { rows, remaining, version, client } = snapshot;
  const hasMore = remaining > 0;
  const seesSensitive = canSeeSensitive(user.role);
  let sensitivePeople = 0;
  const changes: RecordChange[] = rows.map((row) => {
    const change: RecordChange = {
      kind: row.kind,
      id: row.id,
      version: row.version,
      isDeleted: row.isDeleted,
    };
    if (row.isDeleted) return change;
    const data = JSON.parse(row.data) as unknown;
    if (row.kind === 'people' && seesSensitive && hasSensitive(data as Person)) sensitivePeople++;
    return visibleChange(user, { ...change, data });
  });
  // With nothing more in scope, jump to the newest version: the next pull skips what others wrote
  // meanwhile outside this scope. Safe because every later write takes a higher version.
  const lastVersion = rows.at(-1)?.version ?? from;
  const cursor = hasMore ? lastVersion : Math.max(lastVersion, version, from);

  let lastMutationId = 0;
  if (input.clientId !== undefined) {
    if (!client) await store.clients.bind(input.clientId, scope.townId, user.id, now);
    if (!client || client.userId === user.id) {
      lastMutationId = client?.lastMutationId ?? 0;
      // What the client already holds (used to tell real conflicts apart): a page fetched ahead is
      // not held until it is stored, so a prefetch names the cursor it has stored.
      await store.clients.setPulledVersion(input.clientId, input.held ?? input.cursor);
    }
  }
  if (sensitivePeople > 0)
    await store.journal.audit(scope.townId, now, user.id, 'read-sensitive', {
      kind: 'people',
      count: sensitivePeople,
      cursor: from,
      clientId: input.clientId ?? null,
    });
  return {
    changes,
    cursor,
    hasMore,
    remaining,
    lastMutationId,
    scopeKey,
    ...(rescoped ? { rescoped } : {}),
  };
}
