import type { CiRef, IngestRelation } from '../../server/model/ingest.ts';

/**
 * Collects DEPENDS_ON edges found by several pieces of evidence (an env var, `depends_on`, a ConfigMap
 * key) into one relation per caller and callee, listing the evidence in `attributes.via`: a caller
 * that names its database in two variables still has one dependency.
 */
export class EdgeSet {
  private readonly edges = new Map<string, { from: CiRef; to: CiRef; via: Set<string> }>();

  add(fromKey: string, from: CiRef, toKey: string, to: CiRef, via: string): void {
    const key = `${fromKey}\u0000${toKey}`;
    const e = this.edges.get(key) ?? { from, to, via: new Set<string>() };
    e.via.add(via);
    this.edges.set(key, e);
  }

  relations(): IngestRelation[] {
    return [...this.edges.values()].map((e) => ({
      type: 'DEPENDS_ON' as const,
      from: e.from,
      to: e.to,
      provenance: 'declared' as const,
      attributes: { via: [...e.via].sort() },
    }));
  }
}
