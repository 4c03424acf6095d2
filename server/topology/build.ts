import type { GraphStore, TopologyCi, TopologyRelation, TopologySize } from '../store/port.ts';
import { newEdgeBatch, Topology } from './topology.ts';
import { nextTurn, stepsInTurns } from '../live/turns.ts';

/**
 * Builds a projection from chunks of CIs and relations. Relations whose ends have not arrived yet
 * (a store may interleave) wait until the end; relations to CIs that never arrive are dropped.
 */
export class TopologyBuilder {
  private readonly topo = new Topology();
  private readonly edges = newEdgeBatch(1 << 16);
  private readonly pending: TopologyRelation[] = [];
  /** CIs added so far (a load's progress). */
  cis = 0;

  add(chunk: { cis: TopologyCi[]; relations: TopologyRelation[] }): void {
    for (const ci of chunk.cis) this.topo.upsertCi(ci);
    this.cis += chunk.cis.length;
    for (const rel of chunk.relations) if (this.topo.collectRelation(rel, this.edges) === 'unknown-end') this.pending.push(rel);
  }

  /**
   * Room for the live topology's size before (or while) it loads (Topology.reserveSteps): what would otherwise grow past
   * each power of two, every array at once in one turn. Reserved while loading, it copies what came so far, once.
   */
  *reserveSteps(size: TopologySize): Generator<void, void> {
    // With a quarter to spare: reserved to the CI, the first batch after the start grew every array at once (both
    // API workers at 1M: ~90 ms before that batch's reply), as a load crossing a power of two did.
    const room = (n: number) => n + (n >> 2);
    yield* this.topo.reserveSteps(room(size.cis), room(size.relations));
    for (const list of Object.values(this.edges)) { list.reserve(size.relations); yield; }
  }

  finish(): Topology {
    const steps = this.finishSteps();
    while (!steps.next().done) { /* all in this turn */ }
    return this.topo;
  }

  /** The same, a small unit of work per step (stepsInTurns): the relations that waited, then the CSR base. */
  *finishSteps(): Generator<void, void> {
    for (const rel of this.pending) { this.topo.collectRelation(rel, this.edges); yield; }
    this.pending.length = 0;
    yield* this.topo.setBaseSteps(this.edges);
  }

  get topology(): Topology { return this.topo; }
}

/** A projection from plain lists (tests, small estates). */
export function topologyFrom(cis: TopologyCi[], relations: TopologyRelation[]): Topology {
  const b = new TopologyBuilder();
  b.add({ cis, relations });
  return b.finish();
}

/**
 * Rows per store read of a load, and the longest a load runs before it lets the event loop serve others: a
 * 1M-CI projection takes tens of seconds to load, during which the server already listens (server.ts) and
 * /healthz must answer; an as-of projection is built inside a request, beside other requests.
 */
const LOAD_CHUNK = 1_000;
const LOAD_SLICE_MS = 20;

/**
 * Stream the store's live (or as-of) topology into a projection, in slices; `progress` hears the CIs loaded so far.
 * `size` (the live topology's, counted meanwhile) is reserved as soon as it is known.
 */
export async function loadTopology(store: Pick<GraphStore, 'streamTopology'>, asOf?: string, opts: { progress?: (cis: number) => void; size?: Promise<TopologySize | null> } = {}): Promise<Topology> {
  const b = new TopologyBuilder();
  const known: { size: TopologySize | null } = { size: null };
  opts.size?.then((s) => { known.size = s; }, () => { /* no room reserved: the arrays grow as they fill */ });
  let slice = performance.now(), chunkAt = slice, chunkMs = 0;
  for await (const chunk of store.streamTopology(asOf, LOAD_CHUNK)) {
    if (known.size) {
      // A turn per step (an array or two each), so the reservation holds the loop no longer than a slice does.
      for (const _ of b.reserveSteps(known.size)) await nextTurn();
      known.size = null;
      slice = performance.now();
    }
    b.add(chunk);
    opts.progress?.(b.cis);
    // The next chunk (read, decoded and added) is about as long as this one: it goes in this turn only if it fits.
    const now = performance.now();
    chunkMs = now - chunkAt; chunkAt = now;
    if (now - slice + chunkMs < LOAD_SLICE_MS) continue;
    await nextTurn();
    slice = chunkAt = performance.now();
  }
  await stepsInTurns(b.finishSteps(), LOAD_SLICE_MS);
  return b.topology;
}
