import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TopologyCi, TopologyRelation } from '../../server/store/port.ts';
import { topologyFrom } from '../../server/topology/build.ts';
import { liveMap, liveMapInTurns, type TurnsMap } from '../../server/topology/live-map.ts';
import type { NeighbourhoodQuery } from '../../server/domain/graph-view/neighbourhood.ts';
import type { Topology } from '../../server/topology/topology.ts';
import { nextTurn } from '../../server/live/turns.ts';
import { addUrgentSource } from '../../server/live/urgent.ts';
import { LiveMapCache } from '../../server/topology/live-map-cache.ts';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const svc = (id: string, cls = 'service'): TopologyCi => ({ id, class: cls, name: id, environment: 'prod', tier: null, owner: null, attributes: {} });
const dependsOn = (from: string, to: string): TopologyRelation => ({ id: `${from}>${to}`, type: 'DEPENDS_ON', from, to, redundancy: null });
const query = (focus: string, over: Partial<NeighbourhoodQuery> = {}): NeighbourhoodQuery => ({
  focus: [focus], depth: 2, direction: 'both', maxNodes: 1_000, maxEdges: 4_000, now: NOW, edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 }, groupAbove: 3, ...over,
});

/** A hub `hub` with `width` dependents `a<i>`, each with `width` dependents `a<i>-<j>` (databases, so that groups form too). */
function tree(width: number): Topology {
  const cis = [svc('hub')], rels: TopologyRelation[] = [];
  for (let i = 0; i < width; i++) {
    cis.push(svc(`a${i}`));
    rels.push(dependsOn(`a${i}`, 'hub'));
    for (let j = 0; j < width; j++) { cis.push(svc(`a${i}-${j}`, 'database')); rels.push(dependsOn(`a${i}-${j}`, `a${i}`)); }
  }
  return topologyFrom(cis, rels);
}

/** Whether `p` is still pending after the loop ran what was due (other maps' turns included). */
const pending = async (p: Promise<unknown>) => {
  let settled = false;
  void p.then(() => { settled = true; }, () => { settled = true; });
  await nextTurn();
  return !settled;
};

