import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Collected, CollectInput, Collector } from '../types.ts';
import { CollectError } from '../types.ts';
import { parseNmapXml } from './parse.ts';
import { hostsToCis } from './transform.ts';

export const nmapCollector: Collector = {
  source: 'nmap',
  summary: 'nmap XML scan reports (nmap -oX) to hosts with their open ports and services',
  usage: 'servicegraph collect nmap <scan.xml>... [--scope S]',
  async collect(input: CollectInput): Promise<Collected> {
    if (input.inputs.length === 0) throw new CollectError('name at least one nmap XML file');
    const hosts = [];
    for (const file of input.inputs) {
      const text = await readFile(file, 'utf8').catch(() => { throw new CollectError('cannot read file', file); });
      hosts.push(...parseNmapXml(text, file));
      input.progress(`read ${file}: ${hosts.length} hosts up so far`);
    }
    const { cis, warnings } = hostsToCis(hosts);
    return { scope: 'nmap:' + input.inputs.map((f) => resolve(f)).join(',').slice(0, 280), cis, relations: [], warnings };
  },
};
