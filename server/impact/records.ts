import { randomBytes } from 'node:crypto';
import type { ChangeRecord, WindowRecord } from '../model/changes.ts';
import type { IncidentRecord } from '../model/incidents.ts';
import type { ChangeEventKind } from '../model/records.ts';
import type { ChangeFeed } from '../live/change-feed.ts';
import type { GraphStore } from '../store/port.ts';

interface Kinds { incident: IncidentRecord; change: ChangeRecord; window: WindowRecord }
type Kind = keyof Kinds;
const prefix: Record<Kind, string> = { incident: 'inc-', change: 'chg-', window: 'win-' };

export const newRecordId = (kind: Kind) => prefix[kind] + randomBytes(6).toString('base64url');

/**
 * Incidents, changes and windows as store documents, with an in-memory copy per kind that is dropped
 * on every local write and on every such event in the change feed (writes from other replicas).
 */
export class Records {
  private readonly cache = new Map<Kind, Promise<unknown[]>>();

  constructor(private readonly store: GraphStore, private readonly feed?: ChangeFeed) {
    feed?.subscribe((e) => {
      for (const c of e.changes) {
        const kind = c.kind.split('.')[0];
        if (kind === 'incident' || kind === 'change' || kind === 'window') this.cache.delete(kind);
      }
    });
  }

  list<K extends Kind>(kind: K): Promise<Kinds[K][]> {
    let hit = this.cache.get(kind) as Promise<Kinds[K][]> | undefined;
    if (!hit) {
      hit = this.store.listDocs<Kinds[K]>(kind).then((docs) => docs.map((d) => d.data));
      this.cache.set(kind, hit);
      hit.catch(() => this.cache.delete(kind));
    }
    return hit;
  }

  async get<K extends Kind>(kind: K, id: string): Promise<Kinds[K] | null> {
    return (await this.store.getDoc<Kinds[K]>(kind, id))?.data ?? null;
  }

  /** Write a record and announce it on the change-event log (for the ws hub and other replicas). */
  async put<K extends Kind>(kind: K, record: Kinds[K] & { id: string; createdAt: string }, event: ChangeEventKind, now: string): Promise<void> {
    await this.store.putDoc({ kind, id: record.id, createdAt: record.createdAt, updatedAt: now, data: record });
    this.cache.delete(kind);
    await this.store.appendEvent({ at: now, source: null, changes: [{ kind: event, ref: record.id }] });
    void this.feed?.poke();
  }
}
