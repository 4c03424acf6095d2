import { virtualTarget, type NodeRef } from '../../common/otel/aggregator.ts';
import type { FoldSpan } from '../../common/otel/span.ts';
import { IngestCi } from '../model/ingest.ts';

/**
 * Checks a span on arrival against what the store will accept, so that what cannot become a CI is
 * refused in the reply to the request that carried it (OTLP partial success) instead of failing a
 * flush later. The rules are the ingest schema's own (`IngestCi`), asked once per distinct node.
 */
export class SpanCheck {
  private readonly verdicts = new Map<string, string | null>();

  constructor(private readonly cap = 20_000) {}

  /** Why the span's own service cannot be a CI, or null: such a span is rejected whole. */
  serviceProblem(span: FoldSpan): string | null {
    const problem = this.nodeProblem({ class: 'service', name: span.service, environment: span.environment });
    return problem && `service.name ${preview(span.service)}: ${problem}`;
  }

  /**
   * A caller's peer attributes that cannot name a callee (the span's own service, or a name the store
   * refuses) are dropped from the span, which still pairs with its children; returns why, or null.
   */
  peerProblem(span: FoldSpan): string | null {
    if (!span.peer) return null;
    let why: string | null = null;
    if (span.peer.messagingSystem && span.peer.destination) {
      const p = this.nodeProblem({ class: 'queue', name: span.peer.destination, environment: span.environment });
      if (p) { why = `messaging destination ${preview(span.peer.destination)}: ${p}`; span.peer.destination = undefined; }
    }
    if (span.kind !== 'client') return why;
    const target = virtualTarget(span);
    if (!target) return why;
    const node = target.node;
    let p: string | null;
    if (node.class === 'service' && node.name === span.service && node.environment === span.environment) {
      p = `names the span's own service as its callee (a CI cannot relate to itself)`;
    } else p = this.nodeProblem(node);
    if (!p) return why;
    // Without the attributes that named it, the span can still pair with an instrumented child.
    span.peer.peerService = undefined;
    span.peer.serverAddress = undefined;
    span.peer.dbSystem = undefined;
    span.peer.dbName = undefined;
    return why ?? `${target.evidence} ${preview(node.name)}: ${p}`;
  }

  private nodeProblem(n: NodeRef): string | null {
    const key = `${n.class}\u0000${n.environment ?? ''}\u0000${n.name}`;
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    const parsed = IngestCi.safeParse(n.environment === undefined ? { class: n.class, name: n.name } : { class: n.class, name: n.name, environment: n.environment });
    const verdict = parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    if (this.verdicts.size >= this.cap) this.verdicts.clear();
    this.verdicts.set(key, verdict);
    return verdict;
  }
}

/** A name as a log or a reply shows it: quoted, at most 60 characters. */
export function preview(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
}
