import { describe, expect, it, vi } from 'vitest';
import { loadTopology } from '../../server/topology/build.ts';
import { compareByName, rankNames } from '../../server/topology/name-order.ts';
import { byNameThenId } from '../../server/domain/graph-view/neighbourhood.ts';
import type { GraphStore, TopologyCi, TopologyRelation, TopologySize } from '../../server/store/port.ts';
import { Topology } from '../../server/topology/topology.ts';

const ci = (i: number): TopologyCi => ({ id: `ci-${i}`, class: 'service', name: `svc-${i}`, environment: 'prod', tier: null, owner: null, attributes: {} });
const busy = (ms: number) => { const until = performance.now() + ms; while (performance.now() < until) { /* a slow chunk */ } };

/** A store streaming `chunks` chunks of 10 CIs, each taking `ms` of synchronous work (as SQLite reads do). */
const slowStore = (chunks: number, ms: number) => ({
  async *streamTopology() {
    for (let c = 0; c < chunks; c++) { busy(ms); yield { cis: Array.from({ length: 10 }, (_, i) => ci(c * 10 + i)), relations: [] }; }
  },
}) as unknown as GraphStore;

describe('loading the projection', () => {
  it('ranks names in map order in slices, the loop served between them', async () => {
    const names = ['db-10', 'db-7', 'Checkout', 'checkout', 'a b', 'a-b', 'a.b', 'é', 'e', 'z', 'aa', ''];
    const cis = Array.from({ length: 5_000 }, (_, i) => ({ ...ci(i), name: `${names[i % names.length]}${i % 7}` }));
    const topo = await loadTopology(slowStore(0, 0));
    for (const c of cis) topo.upsertCi(c);
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 0);
    const order = await rankNames(topo, { sliceMs: 1 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    const expected = cis.map((_, n) => n).sort((a, b) => byNameThenId(topo.nameOf(a), topo.idOf(a), topo.nameOf(b), topo.idOf(b)));
    expect(expected.map((n) => order.rankOf(n))).toEqual(expected.map((_, r) => r));
    const some = [4_999, 3, 2_500, 17, 0, 1_234];
    order.sort(topo, some);
    expect(some).toEqual([...some].sort((a, b) => expected.indexOf(a) - expected.indexOf(b)));
  });

  it('looks at the clock every few thousand comparisons in every merge pass, the first ones included', async () => {
    // Merges of 1,024, 2,048 and 4,096 names end exactly where a count of output positions would look at the
    // clock, in their tail copies: counted so, those passes never gave way (1M CIs: one turn of ~140 ms).
    const n = 16_384;
    const plain = { nodeCount: n, nameOf: (i: number) => `svc-${(i * 7919) % n}`, idOf: (i: number) => `ci-${i}`, isPlain: () => true };
    let names = 0, most = 0, sinceTurn = 0;
    const topo = { ...plain, nameOf: (i: number) => { names++; sinceTurn++; return plain.nameOf(i); } };
    let ranking = true;
    const turns = (): void => { most = Math.max(most, sinceTurn); sinceTurn = 0; if (ranking) setImmediate(turns); };
    setImmediate(turns);
    const order = await rankNames(topo, { sliceMs: 0 });
    ranking = false;
    most = Math.max(most, sinceTurn);
    // A run of 512 sorted is ~4,600 comparisons; a merge slice 4,096: two names read per comparison.
    expect(names).toBeGreaterThan(100_000);
    expect(most).toBeLessThanOrEqual(2 * 5_000);
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareByName(plain, a, b));
    expect(expected.map((i) => order.rankOf(i))).toEqual(expected.map((_, r) => r));
  });

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

  it('reserves room for the live topology once its size is counted, mid-load, and builds the same projection', async () => {
    // 3,000 CIs, each depending on two earlier ones, every tenth edge in a redundancy group: chunks of 100 CIs, then of 100 relations.
    const cis = Array.from({ length: 3_000 }, (_, i) => ci(i));
    const relations: TopologyRelation[] = cis.slice(2).flatMap((c, k) => [1, 2].map((back) => ({
      id: `rel-${k}-${back}`, type: 'DEPENDS_ON', from: c.id, to: `ci-${k + 2 - back}`, provenance: [],
      redundancy: k % 10 === 0 ? { group: `pool-${c.id}`, minUp: 1 } : null, observed: null,
    })));
    const chunked = <T,>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / 100) }, (_, c) => xs.slice(c * 100, c * 100 + 100));
    let counted!: (s: TopologySize) => void;
    const size = new Promise<TopologySize>((r) => { counted = r; });
    const store = {
      async *streamTopology() {
        let n = 0;
        for (const part of chunked(cis)) { if (++n === 3) counted({ cis: cis.length, relations: relations.length }); yield { cis: part, relations: [] }; }
        for (const part of chunked(relations)) yield { cis: [], relations: part };
      },
    } as unknown as GraphStore;
    const reserve = vi.spyOn(Topology.prototype, 'reserveSteps');
    const reserved = await loadTopology(store, undefined, { size });
    // With a quarter to spare, so that the first CIs after the load do not grow every array at once.
    expect(reserve).toHaveBeenCalledWith(3_750, relations.length + (relations.length >> 2));
    reserve.mockRestore();
    const grown = await loadTopology(store);
    const shape = (t: Topology) => ({
      stats: t.stats(),
      ids: cis.map((c) => t.nodeOf(c.id)),
      dependents: cis.map((c) => { const d: number[] = []; t.forEachDependent(t.nodeOf(c.id)!, (n, g) => d.push(n, g === -1 ? -1 : t.groupSize(g))); return d; }),
      relations: t.mapRelations.of(cis.map((c) => t.nodeOf(c.id)!), 100_000),
    });
    expect(shape(reserved)).toEqual(shape(grown));
  });
});

