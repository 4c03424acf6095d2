import type { CiRecord, RelationRecord } from '../model/records.ts';
import type { DriftItem, DriftReport } from '../model/drift.ts';

/**
 * Drift between what is declared (manifests, catalogs, people) and what traffic shows, from the
 * provenance the collectors leave on each relation (Faddom's "seen but never declared", and the
 * reverse: a declared dependency nobody has used for N days is stale documentation or dead code).
 * `manual` counts as declared: a person asserted it.
 */
export type { DriftItem, DriftReport };
type DriftEnd = DriftItem['from'];

export interface DriftOptions {
  now: string;
  days: number;
  /** Relation types that traffic can show; PART_OF and OWNED_BY are never observed. */
  types: string[];
  /** Classes traffic never shows as an end (an API entity, a team): their edges cannot drift. */
  unobservableClasses?: string[];
  limit: number;
}

/**
 * A Backstage API is a contract, not a process: traffic shows consumer → provider, never the API
 * node (the catalog collector also declares that direct edge, which is the one drift compares).
 */
export const UNOBSERVABLE_CLASSES = ['api', 'team', 'business_service', 'application_service'];

const isDeclared = (r: RelationRecord) => r.provenance.includes('declared') || r.provenance.includes('manual');

export function computeDrift(relations: Iterable<RelationRecord>, cis: ReadonlyMap<string, Pick<CiRecord, 'id' | 'name' | 'class' | 'environment'>>, opts: DriftOptions): DriftReport {
  const cutoff = new Date(Date.parse(opts.now) - opts.days * 86_400_000).toISOString();
  const declaredNotObserved: DriftItem[] = [];
  const observedNotDeclared: DriftItem[] = [];
  const types = new Set(opts.types);
  const unobservable = new Set(opts.unobservableClasses ?? UNOBSERVABLE_CLASSES);
  for (const r of relations) {
    if (r.validTo !== null || !types.has(r.type)) continue;
    if (unobservable.has(cis.get(r.from)?.class ?? '') || unobservable.has(cis.get(r.to)?.class ?? '')) continue;
    const declared = isDeclared(r);
    const observed = r.provenance.includes('observed') && r.observed !== null;
    if (declared && !(observed && r.observed!.lastSeen >= cutoff)) declaredNotObserved.push(item(r, cis));
    else if (observed && !declared) observedNotDeclared.push(item(r, cis));
  }
  // Most telling first: declared edges by how long they have been silent, observed ones by traffic.
  declaredNotObserved.sort((a, b) => (a.lastObserved ?? '').localeCompare(b.lastObserved ?? '') || a.id.localeCompare(b.id));
  observedNotDeclared.sort((a, b) => b.calls - a.calls || a.id.localeCompare(b.id));
  const truncated = declaredNotObserved.length > opts.limit || observedNotDeclared.length > opts.limit;
  return {
    days: opts.days, asOf: opts.now, types: opts.types,
    declaredNotObserved: declaredNotObserved.slice(0, opts.limit),
    observedNotDeclared: observedNotDeclared.slice(0, opts.limit),
    truncated,
  };
}

function item(r: RelationRecord, cis: ReadonlyMap<string, Pick<CiRecord, 'id' | 'name' | 'class' | 'environment'>>): DriftItem {
  const end = (id: string): DriftEnd => {
    const c = cis.get(id);
    return { id, name: c?.name ?? id, class: c?.class ?? 'unknown', environment: c?.environment ?? '' };
  };
  return {
    id: r.id, type: r.type, from: end(r.from), to: end(r.to), provenance: [...r.provenance],
    lastObserved: r.observed?.lastSeen ?? null, calls: r.observed?.calls ?? 0, errors: r.observed?.errors ?? 0,
  };
}
