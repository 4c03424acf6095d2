import { randomBytes } from 'node:crypto';
import { AUDIT_RECORD, type GraphStore, type StoredEntry } from '../store/port.ts';
import type { AuditEntry, TokenInfo } from '../model/records.ts';

type AuditData = Omit<AuditEntry, 'id' | 'at' | 'action'>;

/**
 * The audit entry of an admin action on `token`, written by the store in the same transaction as the
 * action itself: a token never exists, or disappears, without the entry that says who did it.
 */
export function auditEntry(action: AuditEntry['action'], by: TokenInfo | null, token: TokenInfo, at: string, replacedBy?: string): StoredEntry<AuditData> {
  return {
    recordId: AUDIT_RECORD, at, kind: action, id: 'aud-' + randomBytes(6).toString('base64url'),
    data: {
      by: by && { id: by.id, name: by.name, role: by.role },
      token: { id: token.id, name: token.name, role: token.role, team: token.team ?? null, expiresAt: token.expiresAt ?? null },
      ...(replacedBy ? { replacedBy } : {}),
    },
  };
}

/** The latest `limit` admin actions, newest first. */
export async function latestAudit(store: GraphStore, limit: number): Promise<AuditEntry[]> {
  const rows = await store.listEntries<AuditData>(AUDIT_RECORD, limit);
  return rows.reverse().map((r) => ({ id: r.id, at: r.at, action: r.kind as AuditEntry['action'], ...r.data }));
}
