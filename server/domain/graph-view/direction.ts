import { relationTypes } from '../../model/relations.ts';
import type { RelationRecord } from '../../model/records.ts';

export type Direction = 'upstream' | 'downstream' | 'both';

/**
 * Map directions follow dependency, not storage: `downstream` from a CI reaches what it relies on
 * (its providers, the likelier root causes), `upstream` reaches what relies on it (closer to customers),
 * as Datadog's service map reads. Ownership edges lead downstream to the team.
 */
export function neighbourVia(rel: Pick<RelationRecord, 'type' | 'from' | 'to'>, from: string, direction: Direction): string | null {
  const impact = relationTypes.get(rel.type)?.impact ?? 'none';
  const other = rel.from === from ? rel.to : rel.to === from ? rel.from : null;
  if (other === null) return null;
  if (direction === 'both') return other;
  // The provider is the end whose failure travels to the other end.
  const provider = impact === 'toSource' || impact === 'none' ? rel.to : rel.from;
  const isProviderOfFrom = other === provider;
  return (direction === 'downstream') === isProviderOfFrom ? other : null;
}

export type EdgeState = 'active' | 'idle' | 'inactive' | 'declared';

/** Faddom's edge states from the last sighting; edges nobody observed are `declared`. */
export function edgeState(rel: { observed: { lastSeen: string } | null }, now: number, t: { activeMinutes: number; idleMinutes: number }): EdgeState {
  if (!rel.observed) return 'declared';
  const ageMin = (now - Date.parse(rel.observed.lastSeen)) / 60_000;
  if (ageMin < t.activeMinutes) return 'active';
  if (ageMin < t.idleMinutes) return 'idle';
  return 'inactive';
}
