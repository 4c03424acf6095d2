import type { ChangeEvent } from '../model/records.ts';
import type { Topology } from './topology.ts';
import { relationNote } from '../domain/graph-view/neighbourhood.ts';
import { inTurns } from '../live/turns.ts';

type Change = ChangeEvent['changes'][number];

/**
 * Patch the projection with one committed batch, from the full records the event carries.
 * CIs first, then relations, whatever their order in the event, so a relation never waits for its ends.
 * Idempotent: applying an event twice leaves the same projection (the build may overlap the feed).
 */
export function applyChangeEvent(topo: Topology, event: ChangeEvent): void {
  for (const c of event.changes) applyCiChange(topo, c);
  for (const c of event.changes) applyRelationChange(topo, c);
}

/**
 * The same, a turn of the event loop at a time (`budgetMs` each; turns.ts, inTurns): undefined when it all fitted in
 * this turn, else a promise settled once the last change is in. A 10k-CI batch no longer holds the loop for its whole
 * apply; the change feed keeps requests that arrive meanwhile waiting until it is whole (ChangeFeed.caughtUp).
 */
export function applyChangeEventInTurns(topo: Topology, event: ChangeEvent, budgetMs: number): Promise<void> | undefined {
  const cis = event.changes.filter((c) => c.ci);
  const ordered = [...cis, ...event.changes.filter((c) => c.relation)];
  return inTurns(ordered, (c, i) => (i < cis.length ? applyCiChange(topo, c) : applyRelationChange(topo, c)), budgetMs);
}

function applyCiChange(topo: Topology, c: Change): void {
  if (!c.ci) return;
  if (c.kind === 'ci.retired' || c.ci.lifecycle === 'retired') topo.retireCi(c.ci.id);
  else if (c.kind === 'ci.created' || c.kind === 'ci.updated' || c.kind === 'ci.restored') topo.upsertCi(c.ci);
}

function applyRelationChange(topo: Topology, c: Change): void {
  const r = c.relation;
  if (!r) return;
  if (c.kind === 'relation.retired' || r.validTo !== null) topo.removeRelation(r);
  else if (c.kind === 'relation.created' || c.kind === 'relation.updated' || c.kind === 'relation.restored') topo.upsertRelation({ ...r, note: relationNote(r.attributes) });
}
