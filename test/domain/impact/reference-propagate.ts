/**
 * The impact engine as it was before the flat answer (main 381e384), kept unchanged as the reference the
 * engine is compared with (propagate-equivalence.test.ts and `npm run bench -- impact`): every state, the
 * order, and each listed CI's depth, path and cause must come out the same. Changed since only where the CSR it
 * reads changed layout (dependent and group side by side in one array).
 */
import { dependentsCsrOf, NO_GROUP, REMOVED, type ImpactGraph } from '../../../server/domain/impact/graph.ts';
import type { Cause, FailState, ImpactedNode, ImpactOptions } from '../../../server/domain/impact/propagate.ts';
/** What the reference answered: the listing built eagerly, every CI's path and cause as objects. */
interface ImpactResult {
  impacted: ImpactedNode[];
  all: Int32Array | readonly number[];
  allStates: Uint8Array | readonly number[];
  total: number;
  truncated: boolean;
}

const UP = 0, DEGRADED = 1, DOWN = 2;
const CAUSE_REPORTED = -2, CAUSE_DEGRADED_PROVIDER = -3;

/**
 * Per-node scratch. The walk is memory-bound, so the byte read on every edge (`flags`: state and
 * propagated state) lives in a Uint8Array that stays in cache even for a million CIs; the
 * wider fields are written once per impacted CI. `flags` is all zero between calls: each call clears
 * exactly the CIs it touched (all of them are in its raise log), so a query costs what it touches.
 */
const STATE_MASK = 0b11, PROPAGATED_SHIFT = 2;
/**
 * Set on the CIs discovered early enough to be listed (the first `limit` in BFS order). Only they need a
 * parent (their ancestors are discovered before them, so listed too) and a cause: on a hub's blast radius of
 * hundreds of thousands, skipping those writes for the rest is a good part of the walk.
 */
const LISTED = 0b10000;
/** Named in the input. */
const REPORTED = 0b100000;

class Scratch {
  flags = new Uint8Array(0);
  causeGroup = new Int32Array(0);
  causeProvider = new Int32Array(0);
  depth = new Int32Array(0);
  parent = new Int32Array(0);
  /** Raise log: every CI each time it worsens (at most twice), so 2 × nodes. */
  raised = new Int32Array(0);
  /** BFS order of impacted CIs. */
  order = new Int32Array(0);
  groupEpoch = 0;
  groupStamp = new Int32Array(0);
  groupDown = new Int32Array(0);

  begin(nodes: number, groups: number): void {
    if (this.flags.length < nodes) {
      const n = Math.max(nodes, this.flags.length * 2, 1024);
      this.flags = new Uint8Array(n); this.causeGroup = new Int32Array(n); this.causeProvider = new Int32Array(n);
      this.depth = new Int32Array(n); this.parent = new Int32Array(n); this.raised = new Int32Array(2 * n); this.order = new Int32Array(n);
    }
    if (this.groupStamp.length < groups) {
      const g = Math.max(groups, this.groupStamp.length * 2, 64);
      this.groupStamp = new Int32Array(g); this.groupDown = new Int32Array(g);
    }
    if (++this.groupEpoch === 0x7fffffff) { this.groupStamp.fill(0); this.groupEpoch = 1; }
  }
}
const scratch = new Scratch();

const NO_OVERLAY: readonly number[] = [];
/**
 * Up to this many impacted CIs, `all` and `allStates` are plain arrays: a typed array beyond 64 bytes gets a
 * buffer of its own, about 0.5 µs to allocate, which is more than the whole walk of a blast radius of twenty
 * (the median of the hub-biased sample). Beyond it, typed arrays (half the memory, no 100k-element limit of
 * fast plain arrays).
 */
const SMALL_RESULT = 4096;

/**
 * Blast radius of failed CIs, per design.md section 4.
 *
 * States only ever worsen (up → degraded → down) and each CI is re-examined only when a provider
 * worsens, so the worklist reaches the least fixpoint and terminates on cycles: a cycle never
 * sustains a failure that nothing outside it caused. The same pass records each CI's discovery,
 * which happens in BFS order, so each CI gets its depth and one shortest explanation path; ties go
 * to the earlier failed CI and the earlier edge, so the answer is the same on every run.
 *
 * One function, no callback per edge: the edge loop reads the CSR arrays and raises the dependent in
 * place (a closure per edge, even inlined, kept the captured counters in a heap context: ~2.5× slower
 * on hub blast radii, see test/bench/impact.ts).
 */
