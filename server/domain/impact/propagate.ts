import { dependentsCsrOf, NO_GROUP, type ImpactGraph } from './graph.ts';

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
  /**
   * The listed impacted CIs, nearest first (at most `limit`). The engine's answer keeps them as flat numbers and
   * builds these objects (a path, a cause and an entry each) the first time they are read: see `Answer`.
   */
  readonly impacted: ImpactedNode[];
  /**
   * Every impacted CI, nearest first, and its actual state (1 degraded, 2 down): for summaries beyond the cap.
   * Plain arrays for small blast radii (most of them), typed arrays for large ones: see SMALL_RESULT.
   */
  readonly all: Int32Array | readonly number[];
  readonly allStates: Uint8Array | readonly number[];
  /** Impacted CIs in all, listed or not. */
  readonly total: number;
  readonly truncated: boolean;
}

export const UP = 0, DEGRADED = 1, DOWN = 2;
const CAUSE_REPORTED = -2, CAUSE_DEGRADED_PROVIDER = -3;

/**
 * Per-node scratch. The walk is memory-bound, so the byte read on every edge (`flags`: state and
 * propagated state) lives in a Uint8Array that stays in cache even for a million CIs; the
 * wider fields are written once per listed CI. `flags` is all zero between calls: each call clears
 * exactly the CIs it touched (all of them are in its discovery order), so a query costs what it touches.
 */
const STATE_MASK = 0b11, PROPAGATED_SHIFT = 2;
/**
 * Set on the CIs discovered early enough to be listed (the first `limit` in BFS order). Only they need a
 * parent (their ancestors are discovered before them, so listed too), a cause and final group counts: on a
 * hub's blast radius of hundreds of thousands, skipping that work for the rest is a good part of the walk.
 */
const LISTED = 0b10000;
/** Per group, three Int32 side by side (one cache line): the call that last counted it, members down, and slack. */
const G_STAMP = 0, G_DOWN = 1, G_SLACK = 2, G_STRIDE = 3;
const N_DEPTH = 0, N_PARENT = 1, N_GROUP = 2, N_PROVIDER = 3, N_STRIDE = 4;

class Scratch {
  flags = new Uint8Array(0);
  /**
   * Per listed CI, four Int32 side by side (one cache line, written at discovery): depth (in the final pass, its
   * listing index, which its children name as their parent), parent, cause group, cause provider.
   */
  listed = new Int32Array(0);
  /** Raise log: every CI each time it worsens (at most twice), so 2 × nodes. */
  raised = new Int32Array(0);
  /** BFS order of impacted CIs. */
  order = new Int32Array(0);
  epoch = 0;
  groups = new Int32Array(0);
  /** One provider's overlay edges, copied into typed arrays so the same edge loop reads them as it reads the base. */
  overlayTargets = new Int32Array(16);
  overlayGroups = new Int32Array(16);
  overlayTypes = new Uint8Array(16);

  begin(nodes: number, groups: number): void {
    if (this.flags.length < nodes) {
      const n = Math.max(nodes, this.flags.length * 2, 1024);
      this.flags = new Uint8Array(n); this.listed = new Int32Array(n * N_STRIDE); this.raised = new Int32Array(2 * n); this.order = new Int32Array(n);
    }
    if (this.groups.length < groups * G_STRIDE) this.groups = new Int32Array(Math.max(groups, this.groups.length / G_STRIDE * 2, 64) * G_STRIDE);
    if (++this.epoch === 0x7fffffff) { this.groups.fill(0); this.epoch = 1; }
  }

  /** The overlay triples [dependent, group, type] of one provider as three typed arrays; returns how many. */
  overlay(extra: readonly number[]): number {
    const n = extra.length / 3;
    if (this.overlayTargets.length < n) {
      const size = Math.max(n, this.overlayTargets.length * 2);
      this.overlayTargets = new Int32Array(size); this.overlayGroups = new Int32Array(size); this.overlayTypes = new Uint8Array(size);
    }
    for (let k = 0, j = 0; k < n; k++, j += 3) { this.overlayTargets[k] = extra[j]; this.overlayGroups[k] = extra[j + 1]; }
    return n;
  }
}
const scratch = new Scratch();

/**
 * Up to this many impacted CIs, `all`, `allStates` and the listing are plain arrays: a typed array beyond 64 bytes
 * gets a buffer of its own, about 0.5 µs to allocate, which is more than the whole walk of a blast radius of twenty
 * (the median of the hub-biased sample). Beyond it, typed arrays (half the memory, no 100k-element limit of fast
 * plain arrays).
 */
