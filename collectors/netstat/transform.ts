import type { CiRef, IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import type { Endpoint, TcpSocket } from './proc-net.ts';
import { programName, type ProcessInfo } from './processes.ts';

/** Everything one look at a host gathered: who it is, its sockets, and which process owns each. */
export interface HostSnapshot {
  hostname: string;
  fqdn?: string;
  /** Its non-loopback addresses. */
  ips: string[];
  sockets: TcpSocket[];
  owners: ReadonlyMap<number, ProcessInfo>;
  at: string;
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';
const isWildcard = (ip: string) => ip === '0.0.0.0' || ip === '::';

interface Listener { service: string; ports: Set<number>; process: ProcessInfo }

/**
 * A host snapshot → the host CI, a service per listening program (RUNS_ON the host), and observed
 * DEPENDS_ON edges for outgoing connections: to the local program listening there when the peer is
 * this host, else to the peer host by ip. Incoming connections are left to the caller's side: they
 * are the callee's view of someone else's dependency. Calls are the connections open at the look.
 * Command lines name programs but are never stored: they often carry passwords.
 */
export function snapshotToIngest(s: HostSnapshot): { cis: IngestCi[]; relations: IngestRelation[]; warnings: string[] } {
  const hostRef: CiRef = s.fqdn ? { class: 'host', identifiers: { fqdn: s.fqdn } } : s.ips[0] ? { class: 'host', identifiers: { ip: s.ips[0] } } : { class: 'host', name: s.hostname };
  const host: IngestCi = { class: 'host', name: s.hostname, identifiers: { ...(s.fqdn ? { fqdn: s.fqdn } : {}), ...(s.ips[0] ? { ip: s.ips[0] } : {}) }, attributes: { ips: s.ips } };
  const serviceName = (p: ProcessInfo) => `${s.hostname}/${programName(p)}`;
  const local = new Set([...s.ips, ...s.sockets.map((k) => k.local.ip).filter(isLoopback)]);

  const listeners = new Map<string, Listener>();
  const byEndpoint = new Map<string, Listener>();
  for (const k of s.sockets) {
    if (k.state !== 'LISTEN') continue;
    const proc = s.owners.get(k.inode);
    if (!proc) continue;
    const name = serviceName(proc);
    const l = listeners.get(name) ?? { service: name, ports: new Set<number>(), process: proc };
    l.ports.add(k.local.port);
    listeners.set(name, l);
    byEndpoint.set(`${k.local.ip}|${k.local.port}`, l);
  }
  const listeningPorts = new Set(s.sockets.filter((k) => k.state === 'LISTEN').map((k) => k.local.port));
  const listenerAt = (e: Endpoint) => byEndpoint.get(`${e.ip}|${e.port}`) ?? byEndpoint.get(`0.0.0.0|${e.port}`) ?? byEndpoint.get(`::|${e.port}`);

  const cis = new Map<string, IngestCi>([['host', host]]);
  const relations = new Map<string, IngestRelation>();
  const warnings: string[] = [];
  const serviceCi = (p: ProcessInfo, ports: number[]) => {
    const name = serviceName(p);
    const existing = cis.get(`service|${name}`);
    if (existing) return existing;
    const ci: IngestCi = { class: 'service', name, attributes: { program: programName(p), ...(ports.length ? { listenPorts: ports } : {}) } };
    cis.set(`service|${name}`, ci);
    relations.set(`runs|${name}`, { type: 'RUNS_ON', from: { class: 'service', name }, to: hostRef, provenance: 'observed', observed: { calls: 0, errors: 0, lastSeen: s.at } });
    return ci;
  };
  for (const l of listeners.values()) serviceCi(l.process, [...l.ports].sort((a, b) => a - b));

  let unowned = 0;
  for (const k of s.sockets) {
    if (k.state !== 'ESTABLISHED') continue;
    // The accepted side of an incoming connection: its local port is a listening one.
    if (listeningPorts.has(k.local.port) && (byEndpoint.has(`${k.local.ip}|${k.local.port}`) || byEndpoint.has(`0.0.0.0|${k.local.port}`) || byEndpoint.has(`::|${k.local.port}`))) continue;
    const proc = s.owners.get(k.inode);
    if (!proc) { unowned++; continue; }
    const from = serviceCi(proc, listeners.get(serviceName(proc)) ? [...listeners.get(serviceName(proc))!.ports] : []);
    const peerIsLocal = local.has(k.remote.ip) || isWildcard(k.remote.ip);
    let to: CiRef;
    let toKey: string;
    if (peerIsLocal) {
      const l = listenerAt(k.remote);
      if (!l) continue; // a local port whose listener we cannot see (another user's process)
      if (l.service === from.name) continue;
      to = { class: 'service', name: l.service };
      toKey = `service|${l.service}`;
    } else {
      toKey = `host|${k.remote.ip}`;
      if (!cis.has(toKey)) cis.set(toKey, { class: 'host', name: k.remote.ip, identifiers: { ip: k.remote.ip } });
      to = { class: 'host', identifiers: { ip: k.remote.ip } };
    }
    const key = `${from.name}->${toKey}`;
    const rel = relations.get(key);
    if (rel) {
      rel.observed!.calls++;
      const ports = rel.attributes!.ports as number[];
      if (!ports.includes(k.remote.port)) ports.push(k.remote.port);
    } else {
      relations.set(key, { type: 'DEPENDS_ON', from: { class: 'service', name: from.name }, to, provenance: 'observed', attributes: { ports: [k.remote.port] }, observed: { calls: 1, errors: 0, lastSeen: s.at } });
    }
  }
  if (unowned) warnings.push(`${unowned} outgoing connections belong to processes this user cannot inspect (run as root to see them)`);
  return { cis: [...cis.values()], relations: [...relations.values()], warnings };
}