export function referencePropagate(graph: ImpactGraph, failed: { node: number; state: FailState }[], opts: ImpactOptions = {}): ImpactResult {
  const s = scratch;
  s.begin(graph.nodeCount, graph.groupCount);
  const { flags, causeGroup, causeProvider, depth, parent, order, raised, groupStamp, groupDown } = s;
  const epoch = s.groupEpoch;
  const limit = opts.limit ?? Infinity;
  const { nodes, offsets, edges, overlayOf } = dependentsCsrOf(graph);
  let tail = 0, ordered = 0;
  try {
    for (let k = 0; k < failed.length; k++) {
      const v = failed[k].node, to = failed[k].state === 'down' ? DOWN : DEGRADED;
      let fv = flags[v] | REPORTED;
      if (to > (fv & STATE_MASK)) {
        if ((fv & STATE_MASK) === UP) {
          if (ordered < limit) { depth[v] = 0; parent[v] = -1; fv |= LISTED; }
          order[ordered++] = v;
        }
        fv = (fv & ~STATE_MASK) | to;
        if (fv & LISTED) { causeGroup[v] = CAUSE_REPORTED; causeProvider[v] = -1; }
        raised[tail++] = v;
      }
      flags[v] = fv;
    }

    for (let head = 0; head < tail;) {
      const u = raised[head++];
      const fu = flags[u];
      const now = fu & STATE_MASK;
      if (now === (fu >> PROPAGATED_SHIFT & STATE_MASK)) continue;
      flags[u] = (fu & ~(STATE_MASK << PROPAGATED_SHIFT)) | (now << PROPAGATED_SHIFT);
      // Going down counts against the groups once; going degraded first and down later counts once too.
      const becameDown = now === DOWN;
      const nextDepth = fu & LISTED ? depth[u] + 1 : 0;
      // Base edges [i, end), then the overlay's triples as if they followed them.
      let i = 0, end = 0;
      if (u < nodes) { i = offsets[u]; end = offsets[u + 1]; }
      const extra = overlayOf(u) ?? NO_OVERLAY;
      for (const last = end + extra.length / 3; i < last; i++) {
        let v: number, g: number;
        if (i < end) {
          v = edges[2 * i]; g = edges[2 * i + 1];
          if (v === REMOVED) continue;
        } else {
          const j = (i - end) * 3;
          v = extra[j]; g = extra[j + 1];
        }
        let to = DEGRADED, cause = CAUSE_DEGRADED_PROVIDER;
        if (becameDown) {
          cause = g;
          if (g === NO_GROUP) to = DOWN;
          else {
            if (groupStamp[g] !== epoch) { groupStamp[g] = epoch; groupDown[g] = 0; }
            if (graph.groupSize(g) - ++groupDown[g] < graph.groupRequired(g)) to = DOWN;
          }
        }
        let fv = flags[v];
        if (to <= (fv & STATE_MASK)) continue;
        // First raise = discovery. The queue is FIFO and a CI's first processing raises every dependent
        // (later ones only worsen them), so discoveries happen in BFS order: depth and parent are the
        // BFS's, one shortest path each, with ties to the earlier failed CI and the earlier edge.
        if ((fv & STATE_MASK) === UP) {
          // Depth and parent only for the listed: their ancestors are listed too (discovered before them), and
          // on a blast radius of hundreds of thousands those writes and reads were a good part of the walk.
          if (ordered < limit) { depth[v] = nextDepth; parent[v] = u; fv |= LISTED; }
          order[ordered++] = v;
        }
        flags[v] = (fv & ~STATE_MASK) | to;
        if (fv & LISTED) { causeGroup[v] = cause; causeProvider[v] = u; }
        raised[tail++] = v;
      }
    }
    const result = explain(graph, ordered, opts);
    ordered = 0; // explain cleared the flags
    return result;
  } finally {
    // Every CI raised was discovered once, so the discovery order holds each CI whose flags this call set.
    for (let i = 0; i < ordered; i++) flags[order[i]] = 0;
  }
}

/** The listing: impacted CIs in discovery (BFS) order, nearest first, each with its path and cause. */
function explain(graph: ImpactGraph, total: number, opts: ImpactOptions): ImpactResult {
  const { flags, causeGroup, causeProvider, depth, parent, order, groupStamp, groupDown, groupEpoch: epoch } = scratch;
  const maintenance = opts.maintenance?.size ? opts.maintenance : null;
  const limit = Math.min(opts.limit ?? Infinity, total);
  const impacted: ImpactedNode[] = new Array(limit);
  for (let i = 0; i < limit; i++) {
    const v = order[i];
    const d = depth[v], f = flags[v];
    const path = new Array<number>(d + 1);
    for (let x = v, k = d; k >= 0; k--, x = parent[x]) path[k] = x;
    const actual: FailState = (f & STATE_MASK) === DOWN ? 'down' : 'degraded';
    const g = causeGroup[v], p = causeProvider[v];
    let cause: Cause;
    if (g === CAUSE_REPORTED) cause = { kind: 'reported' };
    else if (g === CAUSE_DEGRADED_PROVIDER) cause = { kind: 'degraded-provider', provider: p };
    else if (g === NO_GROUP) cause = { kind: 'group', group: null, provider: p, up: 0, size: 1, required: 1 };
    else {
      const size = graph.groupSize(g);
      const down = groupStamp[g] === epoch ? groupDown[g] : 0;
      cause = { kind: 'group', group: graph.groupName(g), provider: p, up: size - down, size, required: graph.groupRequired(g) };
    }
    impacted[i] = { node: v, state: maintenance !== null && maintenance.has(v) ? 'maintenance' : actual, actual, depth: d, reported: (f & REPORTED) !== 0, path, cause };
  }
  // The last read of the flags: cleared in the same pass, for the next call.
  let all: Int32Array | number[], allStates: Uint8Array | number[];
  if (total <= SMALL_RESULT) {
    all = new Array<number>(total); allStates = new Array<number>(total);
    for (let i = 0; i < total; i++) { const v = order[i]; all[i] = v; allStates[i] = flags[v] & STATE_MASK; flags[v] = 0; }
  } else {
    all = order.slice(0, total); allStates = new Uint8Array(total);
    for (let i = 0; i < total; i++) { const v = order[i]; allStates[i] = flags[v] & STATE_MASK; flags[v] = 0; }
  }
  return { impacted, all, allStates, total, truncated: total > limit };
}
