import type { CiRef, IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import type { Redundancy } from '../../server/model/relations.ts';

/**
 * Accumulates the CIs and structural relations of one cluster, one CI per identity: a k8s Service named
 * like the workload it selects is the same software CI as that workload's app, so its attributes merge.
 */
export class ClusterGraph {
  private readonly cis = new Map<string, IngestCi>();
  private readonly rels = new Map<string, IngestRelation>();

  constructor(readonly cluster: string, readonly environment?: string) {}

  /** Adds or merges a CI and returns the ref that names it. */
  ci(ci: IngestCi): CiRef {
    const ref = refOf(ci);
    const key = JSON.stringify(ref);
    const existing = this.cis.get(key);
    if (existing) existing.attributes = { ...existing.attributes, ...ci.attributes };
    else this.cis.set(key, ci);
    return ref;
  }

  relate(type: IngestRelation['type'], from: CiRef, to: CiRef, redundancy?: Redundancy): void {
    const key = JSON.stringify([type, from, to]);
    if (!this.rels.has(key)) this.rels.set(key, { type, from, to, provenance: 'declared', ...(redundancy ? { redundancy } : {}) });
  }

  clusterRef(): CiRef {
    return this.ci({ class: 'k8s_cluster', name: this.cluster, attributes: {} });
  }

  namespaceRef(namespace: string, attributes: Record<string, unknown> = {}): CiRef {
    return this.ci({ class: 'k8s_namespace', name: namespace, identifiers: { cluster: this.cluster }, attributes });
  }

  /** Software CIs (service, database, queue, cache) of a namespace; data stores also get an `endpoint`, the first rule of their classes. */
  software(cls: string, namespace: string, name: string, attributes: Record<string, unknown> = {}): CiRef {
    const identifiers: Record<string, string> = { cluster: this.cluster, namespace };
    if (cls !== 'service') identifiers.endpoint = `k8s://${this.cluster}/${namespace}/${name}`;
    return this.ci({
      class: cls as IngestCi['class'],
      name,
      identifiers,
      ...(this.environment ? { environment: this.environment } : {}),
      attributes,
    });
  }

  allCis(): IngestCi[] {
    return [...this.cis.values()];
  }

  allRelations(): IngestRelation[] {
    return [...this.rels.values()];
  }
}

/** A ref carries exactly what identification reads: class, name, environment and identifiers. */
function refOf(ci: IngestCi): CiRef {
  return {
    class: ci.class,
    name: ci.name,
    ...(ci.environment ? { environment: ci.environment } : {}),
    ...(ci.identifiers ? { identifiers: ci.identifiers } : {}),
  };
}
