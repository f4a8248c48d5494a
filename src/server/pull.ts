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

export function pullChanges(
  store: Store,
  user: StoredUser,
  scope: Scope,
  input: PullInput,
  now: number,
): PullResponse {
  // One read transaction: the page, the count and the counter are one consistent snapshot.
  return store.transaction(() => {
    // ARCHITECTURE.md sync step 9: a scope that changed since the device's last page (grids given or
    // taken, a grid moved in the tree) is pulled again from the start; the device then removes what
    // the new scope no longer brings.
    const scopeKey = scopeKeyOf(scope);
    const rescoped = input.scope !== undefined && input.scope !== scopeKey && input.cursor > 0;
    const from = rescoped ? 0 : input.cursor;
    const { rows, remaining } = store.changesSince(from, input.limit, recordFilter(scope));
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
    const cursor = hasMore ? lastVersion : Math.max(lastVersion, store.currentVersion(), from);

    let lastMutationId = 0;
    if (input.clientId !== undefined) {
      const client = store.getClient(input.clientId);
      if (!client) store.bindClient(input.clientId, user.id, now);
      if (!client || client.userId === user.id) {
        lastMutationId = client?.lastMutationId ?? 0;
        // What the client already holds (used to tell real conflicts apart): a page fetched ahead is
        // not held until it is stored, so a prefetch names the cursor it has stored.
        store.setPulledVersion(input.clientId, input.held ?? input.cursor);
      }
    }
    if (sensitivePeople > 0)
      store.audit(now, user.id, 'read-sensitive', {
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
  });
}
