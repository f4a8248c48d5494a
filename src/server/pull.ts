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
import { hasSensitive, maySend, visibleChange } from './visible.ts';

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
  // The town's counter and the device's row first, then the page. Within a town versions commit in
  // order (pushes hold the town's lock and bump the counter last), so whatever the page sees is a
  // prefix of the log that contains every version up to the counter read before it: jumping the
  // cursor to that counter never steps over a change that commits later. The device's
  // lastMutationId read first can only lag the page (a mutation already in the page is then replayed
  // once more on the device and answered "duplicate"), never run ahead of it.
  const { version, client } = await store.towns.versionWithClient(scope.townId, input.clientId);
  const { rows, remaining } = await store.records.changesSince(
    scope.townId,
    from,
    input.limit,
    recordFilter(scope),
  );
  const hasMore = remaining > 0;
  const seesSensitive = canSeeSensitive(user.role);
  let sensitivePeople = 0;
  const changes: RecordChange[] = [];
  for (const row of rows) {
    const change: RecordChange = {
      kind: row.kind,
      id: row.id,
      version: row.version,
      isDeleted: row.isDeleted,
    };
    if (row.isDeleted) {
      changes.push(change);
      continue;
    }
    const data = JSON.parse(row.data) as unknown;
    // Passed by like a record out of scope: the cursor still moves past it (below, from `rows`).
    if (!maySend(user, row.kind, data)) continue;
    if (row.kind === 'people' && seesSensitive && hasSensitive(data as Person)) sensitivePeople++;
    changes.push(visibleChange(user, scope, { ...change, data }));
  }
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
      const held = input.held ?? input.cursor;
      if (!client || held > client.pulledVersion) await store.clients.setPulledVersion(input.clientId, held);
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