/** A live map computed a turn of the event loop at a time (liveMapInTurns): same answer, never torn by a batch between turns. */
describe('the live map in turns', () => {
  it('answers exactly as in one turn, stopping after every unit of work, on random trees, depths, directions and caps', async () => {
    const arb = fc.record({
      width: fc.integer({ min: 1, max: 7 }), depth: fc.integer({ min: 0, max: 3 }), direction: fc.constantFrom('upstream' as const, 'downstream' as const, 'both' as const),
      maxNodes: fc.integer({ min: 1, max: 60 }), maxEdges: fc.integer({ min: 1, max: 80 }), groupAbove: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      focus: fc.constantFrom('hub', 'a0', 'a0-0'),
    });
    await fc.assert(fc.asyncProperty(arb, async ({ width, focus, ...q }) => {
      const topo = tree(width);
      const at = query(focus, q);
      const computed = await liveMapInTurns(topo, at, { turnMs: 0, unitsPerStep: 1 });
      expect(computed.map).toEqual(liveMap(topo, at));
      expect(computed.version).toBe(topo.version);
    }), { numRuns: 200 });
  });

  it('takes several turns for a large map, the loop serving others in between', async () => {
    const topo = tree(12);
    const map = liveMapInTurns(topo, query('hub'), { turnMs: 0, unitsPerStep: 16 });
    expect(map).toBeInstanceOf(Promise);
    // Other work queued on the loop as the map is: it runs between the map's turns, not after the map (a timer
    // would not show it: on a fast machine the whole map's turns take less than the timer's 1 ms).
    let done = false, between = 0;
    const other = () => { if (done) return; between++; setImmediate(other); };
    setImmediate(other);
    await map;
    done = true;
    expect(between).toBeGreaterThan(2);
  });

  it('ends a turn early while a write waits on the loop (urgent.ts), and answers as in one turn', async () => {
    // 6,481 CIs within two hops of the hub: well over the 1 ms a turn does before it looks at the signal.
    const topo = tree(80);
    const at = query('hub', { maxNodes: 10_000, maxEdges: 20_000 });
    // Alone, a 10 s turn holds the whole map.
    expect(liveMapInTurns(topo, at, { turnMs: 10_000, unitsPerStep: 1 })).not.toBeInstanceOf(Promise);
    const remove = addUrgentSource(() => true);
    try {
      const map = liveMapInTurns(topo, at, { turnMs: 10_000, unitsPerStep: 1 });
      expect(map).toBeInstanceOf(Promise);
      expect((await map).map).toEqual(liveMap(topo, at));
    } finally {
      remove();
    }
  });

  it('a batch changing a CI the map already read between two turns: the map starts again and answers as the projection is after it', async () => {
    const topo = tree(6);
    const q = query('hub');
    const before = liveMap(topo, q);
    // 20 units: past the first level (its relations, candidates and CIs taken), into the second.
    const map = liveMapInTurns(topo, q, { turnMs: 0, unitsPerStep: 20 }) as Promise<TurnsMap>;
    expect(await pending(map)).toBe(true);
    topo.retireCi('a2');
    const version = topo.version;
    const after = await map;
    expect(after.map).toEqual(liveMap(topo, q));
    expect(after.map.nodes.map((n) => n.id)).not.toContain('a2');
    expect(after.map).not.toEqual(before);
    // Kept by the read cache as computed at the version it started again at, not the first.
    expect(after.version).toBe(version);
  });

  it('a batch elsewhere in the estate between two turns does not start it again', async () => {
    const topo = tree(6);
    topo.upsertCi(svc('elsewhere'));
    const q = query('hub');
    const started = topo.version;
    const map = liveMapInTurns(topo, q, { turnMs: 0, unitsPerStep: 20 }) as Promise<TurnsMap>;
    expect(await pending(map)).toBe(true);
    topo.upsertCi({ ...svc('elsewhere'), name: 'renamed' });
    topo.upsertCi(svc('new'));
    const after = await map;
    expect(after.version).toBe(started);
    expect(after.map).toEqual(liveMap(topo, q));
  });

  it('a map whose CIs change at every turn is finished in one turn after its restarts, with the answer of the projection then', async () => {
    const topo = tree(6);
    const q = query('hub');
    let turns = 0;
    const churn = () => { turns++; topo.upsertCi({ ...svc('hub'), name: `hub ${turns}` }); };
    const map = liveMapInTurns(topo, q, { turnMs: 0, unitsPerStep: 20, restarts: 2 }) as Promise<TurnsMap>;
    let done = false;
    void map.then(() => { done = true; });
    while (!done) { churn(); await nextTurn(); }
    const after = await map;
    expect(after.map).toEqual(liveMap(topo, q));
    // A first start and two restarts, each stopped by the next change, then the last run in one go.
    expect(turns).toBeLessThanOrEqual(4);
  });

  it('maps that need several turns take them one after another, in order, and a map in one turn meanwhile is answered at once', async () => {
    const topo = tree(8);
    const focuses = ['hub', 'a1', 'a3', 'hub'];
    const done: string[] = [];
    const maps = focuses.map((f, i) => (liveMapInTurns(topo, query(f, { depth: 3 }), { turnMs: 0, unitsPerStep: 8 }) as Promise<TurnsMap>).then((m) => { done.push(`${i}`); return m; }));
    // In one turn (no stop before it is done), with the scratch of the maps in turns in use by one of them.
    const quick = liveMap(topo, query('a2-2', { depth: 1 }));
    expect(quick).toEqual(liveMap(topo, query('a2-2', { depth: 1 })));
    const answers = await Promise.all(maps);
    expect(done).toEqual(['0', '1', '2', '3']);
    answers.forEach((a, i) => expect(a.map).toEqual(liveMap(topo, query(focuses[i], { depth: 3 }))));
  });

  it('a map done in its first turn is answered at once while maps in turns are under way, and theirs stay whole', async () => {
    const topo = tree(8);
    const long = ['hub', 'a1'].map((f) => liveMapInTurns(topo, query(f, { depth: 3 }), { turnMs: 0, unitsPerStep: 8 }) as Promise<TurnsMap>);
    expect(await pending(long[0])).toBe(true);
    // Room for the whole map in its first turn: not queued behind the long ones (nor through their scratch).
    const quick = liveMapInTurns(topo, query('a2-2', { depth: 1 }), { turnMs: 60_000 });
    expect(quick).not.toBeInstanceOf(Promise);
    expect((quick as TurnsMap).map).toEqual(liveMap(topo, query('a2-2', { depth: 1 })));
    // A long one arriving now: its first turn on the spare scratch does not finish it, so it waits its turn.
    const third = liveMapInTurns(topo, query('a3', { depth: 3 }), { turnMs: 0, unitsPerStep: 8 });
    expect(third).toBeInstanceOf(Promise);
    const answers = await Promise.all([...long, third]);
    expect(answers.map((a) => a.map)).toEqual(['hub', 'a1', 'a3'].map((f) => liveMap(topo, query(f, { depth: 3 }))));
  });

  it('the read cache computes a map once for the requests that ask for it while it is being computed in turns', async () => {
    const topo = tree(12);
    const alive = topo.isAlive.bind(topo);
    let checks = 0;
    topo.isAlive = (n: number) => { checks++; return alive(n); };
    const once = (() => { const c0 = checks; liveMap(topo, query('hub')); return checks - c0; })();
    // A microsecond a turn: the map stops at each chance it has (every 64 units of work).
    const cache = new LiveMapCache({ turnMs: 0.001 });
    checks = 0;
    const first = cache.map(topo, query('hub'));
    const second = cache.map(topo, query('hub'));
    expect(first).toBeInstanceOf(Promise);
    expect(await second).toEqual(await first);
    expect(checks).toBe(once);
    const { read: _read, observed: _observed, ...fresh } = liveMap(topo, query('hub'));
    expect(await first).toEqual(fresh);
    // Kept: asked again, it is answered at once.
    expect(cache.map(topo, query('hub'))).toEqual(fresh);
  });
});
