import type { IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import type { EdgeCount, NodeRef, ServiceSeen } from './aggregator.ts';

/**
 * Folded counts to ingest items: every node an edge names becomes a CI of the batch (the server
 * resolves relation ends within the batch or the store, so each batch carries its own ends), and
 * every edge an observed DEPENDS_ON carrying its calls, errors and last sighting.
 */
export function toIngest(edges: EdgeCount[], services: ServiceSeen[] = []): { cis: IngestCi[]; relations: IngestRelation[] } {
  const cis = new Map<string, IngestCi>();
  const addNode = (n: NodeRef) => {
    const key = `${n.class}|${n.environment ?? ''}|${n.name}`;
    if (cis.has(key)) return;
    const ci: IngestCi = { class: n.class, name: n.name };
    if (n.environment) ci.environment = n.environment;
    if (n.attributes) ci.attributes = { ...n.attributes };
    cis.set(key, ci);
  };
  for (const s of services) addNode({ class: 'service', name: s.name, environment: s.environment });
  const relations: IngestRelation[] = edges.map((e) => {
    addNode(e.from);
    addNode(e.to);
    return {
      type: 'DEPENDS_ON',
      from: refOf(e.from),
      to: refOf(e.to),
      provenance: 'observed',
      attributes: { evidence: e.evidence },
      observed: { calls: e.calls, errors: e.errors, lastSeen: new Date(e.lastSeenMs).toISOString() },
    };
  });
  return { cis: [...cis.values()], relations };
}

function refOf(n: NodeRef): IngestRelation['from'] {
  return n.environment ? { class: n.class, name: n.name, environment: n.environment } : { class: n.class, name: n.name };
}
