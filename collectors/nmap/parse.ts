import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CollectError } from '../types.ts';

/** One up host of an nmap scan, as `nmap -oX` writes it. */
export interface ScannedHost {
  addresses: { addr: string; addrtype: 'ipv4' | 'ipv6' | 'mac'; vendor?: string }[];
  hostnames: string[];
  ports: { protocol: string; port: number; service?: string; product?: string; version?: string }[];
  /** The best OS match, when OS detection ran. */
  os?: { name: string; accuracy: number };
}

const ARRAYS = new Set(['host', 'address', 'hostname', 'port', 'osmatch', 'hostnames']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ARRAYS.has(name), parseAttributeValue: false });

type X = Record<string, unknown>;
const list = (v: unknown): X[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]) as X[];

/** nmap XML → the hosts that were up, with their open ports. Pure; errors name the file and line. */
export function parseNmapXml(text: string, file: string): ScannedHost[] {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new CollectError(`invalid XML: ${valid.err.msg}`, file, valid.err.line);
  const doc = parser.parse(text) as X;
  const run = doc.nmaprun as X | undefined;
  if (!run || typeof run !== 'object') throw new CollectError('not an nmap XML report (no <nmaprun> root)', file, 1);
  const hosts: ScannedHost[] = [];
  for (const h of list(run.host)) {
    if ((h.status as X | undefined)?.state !== 'up') continue;
    const addresses = list(h.address).map((a) => {
      if (typeof a.addr !== 'string' || !['ipv4', 'ipv6', 'mac'].includes(a.addrtype as string)) {
        throw new CollectError(`<address> needs addr and addrtype ipv4|ipv6|mac, got ${JSON.stringify(a)}`, file, lineOf(text, String(a.addr)));
      }
      return { addr: a.addr, addrtype: a.addrtype as 'ipv4', ...(typeof a.vendor === 'string' ? { vendor: a.vendor } : {}) };
    });
    const hostnames = [...new Set(list(h.hostnames).flatMap((hn) => list(hn.hostname)).map((hn) => String(hn.name)))];
    const ports = list((h.ports as X | undefined)?.port)
      .filter((p) => (p.state as X | undefined)?.state === 'open')
      .map((p) => {
        const svc = p.service as X | undefined;
        const port = Number(p.portid);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CollectError(`port ${JSON.stringify(p.portid)} is not a port number`, file, lineOf(text, `portid="${p.portid}"`));
        return {
          protocol: String(p.protocol), port,
          ...(svc?.name ? { service: String(svc.name) } : {}),
          ...(svc?.product ? { product: String(svc.product) } : {}),
          ...(svc?.version ? { version: String(svc.version) } : {}),
        };
      });
    const best = list((h.os as X | undefined)?.osmatch)[0];
    hosts.push({ addresses, hostnames, ports, ...(best ? { os: { name: String(best.name), accuracy: Number(best.accuracy) } } : {}) });
  }
  return hosts;
}

/** The line where a value first appears: enough to point a person at a bad element. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}
