import type { CiRef, IngestRelation } from '../../server/model/ingest.ts';

/**
 * What a piece of evidence is: `declared` (compose `depends_on`, an Ingress backend), `config` (an
 * environment variable or config file naming the host), `command` (a host in a command line: weaker,
 * a flag means what its program says), `health` (a health-check URL: the caller watches the callee,
 * it does not need it).
 */
export type EvidenceKind = 'declared' | 'config' | 'command' | 'health';

/**
 * Collects the edges found by several pieces of evidence (an env var, `depends_on`, a ConfigMap key)
 * into one relation per caller and callee, listing the evidence in `attributes.via`: a caller that
 * names its database in two variables still has one dependency.
 *
 * An edge whose only evidence is health checks is a MONITORS relation (no impact travels along it);
 * any other evidence makes it DEPENDS_ON, with `confidence` `high`, or `medium` when commands are all
 * that show it.
 */
export class EdgeSet {
  private readonly edges = new Map<string, { from: CiRef; to: CiRef; via: Set<string>; kinds: Set<EvidenceKind> }>();

  add(fromKey: string, from: CiRef, toKey: string, to: CiRef, via: string, kind: EvidenceKind = 'config'): void {
    const key = `${fromKey}\u0000${toKey}`;
    const e = this.edges.get(key) ?? { from, to, via: new Set<string>(), kinds: new Set<EvidenceKind>() };
    e.via.add(via);
    e.kinds.add(kind);
    this.edges.set(key, e);
  }

  relations(): IngestRelation[] {
    return [...this.edges.values()].map((e) => {
      const via = [...e.via].sort();
      if (e.kinds.size === 1 && e.kinds.has('health')) {
        return { type: 'MONITORS' as const, from: e.from, to: e.to, provenance: 'declared' as const, attributes: { via } };
      }
      const confidence = e.kinds.has('declared') || e.kinds.has('config') ? 'high' : 'medium';
      return { type: 'DEPENDS_ON' as const, from: e.from, to: e.to, provenance: 'declared' as const, attributes: { via, confidence } };
    });
  }
}
