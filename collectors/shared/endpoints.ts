/**
 * Finds the host names a configuration value points at: `cart:7070`, `http://email:8080/x`,
 * `postgres://user:pw@db:5432/app`, `Host=db;Username=...`, `host=db user=...`, `1@kafka:9093`,
 * `kafka-0:9092,kafka-1:9092`, or a bare `flagd` when the key says it holds a host.
 *
 * Shared by every config collector (compose, kubernetes): each resolves the names against its own
 * namespace of services. The parser never returns credentials or paths, only host and port.
 */
export interface Endpoint {
  host: string;
  port?: number;
}

/**
 * Keys whose whole value may be a bare host name. A bare value in any other key is too weak:
 * `OTEL_SERVICE_NAME=cart` or `POSTGRES_DB=orders` name things that are not hosts.
 */
const HOST_KEY = /(?:^|[_.-])(?:host|hosts|hostname|addr|addrs|address|addresses|server|servers|svc|endpoint|endpoints|url|urls|uri|uris|broker|brokers|upstream|upstreams|backend|backends|peer|peers|dsn|target|targets|seed[_.-]?hosts)$/i;

/** Connection-string keywords that name a host (ADO.NET `Host=`, `Server=`, `Data Source=`; libpq `host=`). */
const CONN_HOST = /(?:^|[;\s])(?:host|hostname|server|data source|address|addr)\s*=\s*([^;\s,]+)/gi;

/** A DNS name made of labels; a single label counts (compose service, k8s Service in the same namespace). */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/i;

const NOT_A_PEER = new Set(['localhost', '0.0.0.0', '127.0.0.1', '::', '::1', '*']);

/**
 * .NET's `ConnectionStrings` section (`ConnectionStrings__Redis=basketdata`, `ConnectionStrings:EventBus`):
 * every value is a connection string, and a one-word connection string (Redis, RabbitMQ) is a host.
 */
const CONNECTION_STRING_KEY = /(?:^|[_.:-])connection[_-]?strings?(?:$|[_.:-])/i;

export function isHostKey(key: string): boolean {
  const k = key.trim();
  return HOST_KEY.test(k) || CONNECTION_STRING_KEY.test(k);
}

function hostOf(candidate: string): string | undefined {
  const h = candidate.trim().replace(/\.$/, '').toLowerCase();
  if (!h || NOT_A_PEER.has(h) || !DNS_NAME.test(h)) return undefined;
  // Version numbers and IP literals look like DNS names but name no service.
  if (/^[\d.]+$/.test(h)) return undefined;
  return h;
}

/** `user:pw@host:port/path` or `host:port` or `[v6]:port` → host and port, dropping credentials and path. */
function authority(raw: string): { host: string; port?: number } | undefined {
  let a = raw.replace(/[/?#].*$/, '');
  const at = a.lastIndexOf('@');
  if (at >= 0) a = a.slice(at + 1);
  if (a.startsWith('[')) return undefined; // IPv6 literal: never a service name
  const m = /^([^:]*)(?::(\d{1,5}))?$/.exec(a);
  if (!m) return undefined;
  const host = hostOf(m[1]);
  if (!host) return undefined;
  return m[2] ? { host, port: Number(m[2]) } : { host };
}

function fromToken(token: string, bareAllowed: boolean): Endpoint | undefined {
  const t = token.replace(/^["'(]+|["')]+$/g, '');
  if (!t) return undefined;
  const url = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/i.exec(t);
  if (url) return authority(url[1]);
  // `host:port`, `user@host:port`, `1@kafka:9093` (Kafka quorum voters), `host:port/path`.
  if (/^(?:[^@\s]*@)?[a-z0-9._-]+:\d{1,5}(?:\/.*)?$/i.test(t)) return authority(t);
  if (bareAllowed) {
    const bare = /^(?:[^@\s]*@)?([a-z0-9._-]+)$/i.exec(t);
    if (bare) {
      const host = hostOf(bare[1]);
      return host ? { host } : undefined;
    }
  }
  return undefined;
}

/**
 * Every endpoint named in `value`. `key` is the variable or config key holding it: it decides whether
 * a bare word (no port, no scheme) may be a host.
 */
export function extractEndpoints(key: string, value: string): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  const add = (e: Endpoint | undefined) => {
    if (!e) return;
    const k = `${e.host}:${e.port ?? ''}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  };
  for (const m of value.matchAll(CONN_HOST)) add(fromToken(m[1], true));
  const tokens = value.split(/[\s,;]+/).filter(Boolean);
  const bareAllowed = isHostKey(key) && tokens.length >= 1;
  for (const token of tokens) {
    const inner = /^([A-Za-z][\w .-]*)=(.*)$/.exec(token);
    // `k=v` inside a value (`service.version=1.2`, `Host=db`): the inner key decides as the outer one would.
    if (inner) add(fromToken(inner[2], isHostKey(inner[1])));
    else add(fromToken(token, bareAllowed));
  }
  return out;
}