const SMALL_RESULT = 4096;
/** Per listed CI in `Answer.listing`: its parent's listing index (-1: reported), cause group, cause provider. */
const L_PARENT = 0, L_GROUP = 1, L_PROVIDER = 2, L_STRIDE = 3;

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
 * on hub blast radii, see test/bench/impact.ts). The answer is flat (see `Answer`): nothing is built per
 * impacted CI unless its listing is read.
 */
export function propagateImpact(graph: ImpactGraph, failed: readonly { node: number; state: FailState }[], opts: ImpactOptions = {}): ImpactResult {
  const s = scratch;
  s.begin(graph.nodeCount, graph.groupCount);
  const { flags, listed, order, raised, groups: groupScratch } = s;
  const epoch = s.epoch;
  const limit = opts.limit ?? Infinity;
  const { nodes, offsets, targets, groups, types, dead, overlayOf } = dependentsCsrOf(graph);
  let tail = 0, ordered = 0;
  try {
    for (let k = 0; k < failed.length; k++) {
      const v = failed[k].node, to = failed[k].state === 'down' ? DOWN : DEGRADED;
      let fv = flags[v];
      if (to > (fv & STATE_MASK)) {
        if ((fv & STATE_MASK) === UP) {
          if (ordered < limit) { const at = v * N_STRIDE; listed[at + N_DEPTH] = 0; listed[at + N_PARENT] = -1; fv |= LISTED; }
          order[ordered++] = v;
        }
        fv = (fv & ~STATE_MASK) | to;
        if (fv & LISTED) { const at = v * N_STRIDE; listed[at + N_GROUP] = CAUSE_REPORTED; listed[at + N_PROVIDER] = -1; }
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
      const nextDepth = fu & LISTED ? listed[u * N_STRIDE + N_DEPTH] + 1 : 0;
      // The base edges [i, end); then, if the provider has any, its overlay edges through the same loop.
      let to_ = targets, group_ = groups, type_ = types, i = 0, end = 0;
      if (u < nodes) { i = offsets[u]; end = offsets[u + 1]; }
      for (let pass = 0; ; pass++) {
        for (; i < end; i++) {
          if (type_[i] === dead) continue;
          const v = to_[i];
          let fv = flags[v];
          const sv = fv & STATE_MASK;
          let to = DEGRADED, cause = CAUSE_DEGRADED_PROVIDER;
          if (becameDown) {
            // A dependent already down can only have its group counts shown, and only listed ones are shown:
            // for the rest (most edges into a hub's blast radius) the edge's group is not even read.
            if (sv === DOWN && (fv & LISTED) === 0) continue;
            const g = group_[i];
            cause = g;
            if (g === NO_GROUP) to = DOWN;
            else {
              // Groups belong to one dependent, so the counts of one left unfinished once it is down are never read.
              const k = g * G_STRIDE;
              if (groupScratch[k + G_STAMP] !== epoch) {
                groupScratch[k + G_STAMP] = epoch; groupScratch[k + G_DOWN] = 0;
                groupScratch[k + G_SLACK] = graph.groupSize(g) - graph.groupRequired(g);
              }
              if (++groupScratch[k + G_DOWN] > groupScratch[k + G_SLACK]) to = DOWN;
            }
          }
          if (to <= sv) continue;
          // First raise = discovery. The queue is FIFO and a CI's first processing raises every dependent
          // (later ones only worsen them), so discoveries happen in BFS order: depth and parent are the
          // BFS's, one shortest path each, with ties to the earlier failed CI and the earlier edge.
          if (sv === UP) {
            if (ordered < limit) { const at = v * N_STRIDE; listed[at + N_DEPTH] = nextDepth; listed[at + N_PARENT] = u; fv |= LISTED; }
            order[ordered++] = v;
          }
          flags[v] = (fv & ~STATE_MASK) | to;
          if (fv & LISTED) { const at = v * N_STRIDE; listed[at + N_GROUP] = cause; listed[at + N_PROVIDER] = u; }
          raised[tail++] = v;
        }
        const extra = pass === 0 ? overlayOf(u) : undefined;
        if (extra === undefined) break;
        i = 0; end = s.overlay(extra);
        to_ = s.overlayTargets; group_ = s.overlayGroups; type_ = s.overlayTypes;
      }
    }
    const result = answer(graph, ordered, opts);
    ordered = 0; // answer() cleared the flags
    return result;
  } finally {
    // Every CI raised was discovered once, so the discovery order holds each CI whose flags this call set.
    for (let i = 0; i < ordered; i++) flags[order[i]] = 0;
  }
}

/**
 * The walk's answer copied out of the scratch, flat: every impacted CI and its state in discovery order, and for
 * the listed ones (the first `limit`) three numbers each (parent's index, cause group, cause provider) plus, for
 * those a redundancy group explains, its name and final counts. Clears the flags.
 */
function answer(graph: ImpactGraph, total: number, opts: ImpactOptions): ImpactResult {
  const { flags, listed: info, order, groups: groupScratch, epoch } = scratch;
  const listed = Math.min(opts.limit ?? Infinity, total);
  const small = total <= SMALL_RESULT;
  const listing: number[] | Int32Array = small ? new Array<number>(listed * L_STRIDE) : new Int32Array(listed * L_STRIDE);
  let groupsOf: GroupCount[] | null = null;
  for (let i = 0, k = 0; i < listed; i++, k += L_STRIDE) {
    const at = order[i] * N_STRIDE, p = info[at + N_PARENT], g = info[at + N_GROUP];
    // A parent is discovered, so listed, before its child: its depth slot already holds its listing index.
    listing[k + L_PARENT] = p < 0 ? -1 : info[p * N_STRIDE + N_DEPTH];
    info[at + N_DEPTH] = i;
    listing[k + L_GROUP] = g; listing[k + L_PROVIDER] = info[at + N_PROVIDER];
    if (g >= 0) {
      // Group arithmetic after the fixpoint: the final counts, read now, while the graph is the one walked.
      const size = graph.groupSize(g), gat = g * G_STRIDE;
      const down = groupScratch[gat + G_STAMP] === epoch ? groupScratch[gat + G_DOWN] : 0;
      (groupsOf ??= new Array<GroupCount>(listed))[i] = { name: graph.groupName(g), up: size - down, size, required: graph.groupRequired(g) };
    }
  }
  // The last read of the flags: cleared in the same pass, for the next call.
  let all: Int32Array | number[], allStates: Uint8Array | number[];
  if (small) {
    all = new Array<number>(total); allStates = new Array<number>(total);
    for (let i = 0; i < total; i++) { const v = order[i]; all[i] = v; allStates[i] = flags[v] & STATE_MASK; flags[v] = 0; }
  } else {
    all = order.slice(0, total); allStates = new Uint8Array(total);
    for (let i = 0; i < total; i++) { const v = order[i]; allStates[i] = flags[v] & STATE_MASK; flags[v] = 0; }
  }
  return new Answer(all, allStates, total, total > listed, listed, listing, groupsOf, opts.maintenance?.size ? opts.maintenance : null);
}

interface GroupCount { name: string; up: number; size: number; required: number }

/**
 * A blast radius as the walk left it: numbers only. The listing's objects (each CI's path, cause and entry) are
 * built on the first read of `impacted`, so a caller that only counts, summarises or serialises a page pays
 * for what it reads, not for every CI the walk lists.
 */
class Answer implements ImpactResult {
  private built: ImpactedNode[] | null = null;

  constructor(
    readonly all: Int32Array | readonly number[],
    readonly allStates: Uint8Array | readonly number[],
    readonly total: number,
    readonly truncated: boolean,
    private readonly listed: number,
    private readonly listing: ArrayLike<number>,
    private readonly groupsOf: readonly GroupCount[] | null,
    private readonly maintenance: ReadonlySet<number> | null,
  ) {}

  get impacted(): ImpactedNode[] {
    return this.built ??= this.build();
  }

  private build(): ImpactedNode[] {
    const { all, allStates, listing, listed, groupsOf, maintenance } = this;
    const out = new Array<ImpactedNode>(listed), depths = new Array<number>(listed);
    for (let i = 0, k = 0; i < listed; i++, k += L_STRIDE) {
      const p = listing[k + L_PARENT];
      const d = p < 0 ? 0 : depths[p] + 1;
      depths[i] = d;
      const path = new Array<number>(d + 1);
      for (let x = i, j = d; j >= 0; j--, x = listing[x * L_STRIDE + L_PARENT]) path[j] = all[x];
      const v = all[i], g = listing[k + L_GROUP], provider = listing[k + L_PROVIDER];
      const actual: FailState = allStates[i] === DOWN ? 'down' : 'degraded';
      let cause: Cause;
      if (g === CAUSE_REPORTED) cause = { kind: 'reported' };
      else if (g === CAUSE_DEGRADED_PROVIDER) cause = { kind: 'degraded-provider', provider };
      else if (g === NO_GROUP) cause = { kind: 'group', group: null, provider, up: 0, size: 1, required: 1 };
      else { const c = groupsOf![i]; cause = { kind: 'group', group: c.name, provider, up: c.up, size: c.size, required: c.required }; }
      // Only failed CIs have no parent (every other listed CI was raised through an edge).
      out[i] = { node: v, state: maintenance !== null && maintenance.has(v) ? 'maintenance' : actual, actual, depth: d, reported: p < 0, path, cause };
    }
    return out;
  }
}
