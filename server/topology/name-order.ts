import { byNameThenId } from '../domain/graph-view/neighbourhood.ts';
import type { Topology } from './topology.ts';
import { turnOver } from '../live/urgent.ts';
import { nextTurn } from '../live/turns.ts';

/**
 * The order a map takes a level's new CIs in (byNameThenId: by name, then id, as `localeCompare` orders them).
 * Plain names and ids (Topology.isPlain) compare by code unit instead, with the same result under the default
 * English collation; other default locales may tailor even these letters (Danish sorts "aa" after "z"): there
 * every comparison goes through the collator.
 */
const ordinalIsCollation = new Intl.Collator().resolvedOptions().locale.split('-')[0] === 'en';
const compareCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What ordering by name reads of a projection (a Topology, or a snapshot of its names: Topology.nameSnapshot). */
export type NameView = Pick<Topology, 'nodeCount' | 'nameOf' | 'idOf' | 'isPlain'>;

export function compareByName(topo: NameView, a: number, b: number): number {
  if (ordinalIsCollation && topo.isPlain(a) && topo.isPlain(b)) return compareCodeUnits(topo.nameOf(a), topo.nameOf(b)) || compareCodeUnits(topo.idOf(a), topo.idOf(b));
  return byNameThenId(topo.nameOf(a), topo.idOf(a), topo.nameOf(b), topo.idOf(b));
}

/**
 * Every CI's place in that order, computed once for the live projection (rankNames): around a hub a map level
 * has 10,000 new CIs to order, and comparing their names was 60% of a map's time at 100k and 1M CIs. With ranks
 * it is a numeric sort. A CI added or renamed after the ranking has no rank (its name is compared as before), so
 * the order stays exactly byNameThenId's whatever changed since.
 */
export class NameOrder {
  /** Ranked nodes renamed since (forget). */
  private forgotten = 0;

  /** rank + 1 per node (0: none); the node at each rank. */
  constructor(private readonly rankPlusOne: Int32Array, private readonly atRank: Int32Array) {}

  /** -1 when `n` has no rank (added or renamed since). */
  rankOf(n: number): number { return n < this.rankPlusOne.length ? this.rankPlusOne[n] - 1 : -1; }

  /** `n` was renamed: its rank no longer says where its name sorts. */
  forget(n: number): void {
    if (n < this.rankPlusOne.length && this.rankPlusOne[n] !== 0) { this.rankPlusOne[n] = 0; this.forgotten++; }
  }

  /**
   * The first `nodeCount` nodes as this ranking has them now: those it ranks, in their order, and those it does not
   * (added or renamed since), by node number (rerankNames).
   */
  split(nodeCount: number): { kept: Int32Array; unranked: Int32Array } {
    const kept = new Int32Array(nodeCount), unranked = new Int32Array(nodeCount);
    let k = 0, u = 0;
    for (let r = 0; r < this.atRank.length; r++) {
      const n = this.atRank[r];
      if (n < nodeCount && this.rankPlusOne[n] === r + 1) kept[k++] = n;
    }
    for (let n = 0; n < nodeCount; n++) if (this.rankOf(n) < 0) unranked[u++] = n;
    return { kept: kept.subarray(0, k), unranked: unranked.slice(0, u) };
  }

  /** How many of `topo`'s nodes have no rank: added or renamed since the ranking (the projection re-ranks past a share). */
  unranked(topo: Pick<Topology, 'nodeCount'>): number { return Math.max(0, topo.nodeCount - this.rankPlusOne.length) + this.forgotten; }

  /**
   * Sorts `nodes` in place in map order: the ranked ones by rank (a numeric sort), the others (added or renamed since)
   * by comparing names, each then put in its place among the ranked by a binary search (names compared there too):
   * a few unranked CIs around a hub cost a few comparisons each, not a comparison sort of the whole level.
   */
  sort(topo: NameView, nodes: number[]): void {
    const ranks = new Int32Array(nodes.length);
    let ranked = 0;
    const others: number[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const r = this.rankOf(nodes[i]);
      if (r < 0) others.push(nodes[i]); else ranks[ranked++] = r;
    }
    const byRank = ranks.subarray(0, ranked).sort();
    if (!others.length) {
      for (let i = 0; i < nodes.length; i++) nodes[i] = this.atRank[byRank[i]];
      return;
    }
    others.sort((a, b) => compareByName(topo, a, b));
    // Merge: each unranked node goes before the first ranked one that sorts after it (searched from the last place).
    let k = 0, from = 0;
    for (const u of others) {
      let lo = from, hi = ranked;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareByName(topo, this.atRank[byRank[mid]], u) < 0) lo = mid + 1; else hi = mid;
      }
      for (; from < lo; from++) nodes[k++] = this.atRank[byRank[from]];
      nodes[k++] = u;
    }
    for (; from < ranked; from++) nodes[k++] = this.atRank[byRank[from]];
  }
}

