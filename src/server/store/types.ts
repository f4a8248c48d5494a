import type { User } from '../../shared/protocol.ts';
import type { RecordKind, RecordOf } from '../../shared/records.ts';

export type UserRole = User['role'];

export interface StoredUser extends User {
  /** The town the account belongs to: every record it reads or writes is that town's. */
  townId: string;
  passwordHash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface Town {
  id: string;
  code: string;
  name: string;
  version: number;
  createdAt: number;
}

export interface StoredRecord<K extends RecordKind = RecordKind> {
  kind: K;
  id: string;
  gridId: string | null;
  assigneeKey: string | null;
  prevAssigneeKey: string | null;
  data: RecordOf<K>;
  version: number;
  isDeleted: boolean;
  writtenBy: string | null;
  writtenAt: number;
}

export interface ChangeRow {
  kind: RecordKind;
  id: string;
  version: number;
  isDeleted: boolean;
  data: string;
}

/** A SQL condition (with `?` placeholders) and its parameters (built by scope.ts). */
export interface SqlFilter {
  sql: string;
  params: unknown[];
}

export interface ConflictRow {
  id: number;
  kind: RecordKind;
  recordId: string;
  field: string;
  overwritten: unknown;
  value: unknown;
  userId: string;
  overwrittenClientId: string | null;
  at: number;
  gridId: string | null;
}

export interface BlobMeta {
  sha256: string;
  size: number;
  type: string;
  uploadedBy: string;
  gridId: string | null;
  at: number;
}

export interface ClientRow {
  townId: string;
  userId: string;
  lastMutationId: number;
  pulledVersion: number;
}

export interface MutationLogEntry {
  clientId: string;
  mutationId: number;
  userId: string;
  name: string;
  status: 'applied' | 'rejected';
  reason?: string | undefined;
  message?: string | undefined;
  at: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  userId: string | null;
  action: string;
  detail: unknown;
}

/** Problems only: who holds it now, as one comparable key. */
export function assigneeKeyOf(kind: RecordKind, record: unknown): string | null {
  if (kind !== 'problems') return null;
  const assignee = (record as RecordOf<'problems'>).assignee;
  return assignee ? `${assignee.kind}:${assignee.id}` : null;
}

const PHOTO_ID = /^[0-9a-f]{64}$/;

/** Every photo a record names: its own, its checklist results', and those on its problem events. */
export function photoIdsOf(record: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (depth > 4 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'photoIds' && Array.isArray(inner)) {
        for (const id of inner) if (typeof id === 'string' && PHOTO_ID.test(id)) found.add(id);
      } else walk(inner, depth + 1);
    }
  };
  walk(record, 0);
  return [...found];
}
