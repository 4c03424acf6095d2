import type { ChangeEvent } from '../model/records.ts';
import type { Topology } from './topology.ts';
import { relationNote } from '../domain/graph-view/neighbourhood.ts';

/**
 * Patch the projection with one committed batch, from the full records the event carries.
 * CIs first, then relations, whatever their order in the event, so a relation never waits for its ends.
 * Idempotent: applying an event twice leaves the same projection (the build may overlap the feed).
 */
export function applyChangeEvent(topo: Topology, event: ChangeEvent): void {
  for (const c of event.changes) {
    if (!c.ci) continue;
    if (c.kind === 'ci.retired' || c.ci.lifecycle === 'retired') topo.retireCi(c.ci.id);
    else if (c.kind === 'ci.created' || c.kind === 'ci.updated' || c.kind === 'ci.restored') topo.upsertCi(c.ci);
  }
  for (const c of event.changes) {
    const r = c.relation;
    if (!r) continue;
    if (c.kind === 'relation.retired' || r.validTo !== null) topo.removeRelation(r);
    else if (c.kind === 'relation.created' || c.kind === 'relation.updated' || c.kind === 'relation.restored') topo.upsertRelation({ ...r, note: relationNote(r.attributes) });
  }
}
