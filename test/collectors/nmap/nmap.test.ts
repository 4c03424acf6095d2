import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nmapCollector } from '../../../collectors/nmap/index.ts';
import { parseNmapXml, type ScannedHost } from '../../../collectors/nmap/parse.ts';
import { DATA, expectMatchesKey, expectValidBatch, readKey } from '../answer-keys.ts';

const NMAP = `${DATA}/nmap`;
/** The answer key's line format: file, addresses, hostnames, open tcp ports with services. */
const keyLine = (file: string, h: ScannedHost) => [
  file,
  h.addresses.map((a) => `${a.addr}(${a.addrtype})`).join(' '),
  `hostnames=${h.hostnames.join(',') || '-'}`,
  `open=${h.ports.map((p) => `${p.protocol}/${p.port}:${p.service}`).join(',')}`,
].join('\t');

describe('nmap collector on real scans', () => {
  it('finds every up host with its addresses, hostnames and open ports (EXPECTED_HOSTS)', () => {
    const lines = ['2_hosts_version.xml', 'full_sudo6.xml'].flatMap((f) => parseNmapXml(readFileSync(`${NMAP}/${f}`, 'utf8'), f).map((h) => keyLine(f, h)));
    expectMatchesKey('nmap hosts', readKey(`${NMAP}/EXPECTED_HOSTS.txt`), lines);
  });

  it('makes 6 host CIs and 20 open-port services, with OS and MAC where nmap found them', async () => {
    const collected = await nmapCollector.collect({ inputs: [`${NMAP}/2_hosts_version.xml`, `${NMAP}/full_sudo6.xml`], options: {}, progress: () => {} });
    expect(collected.cis).toHaveLength(6);
    expect(collected.cis.flatMap((c) => c.attributes!.openPorts as unknown[])).toHaveLength(20);
    const scanme = collected.cis.find((c) => c.name === 'scanme.nmap.org')!;
    expect(scanme.identifiers).toEqual({ fqdn: 'scanme.nmap.org', ip: '74.207.244.221' });
    expect(scanme.attributes!.os).toBe('Netgear DG834G WAP');
    const router = collected.cis.find((c) => c.identifiers!.ip === '192.168.1.1')!;
    expect(router).toMatchObject({ name: '192.168.1.1', attributes: { mac: '6C:2E:85:19:AF:00' } });
    await expectValidBatch('nmap', collected);
  });

  it('does not identify a host by a loopback address', async () => {
    const collected = await nmapCollector.collect({ inputs: [`${NMAP}/2_hosts_version.xml`], options: {}, progress: () => {} });
    expect(collected.cis.find((c) => c.name === 'localhost')!.identifiers).toEqual({});
    expect(collected.warnings).toEqual(['host localhost was scanned over loopback: identified by name only']);
  });

  it('rejects truncated XML naming file and line, and a document that is not an nmap report', () => {
    const text = readFileSync(`${NMAP}/2_hosts_version.xml`, 'utf8');
    expect(() => parseNmapXml(text.slice(0, 2000), 'cut.xml')).toThrow(/^cut\.xml:\d+: invalid XML/);
    expect(() => parseNmapXml('<?xml version="1.0"?>\n<project/>', 'p.xml')).toThrow('p.xml:1: not an nmap XML report');
  });
});
