import { NO_GROUP, type ImpactGraph } from './graph.ts';

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
 * Scratch space reused between calls: an epoch stamp marks which slots belong to the current call,
 * so a query costs what it touches, not the estate size. Calls are synchronous, hence never interleave.
 */
class Scratch {
  epoch = 0;
  nodeStamp = new Int32Array(0);
  state = new Uint8Array(0);
  propagated = new Uint8Array(0);
  causeGroup = new Int32Array(0);
  causeProvider = new Int32Array(0);
  depth = new Int32Array(0);
  parent = new Int32Array(0);
  groupStamp = new Int32Array(0);
  groupDown = new Int32Array(0);
  queue = new Int32Array(0);

  begin(nodes: number, groups: number): void {
    if (this.nodeStamp.length < nodes) {
      const n = Math.max(nodes, this.nodeStamp.length * 2, 1024);
      this.nodeStamp = new Int32Array(n); this.state = new Uint8Array(n); this.propagated = new Uint8Array(n);
      this.causeGroup = new Int32Array(n); this.causeProvider = new Int32Array(n);
      this.depth = new Int32Array(n); this.parent = new Int32Array(n); this.queue = new Int32Array(2 * n);
    }
    if (this.groupStamp.length < groups) {
      const g = Math.max(groups, this.groupStamp.length * 2, 64);
      this.groupStamp = new Int32Array(g); this.groupDown = new Int32Array(g);
    }
    this.epoch++;
    if (this.epoch === 0x7fffffff) { this.nodeStamp.fill(0); this.groupStamp.fill(0); this.epoch = 1; }
  }
}
const scratch = new Scratch();

/**
 * Blast radius of failed CIs, per design.md section 4.
 *
 * States only ever worsen (up → degraded → down) and each CI is re-examined only when a provider
 * worsens, so the worklist reaches the least fixpoint and terminates on cycles: a cycle never
 * sustains a failure that nothing outside it caused. A second pass (BFS over impacted CIs from the
 * failed ones) gives each CI its depth and one shortest explanation path; ties go to the earlier
 * failed CI and the earlier edge, so the answer is the same on every run.
 */
export function propagateImpact(graph: ImpactGraph, failed: { node: number; state: FailState }[], opts: ImpactOptions = {}): ImpactResult {
  const s = scratch;
  s.begin(graph.nodeCount, graph.groupCount);
  const { epoch, nodeStamp, state, propagated, causeGroup, causeProvider, groupStamp, groupDown, queue } = s;
  let head = 0, tail = 0;

  const touch = (v: number) => {
    if (nodeStamp[v] !== epoch) { nodeStamp[v] = epoch; state[v] = UP; propagated[v] = UP; }
  };
  // A node is queued only when it worsens, at most twice, so a 2 × nodes queue never wraps.
  const raise = (v: number, to: number, group: number, provider: number) => {
    touch(v);
    if (to <= state[v]) return;
    state[v] = to; causeGroup[v] = group; causeProvider[v] = provider;
    queue[tail++] = v;
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
  while (head < tail) {
    const u = queue[head++];
    const now = state[u];
    if (now === propagated[u]) continue;
    // Going down counts against the groups once; going degraded first and down later counts once too.
    becameDown = now === DOWN;
    propagated[u] = now;
    provider = u;
    graph.forEachDependent(u, visitDependent);
  }

  return explain(graph, failed, opts);
}

/** Second pass: depth and one shortest path by BFS over impacted CIs, nearest first, then the listing. */
function explain(graph: ImpactGraph, failed: { node: number }[], opts: ImpactOptions): ImpactResult {
  const { epoch, nodeStamp, state, causeGroup, causeProvider, depth, parent, queue, groupStamp, groupDown } = scratch;
  const seen = scratch.propagated; // reused: 3 marks "reached by the BFS" (propagated states are 0..2)
  const REACHED = 3;
  let head = 0, tail = 0;
  const reported = new Set<number>();
  for (const f of failed) {
    reported.add(f.node);
    if (seen[f.node] === REACHED) continue;
    seen[f.node] = REACHED; depth[f.node] = 0; parent[f.node] = -1; queue[tail++] = f.node;
  }
  let u = 0;
  const visit = (v: number) => {
    if (nodeStamp[v] !== epoch || state[v] === UP || seen[v] === REACHED) return;
    seen[v] = REACHED; depth[v] = depth[u] + 1; parent[v] = u; queue[tail++] = v;
  };
  while (head < tail) { u = queue[head++]; graph.forEachDependent(u, visit); }

  const total = tail;
  const limit = Math.min(opts.limit ?? Infinity, total);
  const impacted: ImpactedNode[] = new Array(limit);
  for (let i = 0; i < limit; i++) {
    const v = queue[i];
    const path = new Array<number>(depth[v] + 1);
    for (let x = v, k = depth[v]; k >= 0; k--, x = parent[x]) path[k] = x;
    const actual: FailState = state[v] === DOWN ? 'down' : 'degraded';
    const g = causeGroup[v];
    let cause: Cause;
    if (g === CAUSE_REPORTED) cause = { kind: 'reported' };
    else if (g === CAUSE_DEGRADED_PROVIDER) cause = { kind: 'degraded-provider', provider: causeProvider[v] };
    else if (g === NO_GROUP) cause = { kind: 'group', group: null, provider: causeProvider[v], up: 0, size: 1, required: 1 };
    else {
      const size = graph.groupSize(g);
      const down = groupStamp[g] === epoch ? groupDown[g] : 0;
      cause = { kind: 'group', group: graph.groupName(g), provider: causeProvider[v], up: size - down, size, required: graph.groupRequired(g) };
    }
    impacted[i] = { node: v, state: opts.maintenance?.has(v) ? 'maintenance' : actual, actual, depth: depth[v], reported: reported.has(v), path, cause };
  }
  const all = queue.slice(0, total);
  const allStates = new Uint8Array(total);
  for (let i = 0; i < total; i++) allStates[i] = state[all[i]];
  return { impacted, all, allStates, total, truncated: total > limit };
}
