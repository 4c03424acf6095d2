import type { Collected, CollectInput, Collector } from '../types.ts';
import { CollectError } from '../types.ts';
import { readProc } from './read-proc.ts';
import { snapshotToIngest } from './transform.ts';

export const netstatCollector: Collector = {
  source: 'netstat',
  summary: 'this Linux host, its listening programs and the TCP connections they hold, from /proc',
  usage: 'servicegraph collect netstat [--proc /proc] [--scope S]',
  async collect(input: CollectInput): Promise<Collected> {
    if (input.inputs.length) throw new CollectError('netstat reads this host; it takes no file inputs');
    const root = typeof input.options.proc === 'string' ? input.options.proc : '/proc';
    const snapshot = await readProc(root);
    input.progress(`${snapshot.sockets.length} sockets, ${new Set([...snapshot.owners.values()].map((p) => p.pid)).size} processes owning them`);
    const { cis, relations, warnings } = snapshotToIngest(snapshot);
    return { scope: `netstat:${snapshot.fqdn ?? snapshot.hostname}`, cis, relations, warnings };
  },
};
