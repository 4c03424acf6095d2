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

type Ends = ReadonlyMap<string, Pick<CiRecord, 'id' | 'name' | 'class' | 'environment'>>;

// Most telling first: declared edges by how long they have been silent, observed ones by traffic.
const bySilence = (a: DriftItem, b: DriftItem) => (a.lastObserved ?? '').localeCompare(b.lastObserved ?? '') || a.id.localeCompare(b.id);
const byTraffic = (a: DriftItem, b: DriftItem) => b.calls - a.calls || a.id.localeCompare(b.id);

/**
 * Drift over an estate read page by page: `add` each page's relations with the CIs at their ends; only
 * the `limit` most telling items of each list are kept (memory and each step stay bounded whatever the
 * estate's size), and `truncated` says when there were more.
 */
export class DriftCollector {
  private readonly cutoff: string;
  private readonly types: Set<string>;
  private readonly unobservable: Set<string>;
  private declaredNotObserved: DriftItem[] = [];
  private observedNotDeclared: DriftItem[] = [];
  private truncated = false;

  constructor(private readonly opts: DriftOptions) {
    this.cutoff = new Date(Date.parse(opts.now) - opts.days * 86_400_000).toISOString();
    this.types = new Set(opts.types);
    this.unobservable = new Set(opts.unobservableClasses ?? UNOBSERVABLE_CLASSES);
  }

  add(relations: Iterable<RelationRecord>, cis: Ends): void {
    for (const r of relations) {
      if (r.validTo !== null || !this.types.has(r.type)) continue;
      if (this.unobservable.has(cis.get(r.from)?.class ?? '') || this.unobservable.has(cis.get(r.to)?.class ?? '')) continue;
      const declared = isDeclared(r);
      const observed = r.provenance.includes('observed') && r.observed !== null;
      if (declared && !(observed && r.observed!.lastSeen >= this.cutoff)) this.declaredNotObserved.push(item(r, cis));
      else if (observed && !declared) this.observedNotDeclared.push(item(r, cis));
    }
    this.declaredNotObserved = this.keep(this.declaredNotObserved, bySilence, 2);
    this.observedNotDeclared = this.keep(this.observedNotDeclared, byTraffic, 2);
  }

  report(): DriftReport {
    const declaredNotObserved = this.keep(this.declaredNotObserved, bySilence, 1);
    const observedNotDeclared = this.keep(this.observedNotDeclared, byTraffic, 1);
    return { days: this.opts.days, asOf: this.opts.now, types: this.opts.types, declaredNotObserved, observedNotDeclared, truncated: this.truncated };
  }

  /** The best `limit` items once the list holds more than `slack` times that (sorting only now and then keeps adding cheap). */
  private keep(list: DriftItem[], order: (a: DriftItem, b: DriftItem) => number, slack: number): DriftItem[] {
    if (list.length <= this.opts.limit * slack) return slack === 1 ? [...list].sort(order) : list;
    this.truncated = true;
    return list.sort(order).slice(0, this.opts.limit);
  }
}

export function computeDrift(relations: Iterable<RelationRecord>, cis: Ends, opts: DriftOptions): DriftReport {
  const collector = new DriftCollector(opts);
  collector.add(relations, cis);
  return collector.report();
}

function item(r: RelationRecord, cis: Ends): DriftItem {
  const end = (id: string): DriftEnd => {
    const c = cis.get(id);
    return { id, name: c?.name ?? id, class: c?.class ?? 'unknown', environment: c?.environment ?? '' };
  };
  return {
    id: r.id, type: r.type, from: end(r.from), to: end(r.to), provenance: [...r.provenance],
    lastObserved: r.observed?.lastSeen ?? null, calls: r.observed?.calls ?? 0, errors: r.observed?.errors ?? 0,
  };
}
