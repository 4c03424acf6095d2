import { byNameThenId } from '../domain/graph-view/neighbourhood.ts';
import type { Topology } from './topology.ts';

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
 * Ranks every CI of `topo` in map order: sorted runs of 512, then merged pairwise, in slices of `sliceMs`
 * between which the event loop serves others (1M CIs: about 20M name comparisons, seconds of work, while the
 * server already answers /healthz).
 */
export async function rankNames(topo: NameView, opts: { sliceMs?: number } = {}): Promise<NameOrder> {
  const sliceMs = opts.sliceMs ?? 20;
  const n = topo.nodeCount;
  let a = new Int32Array(n), b = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  const cmp = (x: number, y: number) => compareByName(topo, x, y);
  let slice = performance.now();
  const pause = async () => {
    if (performance.now() - slice < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    slice = performance.now();
  };
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
  const rankPlusOne = new Int32Array(n);
  for (let r = 0; r < n; r++) rankPlusOne[a[r]] = r + 1;
  return new NameOrder(rankPlusOne, a);
}
