import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../server/topology/build.ts';
import type { GraphStore, TopologyCi } from '../../server/store/port.ts';

const ci = (i: number): TopologyCi => ({ id: `ci-${i}`, class: 'service', name: `svc-${i}`, environment: 'prod', tier: null, owner: null, attributes: {} });
const busy = (ms: number) => { const until = performance.now() + ms; while (performance.now() < until) { /* a slow chunk */ } };

/** A store streaming `chunks` chunks of 10 CIs, each taking `ms` of synchronous work (as SQLite reads do). */
const slowStore = (chunks: number, ms: number) => ({
  async *streamTopology() {
    for (let c = 0; c < chunks; c++) { busy(ms); yield { cis: Array.from({ length: 10 }, (_, i) => ci(c * 10 + i)), relations: [] }; }
  },
}) as unknown as GraphStore;

describe('loading the projection', () => {
  it('lets the event loop serve others between slices, so a server loading 1M CIs still answers /healthz', async () => {
    // 20 chunks of 8 ms: 160 ms of loading. Without slices, a timer would not fire until the end.
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 1);
    const progress: number[] = [];
    const topo = await loadTopology(slowStore(20, 8), undefined, { progress: (n) => progress.push(n) });
    clearInterval(timer);
    expect(topo.nodeOf('ci-199')).toBeDefined();
    expect(ticks).toBeGreaterThanOrEqual(3);
    // Progress after every chunk, in CIs loaded so far.
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10));
  });
});
