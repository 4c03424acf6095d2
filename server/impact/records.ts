import { randomBytes } from 'node:crypto';
import type { ChangeRecord, WindowRecord } from '../model/changes.ts';
import type { IncidentRecord } from '../model/incidents.ts';
import type { ChangeEventKind } from '../model/records.ts';
import type { ChangeFeed } from '../live/change-feed.ts';
import type { GraphStore, StoredEntry } from '../store/port.ts';
import type { TimelineEntry } from '../model/timeline.ts';
import { ConflictError } from '../domain/errors.ts';

interface Kinds { incident: IncidentRecord; change: ChangeRecord; window: WindowRecord }
type Kind = keyof Kinds;
const prefix: Record<Kind, string> = { incident: 'inc-', change: 'chg-', window: 'win-' };

export const newRecordId = (kind: Kind) => prefix[kind] + randomBytes(6).toString('base64url');

/** A timeline entry as a service states it; the id and record are filled in on commit. */
export type NewEntry = Omit<TimelineEntry, 'id'>;

/** Events written by servicegraph itself (live re-computation), so that it does not react to its own writes. */
export const WORKFLOW_SOURCE = 'workflow';

/**
 * A write time after `prev`: the version check compares updatedAt, so two writes in one millisecond
 * must still get different ones.
 */
export function nextStamp(now: string, prev?: string): string {
  if (!prev || Date.parse(now) > Date.parse(prev)) return now;
  return new Date(Date.parse(prev) + 1).toISOString();
}

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

  /**
   * Write a record with its new timeline entries and announce it, in one transaction, if nobody wrote
   * it since it was read (`readAt`: the updatedAt it was read with; null for a new record). Otherwise
   * nothing is written and a 409 says to reload.
   */
  async commit<K extends 'incident' | 'change'>(
    kind: K, record: Kinds[K], readAt: string | null, entries: NewEntry[], event: ChangeEventKind, opts: { source?: string | null } = {},
  ): Promise<void> {
    const rows: StoredEntry[] = entries.map((e, i) => ({
      recordId: record.id, at: e.at, kind: e.kind,
      id: `${String(i).padStart(2, '0')}-${randomBytes(5).toString('base64url')}`,
      data: { by: e.by, text: e.text, ...(e.data ? { data: e.data } : {}) },
    }));
    const { committed } = await this.store.commitRecord({
      doc: { kind, id: record.id, createdAt: record.createdAt, updatedAt: record.updatedAt, data: record },
      ifUpdatedAt: readAt, entries: rows,
      event: { at: record.updatedAt, source: opts.source ?? null, changes: [{ kind: event, ref: record.id }] },
    });
    this.cache.delete(kind);
    if (!committed) throw new ConflictError(`${kind} ${record.id} was changed meanwhile; read it again and retry`, { id: record.id }, 'stale_record');
    void this.feed?.poke();
  }

  /** A record's timeline, oldest first (its latest `limit` entries). */
  async timeline(id: string, limit: number): Promise<TimelineEntry[]> {
    const rows = await this.store.listEntries<{ by: string | null; text: string; data?: Record<string, unknown> }>(id, limit);
    return rows.map((r) => ({ id: r.id, at: r.at, kind: r.kind as TimelineEntry['kind'], by: r.data.by ?? null, text: r.data.text, ...(r.data.data ? { data: r.data.data } : {}) }));
  }

  /** Write a record and announce it on the change-event log (for the ws hub and other replicas). */
  async put<K extends Kind>(kind: K, record: Kinds[K] & { id: string; createdAt: string }, event: ChangeEventKind, now: string): Promise<void> {
    await this.store.putDoc({ kind, id: record.id, createdAt: record.createdAt, updatedAt: now, data: record });
    this.cache.delete(kind);
    await this.store.appendEvent({ at: now, source: null, changes: [{ kind: event, ref: record.id }] });
    void this.feed?.poke();
  }
}
