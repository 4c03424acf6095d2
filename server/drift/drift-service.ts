import { DriftCollector, type DriftOptions } from '../domain/drift.ts';
import type { DriftReport } from '../model/drift.ts';
import type { CiRecord } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';

/**
 * Drift over the whole live estate, read a page of CIs at a time: each relation once (read from its
 * `from` end, so a hub's dependents are not read with it; the CIs at far ends fetched by id), only the most telling items kept (DriftCollector).
 * Memory is bounded by `limit`, and the event loop takes a turn between pages so other requests are
 * served while a large estate is read (one read of 222k CIs held it for 6.8 s).
 */
export async function driftReport(store: GraphStore, opts: DriftOptions, pageSize: number): Promise<DriftReport> {
  const collector = new DriftCollector(opts);
  let cursor: string | undefined;
  do {
    const page = await store.listCis({ lifecycle: 'active', limit: pageSize, ...(cursor ? { cursor } : {}) });
    const ends = new Map<string, CiRecord>(page.items.map((c) => [c.id, c]));
    const relations = await store.relationsFrom(page.items.map((c) => c.id));
    const far = [...new Set(relations.map((r) => r.to).filter((id) => !ends.has(id)))];
    if (far.length) for (const c of await store.getCis(far)) ends.set(c.id, c);
    collector.add(relations, ends);
    cursor = page.nextCursor ?? undefined;
    // The embedded store answers synchronously: without this turn the whole report would hold every other request.
    await new Promise((r) => setImmediate(r));
  } while (cursor);
  return collector.report();
}
