import type { IngestCi } from '../../server/model/ingest.ts';
import type { ScannedHost } from './parse.ts';

const LOOPBACK = /^(127\.|::1$)/;

/**
 * Scanned hosts → host CIs. Open ports and their services are attributes of the host: nmap sees
 * listeners, not which software CI answers, and inventing one service CI per port would outnumber
 * what other collectors can match. A host is identified by fqdn (a dotted hostname) or else ip;
 * a loopback address identifies nothing (every machine is 127.0.0.1), so such a host is named only.
 */
export function hostsToCis(hosts: ScannedHost[]): { cis: IngestCi[]; warnings: string[] } {
  const warnings: string[] = [];
  const cis = hosts.map((h) => {
    const ips = h.addresses.filter((a) => a.addrtype !== 'mac').map((a) => a.addr);
    const mac = h.addresses.find((a) => a.addrtype === 'mac');
    const fqdn = h.hostnames.find((n) => n.includes('.'));
    const routable = ips.find((ip) => !LOOPBACK.test(ip));
    const identifiers: Record<string, string> = {};
    if (fqdn) identifiers.fqdn = fqdn.toLowerCase();
    if (routable) identifiers.ip = routable;
    if (!routable) warnings.push(`host ${h.hostnames[0] ?? ips[0]} was scanned over loopback: identified by name only`);
    const attributes: Record<string, unknown> = {
      ips, hostnames: h.hostnames,
      openPorts: h.ports.map((p) => ({ protocol: p.protocol, port: p.port, ...(p.service ? { service: p.service } : {}), ...(p.product ? { product: p.product } : {}), ...(p.version ? { version: p.version } : {}) })),
    };
    if (mac) attributes.mac = mac.addr;
    if (mac?.vendor) attributes.macVendor = mac.vendor;
    if (h.os) attributes.os = h.os.name;
    const ci: IngestCi = { class: 'host', name: h.hostnames[0] ?? ips[0] ?? mac!.addr, identifiers, attributes };
    return ci;
  });
  return { cis, warnings };
}