/** Sorts `nodes` in place in map order (byNameThenId), with the projection's ranks when it has them. */
export function sortByName(topo: Topology, nodes: number[]): void {
  if (topo.nameOrder) topo.nameOrder.sort(topo, nodes);
  else nodes.sort((a, b) => compareByName(topo, a, b));
}

const RUN = 512;

/**
 * A `pause` for work in slices: yields to the event loop once a slice has run `sliceMs`, or once it has run
 * MIN_TURN_MS while a write waits on this loop (urgent.ts), as reads and applies in turns do: a ranking runs beside
 * them, and its 20 ms slices otherwise held a batch's reading and handover as long.
 */
function slicer(sliceMs: number): () => Promise<void> {
  let slice = performance.now();
  return async () => {
    if (!turnOver(slice, performance.now(), sliceMs)) return;
    await nextTurn();
    slice = performance.now();
  };
}

/**
 * Sorts `a` in map order by `cmp`: sorted runs of 512, then merged pairwise (`b` is scratch of the same length),
 * pausing between runs and every 4,096 comparisons of a merge. Returns whichever of the two holds the result.
 */
async function sortInSlices(a: Int32Array, b: Int32Array, cmp: (x: number, y: number) => number, pause: () => Promise<void>): Promise<Int32Array> {
  const n = a.length;
  for (let lo = 0; lo < n; lo += RUN) {
    const run = Array.from(a.subarray(lo, Math.min(n, lo + RUN))).sort(cmp);
    a.set(run, lo);
    await pause();
  }
  // Comparisons since the clock was last read. Not the output position: a merge always ends in a tail copy, and
  // while merges are up to 4,096 long every multiple of 4,096 falls there, so the first three passes (1M CIs:
  // ~140 ms) never looked at the clock.
  let compared = 0;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width), hi = Math.min(n, lo + 2 * width);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        b[k++] = cmp(a[i], a[j]) <= 0 ? a[i++] : a[j++];
        if ((++compared & 4095) === 0) await pause();
      }
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    [a, b] = [b, a];
  }
  return a;
}

/** The NameOrder of nodes listed in map order. */
function orderOf(sorted: Int32Array): NameOrder {
  const rankPlusOne = new Int32Array(sorted.length);
  for (let r = 0; r < sorted.length; r++) rankPlusOne[sorted[r]] = r + 1;
  return new NameOrder(rankPlusOne, sorted);
}

/**
 * Ranks every CI of `topo` in map order: sorted runs of 512, then merged pairwise, in slices of `sliceMs`
 * between which the event loop serves others (1M CIs: about 20M name comparisons, seconds of work, while the
 * server already answers /healthz).
 */
export async function rankNames(topo: NameView, opts: { sliceMs?: number } = {}): Promise<NameOrder> {
  const n = topo.nodeCount;
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return orderOf(await sortInSlices(a, new Int32Array(n), (x, y) => compareByName(topo, x, y), slicer(opts.sliceMs ?? 20)));
}

/**
 * The same ranking as `rankNames(topo)`, built from `previous` (a ranking of the same projection, earlier): the CIs
 * it still ranks keep their order (none was renamed since, or it would have been forgotten), so only the CIs it does
 * not rank (added or renamed since) are sorted, and each is then placed among them by a galloping search. A projection
 * re-ranks once a tenth of its CIs has no rank (TopologyService.rankIfDue): at 1M CIs about 2M name comparisons and
 * a copy of the order, where ranking all again is ~20M comparisons, on every API process, every 100k CIs added.
 * `topo` is read as it is now: a snapshot (Topology.nameSnapshot) when the projection may change meanwhile, taken in
 * the same turn as this call, which reads `previous` at once (what it forgets later does not concern this ranking).
 */
export async function rerankNames(topo: NameView, previous: NameOrder, opts: { sliceMs?: number } = {}): Promise<NameOrder> {
  const n = topo.nodeCount;
  const { kept, unranked } = previous.split(n);
  const cmp = (x: number, y: number) => compareByName(topo, x, y);
  const pause = slicer(opts.sliceMs ?? 20);
  const added = await sortInSlices(unranked, new Int32Array(unranked.length), cmp, pause);
  const out = new Int32Array(n);
  let k = 0, from = 0, compared = 0;
  for (const u of added) {
    // Galloping: the first kept CI that sorts after u, probed 1, 2, 4, ... places on from the last one, then halved.
    let step = 1, lo = from, hi = from;
    while (hi < kept.length && cmp(kept[hi], u) < 0) { lo = hi + 1; hi = from + step; step *= 2; compared++; }
    hi = Math.min(hi, kept.length);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(kept[mid], u) < 0) lo = mid + 1; else hi = mid;
      compared++;
    }
    out.set(kept.subarray(from, lo), k);
    k += lo - from;
    from = lo;
    out[k++] = u;
    if (compared > 4095) { compared = 0; await pause(); }
  }
  out.set(kept.subarray(from), k);
  return orderOf(out);
}
