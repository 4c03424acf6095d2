import { impactReport } from '../../../server/domain/impact/report.ts';
import type { FailState } from '../../../server/domain/impact/propagate.ts';
import type { Topology } from '../../../server/topology/topology.ts';

/** Run impact by CI name and index the answer by name: `impactOf(topo, { db: 'down' }).get('app')`. */
export function impactOf(topo: Topology, failed: Record<string, FailState>, opts: { maintenance?: string[]; limit?: number } = {}) {
  const node = (id: string) => {
    const n = topo.nodeOf(id);
    if (n === undefined) throw new Error(`no CI ${id} in the test estate`);
    return n;
  };
  const report = impactReport(topo, Object.entries(failed).map(([id, state]) => ({ node: node(id), state })), {
    maintenance: opts.maintenance ? new Set(opts.maintenance.map(node)) : undefined,
    limit: opts.limit,
  });
  return Object.assign(new Map(report.impacted.map((i) => [i.id, i])), { report });
}
