import { hasCsr, NO_GROUP, type ImpactGraph } from './graph.ts';

export type FailState = 'down' | 'degraded';
export type ImpactState = FailState | 'maintenance';

/** Why a CI ended in its state; turned into words by `describeCause`. */
export type Cause =
  | { kind: 'reported' }
  /** A redundancy group (or a lone provider, group null) lost members. */
  | { kind: 'group'; group: string | null; provider: number; up: number; size: number; required: number }
  | { kind: 'degraded-provider'; provider: number };

export interface ImpactedNode {
  node: number;
  /** `maintenance` replaces the actual state of a CI inside an active window. */
  state: ImpactState;
  actual: FailState;
  depth: number;
  /** Named in the input (its state may still have worsened through its own providers). */
  reported: boolean;
  /** One shortest chain of impacted CIs from a failed CI to this one, both included. */
  path: number[];
  cause: Cause;
}

export interface ImpactOptions {
  /** CIs inside an active change or maintenance window. */
  maintenance?: ReadonlySet<number>;
  /** At most this many impacted CIs are listed (nearest first); the rest only counted. */
  limit?: number;
}

export interface ImpactResult {
  /** The listed impacted CIs, nearest first (at most `limit`). */
  impacted: ImpactedNode[];
  /** Every impacted CI, nearest first, and its actual state (1 degraded, 2 down): for summaries beyond the cap. */
  all: Int32Array;
  allStates: Uint8Array;
  /** Impacted CIs in all, listed or not. */
  total: number;
  truncated: boolean;
}

export const UP = 0, DEGRADED = 1, DOWN = 2;
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

type Visit = (dependent: number, group: number) => void;

/**
 * `expand(u)` calls `visit` for every dependent of u. Over a CSR base the loop is written here, so
 * `visit` has a single call site and is inlined; other graphs go through forEachDependent.
 */
function expander(graph: ImpactGraph, visit: Visit): (u: number) => void {
  if (!hasCsr(graph)) return (u) => graph.forEachDependent(u, visit);
  const { nodes, offsets, targets, groups, types, dead, forEachOverlayDependent } = graph.dependentsCsr();
  return (u) => {
    if (u < nodes) for (let i = offsets[u], end = offsets[u + 1]; i < end; i++) if (types[i] !== dead) visit(targets[i], groups[i]);
    forEachOverlayDependent(u, visit);
  };
}

/**
 * Blast radius of failed CIs, per design.md section 4.
 *
 * States only ever worsen (up → degraded → down) and each CI is re-examined only when a provider
 * worsens, so the worklist reaches the least fixpoint and terminates on cycles: a cycle never
 * sustains a failure that nothing outside it caused. The same pass records each CI's discovery,
 * which happens in BFS order, so each CI gets its depth and one shortest explanation path; ties go
 * to the earlier failed CI and the earlier edge, so the answer is the same on every run.
 */
export function propagateImpact(graph: ImpactGraph, failed: { node: number; state: FailState }[], opts: ImpactOptions = {}): ImpactResult {
  const s = scratch;
  s.begin(graph.nodeCount, graph.groupCount);
  const { flags, causeGroup, causeProvider, depth, parent, order, raised, groupStamp, groupDown } = s;
  const epoch = s.groupEpoch;
  const limit = opts.limit ?? Infinity;
  let tail = 0, ordered = 0, nextDepth = 0;
  try {
    const raise = (v: number, to: number, group: number, provider: number) => {
      let f = flags[v];
      if (to <= (f & STATE_MASK)) return;
      // First raise = discovery. The queue is FIFO and a CI's first processing raises every dependent
      // (later ones only worsen them), so discoveries happen in BFS order: depth and parent are the
      // BFS's, one shortest path each, with ties to the earlier failed CI and the earlier edge.
      if ((f & STATE_MASK) === UP) {
        // Depth and parent only for the listed: their ancestors are listed too (discovered before them), and
        // on a blast radius of hundreds of thousands those writes and reads were a good part of the walk.
        if (ordered < limit) { depth[v] = nextDepth; parent[v] = provider; f |= LISTED; }
        order[ordered++] = v;
      }
      flags[v] = (f & ~STATE_MASK) | to;
      if (f & LISTED) { causeGroup[v] = group; causeProvider[v] = provider; }
      raised[tail++] = v;
    };

    for (const f of failed) raise(f.node, f.state === 'down' ? DOWN : DEGRADED, CAUSE_REPORTED, -1);

    let provider = 0, becameDown = false;
    const visitDependent = (v: number, g: number) => {
      if (!becameDown) { raise(v, DEGRADED, CAUSE_DEGRADED_PROVIDER, provider); return; }
      if (g === NO_GROUP) { raise(v, DOWN, NO_GROUP, provider); return; }
      if (groupStamp[g] !== epoch) { groupStamp[g] = epoch; groupDown[g] = 0; }
      const down = ++groupDown[g];
      const up = graph.groupSize(g) - down;
      raise(v, up < graph.groupRequired(g) ? DOWN : DEGRADED, g, provider);
    };
    const expand = expander(graph, visitDependent);
    for (let head = 0; head < tail;) {
      const u = raised[head++];
      const f = flags[u];
      const now = f & STATE_MASK;
      if (now === (f >> PROPAGATED_SHIFT & STATE_MASK)) continue;
      // Going down counts against the groups once; going degraded first and down later counts once too.
      becameDown = now === DOWN;
      flags[u] = (f & ~(STATE_MASK << PROPAGATED_SHIFT)) | (now << PROPAGATED_SHIFT);
      provider = u;
      nextDepth = f & LISTED ? depth[u] + 1 : 0;
      expand(u);
    }
    const result = explain(graph, failed, ordered, opts);
    ordered = 0; // explain cleared the flags
    return result;
  } finally {
    // Every CI raised was discovered once, so the discovery order holds each CI whose flags this call set.
    for (let i = 0; i < ordered; i++) flags[order[i]] = 0;
  }
}

/** The listing: impacted CIs in discovery (BFS) order, nearest first, each with its path and cause. */
function explain(graph: ImpactGraph, failed: { node: number }[], total: number, opts: ImpactOptions): ImpactResult {
  const { flags, causeGroup, causeProvider, depth, parent, order, groupStamp, groupDown, groupEpoch: epoch } = scratch;
  const reported = new Set(failed.map((f) => f.node));
  const limit = Math.min(opts.limit ?? Infinity, total);
  const impacted: ImpactedNode[] = new Array(limit);
  for (let i = 0; i < limit; i++) {
    const v = order[i];
    const path = new Array<number>(depth[v] + 1);
    for (let x = v, k = depth[v]; k >= 0; k--, x = parent[x]) path[k] = x;
    const actual: FailState = (flags[v] & STATE_MASK) === DOWN ? 'down' : 'degraded';
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
    impacted[i] = { node: v, state: opts.maintenance?.has(v) ? 'maintenance' : actual, actual, depth: depth[v], reported: reported.has(v), path, cause };
  }
  const all = order.slice(0, total);
  const allStates = new Uint8Array(total);
  // The last read of the flags: cleared in the same pass, for the next call.
  for (let i = 0; i < total; i++) { const v = all[i]; allStates[i] = flags[v] & STATE_MASK; flags[v] = 0; }
  return { impacted, all, allStates, total, truncated: total > limit };
}
