/**
 * The one span shape the aggregator folds, whatever the wire format (OTLP JSON, Jaeger JSON).
 * Only what edge-building needs is kept, so that the live receiver stays cheap per span.
 */
export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** Attributes that name the callee when no instrumented child span does (Tempo's peer attributes). */
export interface PeerAttributes {
  peerService?: string;
  serverAddress?: string;
  dbSystem?: string;
  dbName?: string;
  messagingSystem?: string;
  destination?: string;
}

export interface FoldSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  service: string;
  /** From resource `deployment.environment(.name)`; undefined leaves the server default. */
  environment?: string;
  kind: SpanKind;
  /** Status code 2 (ERROR) in OTLP; `error=true` or `otel.status_code=ERROR` in Jaeger. */
  error: boolean;
  /** End time in epoch milliseconds: the moment the call was last seen. */
  endMs: number;
  peer: PeerAttributes | null;
}

/** OTLP's SpanKind enum, in proto order; JSON encoders write the number or the enum name. */
const OTLP_KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export function spanKindOf(raw: unknown): SpanKind | undefined {
  if (raw === undefined || raw === null) return 'unspecified';
  if (typeof raw === 'number') return OTLP_KINDS[raw];
  if (typeof raw === 'string') {
    const k = raw.toLowerCase().replace(/^span_kind_/, '');
    return (OTLP_KINDS as string[]).includes(k) ? (k as SpanKind) : undefined;
  }
  return undefined;
}

/**
 * Collect the peer attributes from one attribute (old and current semantic-convention names).
 * Returns the same object, created on first use, so spans without any stay `null`.
 */
export function notePeerAttribute(peer: PeerAttributes | null, key: string, value: unknown): PeerAttributes | null {
  if (typeof value !== 'string' || value === '') return peer;
  let field: keyof PeerAttributes | undefined;
  switch (key) {
    case 'peer.service': field = 'peerService'; break;
    case 'server.address': field = 'serverAddress'; break;
    case 'net.peer.name': if (peer?.serverAddress) return peer; field = 'serverAddress'; break;
    case 'db.system': case 'db.system.name': field = 'dbSystem'; break;
    case 'db.name': case 'db.namespace': field = 'dbName'; break;
    case 'messaging.system': field = 'messagingSystem'; break;
    case 'messaging.destination.name': field = 'destination'; break;
    case 'messaging.destination': if (peer?.destination) return peer; field = 'destination'; break;
    default: return peer;
  }
  const out = peer ?? {};
  out[field] = value;
  return out;
}

/** Keys read from a resource: the service and where it runs. */
export const SERVICE_NAME = 'service.name';
export const ENVIRONMENT_KEYS = ['deployment.environment.name', 'deployment.environment'];
