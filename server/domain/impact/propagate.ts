import { dependentsCsrOf, G_CALLS, G_LEFT, G_REQUIRED, G_SLACK, G_STAMP, G_STRIDE, groupTableOf, NO_GROUP, REMOVED, type ImpactGraph } from './graph.ts';

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

/** A Cause read field by field (any Cause is one): what `eachListed` hands out without building a Cause per CI. */
export interface CauseFields {
  kind: Cause['kind'];
  group?: string | null;
  provider?: number;
  up?: number;
  size?: number;
  required?: number;
}

/**
 * The listed CIs read in order from the flat answer (`listedCursor`): one object moved from entry to entry by `next()`,
 * its fields valid until the next move. No callback per CI: a visitor closure and a path built through a mapping
 * closure cost more than the entry they helped build.
 */
export interface ListedCursor {
  readonly node: number;
  readonly state: ImpactState;
  readonly actual: FailState;
  readonly depth: number;
  readonly reported: boolean;
  readonly cause: Readonly<CauseFields>;
  /** Moves to the next listed CI (the first, on the first call); false once past the last. */
  next(): boolean;
  /** The current CI's path (failed CI first) as ids. */
  pathIds(view: { idOf(node: number): string }): string[];
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
  /**
   * The listed CIs in the same order as `impacted`, read from the flat answer without building its objects (no
   * ImpactedNode, path of nodes or Cause per CI): what a report that maps them to its own entries needs. A new
   * cursor per call. Results merged from several (combine.ts) do not have it; read `impacted` then.
   */
  listedCursor?(): ListedCursor;
}

export const UP = 0, DEGRADED = 1, DOWN = 2;

/**
 * This module's constants, and graph.ts's, as `const enum` members: the compiler writes them into the code as literals.
 * Module-level `const`s (this file's or imported) are read from the module's context on every use, a load and a check
 * each; on the edge loop of a hub's walk that was ~15% of its time (100k hub-biased sample, side by side). The names
 * are those of the constants they stand for; `agree` below stops the build if a copy drifts from its original.
 */
const enum K {
  UP = 0, DEGRADED = 1, DOWN = 2,
  CAUSE_REPORTED = -2, CAUSE_DEGRADED_PROVIDER = -3,
  STATE_MASK = 0b11, PROCESSED = 0b100, LISTED = 0b1000,
  KIND_BITS = 2, KIND_MASK = 0b11,
  KIND_DEGRADED_PROVIDER = 0, KIND_REPORTED = 1, KIND_NO_GROUP = 2, KIND_GROUP = 3,
  REPORTED_ENTRY = 1,
  C_GROUP = 0, C_UP = 1, C_SIZE = 2, C_REQUIRED = 3, C_STRIDE = 4,
}
/** graph.ts's, see K. */
const enum G { REMOVED = -1, NO_GROUP = -1, G_CALLS = 0, G_STAMP = 0, G_LEFT = 1, G_SLACK = 2, G_REQUIRED = 3, G_STRIDE = 4 }
const agree: [typeof UP, typeof DEGRADED, typeof DOWN, typeof REMOVED, typeof NO_GROUP, typeof G_CALLS, typeof G_STAMP, typeof G_LEFT, typeof G_SLACK, typeof G_REQUIRED, typeof G_STRIDE] =
  [K.UP, K.DEGRADED, K.DOWN, G.REMOVED, G.NO_GROUP, G.G_CALLS, G.G_STAMP, G.G_LEFT, G.G_SLACK, G.G_REQUIRED, G.G_STRIDE];
void agree;

/**
 * Per-node scratch. The walk is memory-bound, so the byte read on every edge (`flags`: state, processed, listed)
 * lives in a Uint8Array that stays in cache even for a million CIs; the wider fields are written once per listed
 * CI. `flags` is all zero between calls: each call clears exactly the CIs it touched (all of them are in its
 * raise log), so a query costs what it touches.
 */
/** K.PROCESSED: its discovery entry has been processed, so a later worsening needs an entry of its own. */
/**
 * K.LISTED, set on the CIs discovered early enough to be listed (the first `limit` in BFS order). Only they need a
 * parent (their ancestors are discovered before them, so listed too), a cause and final group counts: on a
 * hub's blast radius of hundreds of thousands, skipping that work for the rest is a good part of the walk.
 */

/** An empty `Answer.counts` or `Answer.moved`, shared (frozen: nothing writes to it). */
const NO_COUNTS: readonly number[] = Object.freeze([]);

/**
 * A listed CI's entry in the listing: its parent's index in the listing plus one (0: named in the input) above
 * K.KIND_BITS bits of its cause's kind. One number where three (parent, cause group, provider) were: the provider is the
 * parent unless the CI worsened later through another (`moved`), and a group cause's group is in `causeGroups`. At the
 * median hub-biased blast radius (20-30) the listing's writes and copy were ~15% of a call, three numbers per CI.
 * A kind is its cause code + 3 (K.CAUSE_DEGRADED_PROVIDER, K.CAUSE_REPORTED, G.NO_GROUP) or K.KIND_GROUP (a group).
 * `parentOf` reads an entry's parent back: its index in the listing, -1 for a CI named in the input.
 */
const parentOf = (entry: number): number => (entry >> K.KIND_BITS) - 1;

class Scratch {
  flags = new Uint8Array(0);
  /**
   * Per listed CI (K.LISTED set): its place in the discovery order. Written only when `patches` has entries, after
   * the walk (one pass over the listed part of the log), not per listed CI as it is discovered.
   */
  order = new Int32Array(0);
  /**
   * A listed CI's cause when it changed after its discovery, as [CI, cause group, cause provider] triples applied to
   * the listing after the walk. A CI worsens at most once (degraded to down), so at most one per listed CI; few in
   * practice, so the walk pays for these where it used to write every listed CI's place in `order`.
   */
  patches: number[] = [];
  /** Set while a walk runs: still set at the next call's start, the walk threw and left flags set. */
  walking = false;
  /**
   * The listing as the walk writes it, in discovery order: one number per listed CI, its entry (see above: the
   * parent's index in the discovery order and the kind of its cause). Written one after the other as CIs are
   * discovered, so the answer copies one block. A plain array of small integers, kept packed (grown by pushing,
   * never holey), because `slice` copies such an array in one move: a new array filled number by number costs ~2 ns
   * a number here, `slice` ~25 ns a call and ~0.5 ns a number (it is the faster from ~10 numbers on).
   */
  listing: number[] = [];
  /** The group of each listed CI a redundancy group explains (cause kind K.KIND_GROUP), in listing order. */
  causeGroups: number[] = [];
  /**
   * The providers that differ from the parent (`Answer.moved`): [listing index, provider] pairs in listing order, set
   * by patchListing when a listed CI worsened after its discovery, taken by the answer.
   */
  moved: readonly number[] = NO_COUNTS;
  /** Raise log: every CI when discovered, and again if it worsens after being processed (at most twice), so 2 × nodes. */
  raised = new Int32Array(0);
  /** One provider's overlay edges, copied as [dependent, group] pairs so the same edge loop reads them as it reads the base. */
  overlayEdges = new Int32Array(32);

  /** Room for `nodes` CIs, `listed` of them listed. */
  begin(nodes: number, listed: number): void {
    // No try/finally around the walk (it cost the walk ~6% at a hub): after a throw, the next call clears up.
    if (this.walking) { this.flags.fill(0); this.patches.length = 0; this.moved = NO_COUNTS; }
    this.walking = true;
    if (this.flags.length < nodes) {
      const n = Math.max(nodes, this.flags.length * 2, 1024);
      this.flags = new Uint8Array(n); this.order = new Int32Array(n); this.raised = new Int32Array(2 * n);
    }
    const { listing, causeGroups } = this, end = Math.min(listed, nodes);
    for (let k = listing.length; k < end; k++) { listing.push(0); causeGroups.push(0); }
  }

  /** The overlay triples [dependent, group, type] of one provider as pairs in `overlayEdges`; returns their length. */
  overlay(extra: readonly number[]): number {
    const n = extra.length / 3 * 2;
    if (this.overlayEdges.length < n) this.overlayEdges = new Int32Array(Math.max(n, this.overlayEdges.length * 2));
    const out = this.overlayEdges;
    for (let k = 0, j = 0; k < n; k += 2, j += 3) { out[k] = extra[j]; out[k + 1] = extra[j + 1]; }
    return n;
  }
}
const scratch = new Scratch();

/** This call's stamp for a group table (see G.G_STAMP): its call counter, moved on; every stamp cleared when it wraps. */
function nextCall(groups: Int32Array): number {
  let call = groups[G.G_CALLS] + 1;
  if (call === 0x7fffffff) {
    for (let k = G.G_STRIDE + G.G_STAMP; k < groups.length; k += G.G_STRIDE) groups[k] = 0;
    call = 1;
  }
  groups[G.G_CALLS] = call;
  return call;
}

/**
 * Up to this many impacted CIs, `all` and `allStates` are plain arrays: a typed array beyond 64 bytes gets a buffer
 * of its own, about 0.5 µs to allocate, which is more than the whole walk of a blast radius of twenty (the median of
 * the hub-biased sample). Beyond it, typed arrays (half the memory, no 100k-element limit of fast plain arrays). The
 * listing's kind goes by how many CIs are listed, not by the answer's size (see answer()).
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
 * on hub blast radii, see test/bench/impact.ts). The answer is flat (see `Answer`): nothing is built per
 * impacted CI unless its listing is read.
 */
export function propagateImpact(graph: ImpactGraph, failed: readonly { node: number; state: FailState }[], opts: ImpactOptions = {}): ImpactResult {
  const s = scratch;
  const limit = opts.limit ?? Infinity;
  s.begin(graph.nodeCount, limit);
  const { flags, listing, causeGroups, raised, patches } = s;
  const groups = groupTableOf(graph);
  const epoch = nextCall(groups);
  const csr = dependentsCsrOf(graph);
  const { nodes, offsets, edges, overlayOf } = csr, overlay = csr.hasOverlay();
  // `degraded`: how many impacted CIs are degraded now; none at the end, and the answer's states need no reading.
  // `grouped`: how many listed CIs a redundancy group explains now, so the answer sizes their counts without a pass.
  let tail = 0, ordered = 0, degraded = 0, grouped = 0;
  for (let k = 0; k < failed.length; k++) {
    const v = failed[k].node, to = failed[k].state === 'down' ? K.DOWN : K.DEGRADED;
    let fv = flags[v];
    if (to <= (fv & K.STATE_MASK)) continue;
    if ((fv & K.STATE_MASK) === K.UP) {
      if (ordered < limit) { listing[ordered] = K.REPORTED_ENTRY; fv |= K.LISTED; }
      ordered++;
      raised[tail++] = v;
      degraded += K.DOWN - to;
    } else degraded--; // named degraded, then down
    // Named twice, worse the second time: not yet processed, so its one entry will be processed in the worse state.
    flags[v] = (fv & ~K.STATE_MASK) | to;
  }

  // The log holds each CI once when it is discovered, in discovery order, and once more (as ~CI) when it worsens
  // after being processed: an entry is processed exactly once, in the CI's state at that time.
  for (let head = 0, processed = 0; head < tail; head++) {
    let u = raised[head], now = K.DOWN, index = -1;
    if (u >= 0) {
      // Only a CI processed degraded can worsen later, so only it needs the mark; and while no CI is degraded, every
      // discovered CI is down: a walk where everything goes down (a hub's, typically) reads no flags of its own CIs.
      if (degraded !== 0) {
        const fu = flags[u];
        now = fu & K.STATE_MASK;
        if (now !== K.DOWN) flags[u] = fu | K.PROCESSED;
      }
      // Discovery entries come in discovery order, so this is u's index in it (listed below the limit).
      index = processed++;
    } else u = ~u; // worsened to down after it was processed: its dependents are all discovered already
    // Going down counts against the groups once; going degraded first and down later counts once too.
    const becameDown = now === K.DOWN;
    // The base edges' pairs [i, end); then, if the provider has any, its overlay edges through the same loop.
    let edge_ = edges, i = 0, end = 0;
    if (u < nodes) { i = offsets[u] << 1; end = offsets[u + 1] << 1; }
    for (let pass = 0; ; pass++) {
      for (; i < end; i += 2) {
        const v = edge_[i];
        if (v === G.REMOVED) continue;
        const fv = flags[v];
        const sv = fv & K.STATE_MASK;
        let to = K.DEGRADED, cause = K.CAUSE_DEGRADED_PROVIDER;
        if (becameDown) {
          // A dependent already down can only have its group counts shown, and only listed ones are shown:
          // for the rest (most edges into a hub's blast radius) the edge's group is not even read.
          if (sv === K.DOWN && (fv & K.LISTED) === 0) continue;
          const g = edge_[i + 1];
          cause = g;
          if (g === G.NO_GROUP) to = K.DOWN;
          else {
            // Groups belong to one dependent, so the counts of one left unfinished once it is down are never read.
            // One slot answers it: this call's slack left if it counted the group already, else the group's slack.
            const k = (g + 1) * G.G_STRIDE;
            let left;
            if (groups[k + G.G_STAMP] === epoch) left = groups[k + G.G_LEFT] - 1;
            else { groups[k + G.G_STAMP] = epoch; left = groups[k + G.G_SLACK] - 1; }
            groups[k + G.G_LEFT] = left;
            if (left < 0) to = K.DOWN;
          }
        }
        if (to <= sv) continue;
        if (sv === K.UP) {
          // First raise = discovery. The log is FIFO and a CI's first processing raises every dependent (later
          // ones only worsen them), so discoveries happen in BFS order: the parent is the BFS's, one shortest path
          // each, with ties to the earlier failed CI and the earlier edge.
          if (ordered < limit) {
            // The provider is u, the parent, read back as all[index]: one number per listed CI (see entry()).
            if (cause >= 0) { listing[ordered] = ((index + 1) << K.KIND_BITS) | K.KIND_GROUP; causeGroups[grouped++] = cause; }
            else listing[ordered] = ((index + 1) << K.KIND_BITS) | (cause + 3);
            flags[v] = fv | to | K.LISTED;
          } else flags[v] = fv | to;
          ordered++;
          raised[tail++] = v;
          degraded += K.DOWN - to;
        } else {
          // Worsened: from degraded (the only state below `to`, which is down) to down.
          degraded--;
          flags[v] = (fv & ~K.STATE_MASK) | to;
          // The cause is the edge that raised it to its final state: its listing entry is patched after the walk.
          if (fv & K.LISTED) patches.push(v, cause, u);
          if (fv & K.PROCESSED) raised[tail++] = ~v;
        }
      }
      if (pass !== 0 || !overlay) break;
      const extra = overlayOf(u);
      if (extra === undefined) break;
      i = 0; end = s.overlay(extra); edge_ = s.overlayEdges;
    }
  }
  if (patches.length !== 0) grouped = patchListing(limit, tail, grouped);
  const result = answer(graph, groups, epoch, ordered, tail, degraded, limit, grouped, opts);
  s.walking = false; // answer() cleared the flags
  return result;
}

/**
 * Applies `Scratch.patches` to the listing: each patched CI's entry gets its final cause's kind, its group (if a
 * redundancy group) goes into `causeGroups` at its place in listing order, and its provider (no longer its parent) into
 * `moved`. `grouped`: how many listed CIs a redundancy group explained before the patches; returns how many do after.
 */
function patchListing(limit: number, logged: number, grouped: number): number {
  const { raised, order, listing, patches, causeGroups } = scratch;
  for (let e = 0, i = 0; e < logged && i < limit; e++) { const v = raised[e]; if (v >= 0) order[v] = i++; }
  // Each patched CI's listing index, in listing order (a CI worsens once: one patch per CI, and few of them).
  const n = patches.length / 3, places: number[] = [];
  for (let k = 0; k < patches.length; k += 3) places.push(k);
  places.sort((a, b) => order[patches[a]] - order[patches[b]]);
  const before = causeGroups.slice(0, grouped), moved = new Array<number>(2 * n);
  let from = 0, to = 0, next = 0;
  for (let j = 0; j < n; j++) {
    const k = places[j], at = order[patches[k]], g = patches[k + 1];
    // The group causes listed before this CI keep theirs, in order.
    for (; next < at; next++) if ((listing[next] & K.KIND_MASK) === K.KIND_GROUP) causeGroups[to++] = before[from++];
    const e = listing[at];
    if ((e & K.KIND_MASK) === K.KIND_GROUP) from++; // its group before the patch: replaced
    listing[at] = (e & ~K.KIND_MASK) | (g >= 0 ? K.KIND_GROUP : g + 3);
    if (g >= 0) causeGroups[to++] = g;
    next = at + 1;
    moved[2 * j] = at; moved[2 * j + 1] = patches[k + 2];
  }
  while (from < grouped) causeGroups[to++] = before[from++];
  patches.length = 0;
  scratch.moved = moved;
  return to;
}

/**
 * The walk's answer copied out of the scratch, flat: every impacted CI and its state in discovery order, and for
 * the listed ones (the first `limit`) one entry each (parent's index and cause kind), the providers that are not the
 * parent, and, for those a redundancy group explains, the group and its final counts. Clears the flags.
 */
function answer(graph: ImpactGraph, groups: Int32Array, epoch: number, total: number, logged: number, degraded: number, limit: number, grouped: number, opts: ImpactOptions): ImpactResult {
  const listed = Math.min(limit, total), allDown = degraded === 0;
  const maintenance = opts.maintenance?.size ? opts.maintenance : null;
  // Up to SMALL_RESULT listed CIs (the API's default 1,000 among them), the listing is a plain array whatever the
  // answer's size: one slice of the packed scratch, in the young generation, whose pages are reused. A typed array's
  // buffer is malloc'd and freed only by a scavenge, which large answers seldom set off, so between two scavenges each
  // large answer's buffers are fresh pages, a minor fault per 4 KB (~15-20 us each on this VM): a listing of 1,000 in
  // an Int32Array was 3 of the 12,072-CI blast radius's ~18 faults a call. Beyond SMALL_RESULT listed, an Int32Array:
  // a plain slice there is over V8's largest regular object (128 KB) and was allocated in large-object space, ~4x
  // slower at the 15,529-CI hub listed whole (limit 100,000: 1.5 ms against 0.38).
  const listing = listed <= SMALL_RESULT ? scratch.listing.slice(0, listed) : typedListing(listed);
  const moved = scratch.moved;
  scratch.moved = NO_COUNTS;
  // Two copies of one loop, each over one kind of array, so that every read and write in it is of a single kind.
  if (total <= SMALL_RESULT) {
    const all = new Array<number>(total);
    let allStates: readonly number[] | null = null;
    if (total <= SHARED_STATES) {
      // The two shapes most small answers have: every CI down, or the one CI named down and all it reaches degraded.
      // The first logged CI is the first discovered, a named one: down (the one down CI) if every other is degraded.
      if (allDown) allStates = sharedStates(ALL_DOWN, total);
      else if (degraded === total - 1 && (scratch.flags[scratch.raised[0]] & K.STATE_MASK) === K.DOWN) allStates = sharedStates(FIRST_DOWN, total);
    }
    if (allStates === null) copyOut(logged, all, (allStates = new Array<number>(total)) as number[]);
    else copyOutCis(logged, all);
    return new Answer(graph, all, allStates, total, total > listed, listed, listing, groupCounts(groups, epoch, grouped), moved, maintenance);
  }
  let all: Int32Array, allStates: Uint8Array;
  if (allDown) {
    // Every CI down (a hub without redundancy, typically): the states are one fill, and when nothing was logged twice
    // the CIs are the log itself, one block copy; what is left is clearing the flags, as a bare BFS clears its marks.
    allStates = new Uint8Array(total).fill(K.DOWN);
    if (logged === total) { all = scratch.raised.slice(0, total); clearFlags(logged); } else copyOutLarge(logged, all = new Int32Array(total), null);
  } else copyOutLarge(logged, all = new Int32Array(total), allStates = new Uint8Array(total));
  return new Answer(graph, all, allStates, total, total > listed, listed, listing, groupCounts(groups, epoch, grouped), moved, maintenance);
}

/** The scratch listing's first `listed` entries copied into an Int32Array (see answer()). */
function typedListing(listed: number): Int32Array {
  const from = scratch.listing, listing = new Int32Array(listed);
  for (let k = 0; k < listed; k++) listing[k] = from[k];
  return listing;
}

/**
 * Each listed CI's redundancy group cause and its final counts, in listing order (see Answer.counts), read while the
 * graph is the one walked. up = size - down = required + (slack - down), and G.G_LEFT is slack - down when this call
 * counted the group. `grouped`: how many such CIs there are, counted by the walk as it listed them.
 */
function groupCounts(groups: Int32Array, epoch: number, grouped: number): readonly number[] {
  // Written into an array of the exact size (pushing grew a fresh array by copies: 17, 41, ... places of 8 bytes),
  // the size counted by the walk: a pass over the listing to count them was ~6% of a median call (blast radius 20-30).
  if (grouped === 0) return NO_COUNTS;
  const causeGroups = scratch.causeGroups;
  const counts = new Array<number>(grouped * K.C_STRIDE);
  for (let i = 0, c = 0; i < grouped; i++, c += K.C_STRIDE) {
    const g = causeGroups[i];
    const at = (g + 1) * G.G_STRIDE, required = groups[at + G.G_REQUIRED], size = required + groups[at + G.G_SLACK];
    counts[c + K.C_GROUP] = g;
    counts[c + K.C_UP] = groups[at + G.G_STAMP] === epoch ? required + groups[at + G.G_LEFT] : size;
    counts[c + K.C_SIZE] = size; counts[c + K.C_REQUIRED] = required;
  }
  return counts;
}

/**
 * Small answers' states up to this many CIs may be one of two arrays shared by every answer of that shape and size
 * (read-only, frozen): all down, or the first down and the rest degraded, which is what most small blast radii are
 * (one CI named down; everything it reaches down, or degraded through redundancy). A fresh array of states was a
 * fifth of a median answer's bytes, each written into new memory and each a read of the flags. Bounded: at most
 * 2 × SHARED_STATES arrays, ~0.5 MB if every size were asked for.
 */
const SHARED_STATES = 256;
const ALL_DOWN = 0, FIRST_DOWN = 1;
const shared: (readonly number[] | undefined)[][] = [[], []];

/** The shared states of `shape` (ALL_DOWN or FIRST_DOWN) for `total` CIs, made on first use. */
function sharedStates(shape: number, total: number): readonly number[] {
  return shared[shape][total] ??= makeStates(shape, total);
}

function makeStates(shape: number, total: number): readonly number[] {
  const states: number[] = [];
  for (let i = 0; i < total; i++) states.push(shape === FIRST_DOWN && i > 0 ? K.DEGRADED : K.DOWN);
  return Object.freeze(states);
}

/** copyOut when the states are known (shared): the CIs only, the flags cleared in the same pass. */
function copyOutCis(logged: number, all: number[]): void {
  const { flags, raised } = scratch;
  if (logged === all.length) {
    // Nothing logged twice (most answers): the log is the CIs, in order.
    for (let e = 0; e < logged; e++) { const v = raised[e]; all[e] = v; flags[v] = 0; }
    return;
  }
  for (let e = 0, i = 0; e < logged; e++) {
    const v = raised[e];
    if (v < 0) continue;
    all[i++] = v; flags[v] = 0;
  }
}

/** One pass over the log: each discovered CI and its final state. The last read of the flags: cleared in the same pass, for the next call. */
function copyOut(logged: number, all: number[], allStates: number[]): void {
  const { flags, raised } = scratch;
  for (let e = 0, i = 0; e < logged; e++) {
    const v = raised[e];
    if (v < 0) continue;
    all[i] = v; allStates[i] = flags[v] & K.STATE_MASK; flags[v] = 0;
    i++;
  }
}

/**
 * copyOut for typed arrays (more than SMALL_RESULT CIs). A copy on purpose, not a shared generic: one function
 * fed both plain and typed arrays goes polymorphic in V8 and each store in this loop gets slower; measured on the
 * 100k hub-biased sample (test/bench/impact.ts). Change both together.
 */
function copyOutLarge(logged: number, all: Int32Array, allStates: Uint8Array | null): void {
  const { flags, raised } = scratch;
  if (allStates === null) {
    // Every state is down, filled by the caller: only the CIs.
    for (let e = 0, i = 0; e < logged; e++) { const v = raised[e]; if (v >= 0) { all[i++] = v; flags[v] = 0; } }
    return;
  }
  for (let e = 0, i = 0; e < logged; e++) {
    const v = raised[e];
    if (v < 0) continue;
    all[i] = v; allStates[i] = flags[v] & K.STATE_MASK; flags[v] = 0;
    i++;
  }
}

/**
 * Clears the flags of a log that holds discoveries only (logged twice: none). Past a 32nd of the scratch, all of it in
 * one fill: 1 MB of flags fills in ~7 µs, where 62,500 scattered writes took 30-90 µs (plain Node, this machine).
 */
function clearFlags(logged: number): void {
  const { flags, raised } = scratch;
  if (logged > flags.length >> 5) { flags.fill(0); return; }
  for (let e = 0; e < logged; e++) flags[raised[e]] = 0;
}


/**
 * A blast radius as the walk left it: numbers only. The listing's objects (each CI's path, cause and entry) are
 * built on the first read of `impacted`, so a caller that only counts, summarises or serialises a page pays
 * for what it reads, not for every CI the walk lists.
 *
 * `listing`: one number per listed CI (see the comment above Scratch): its parent's index in the listing (-1 when
 * named in the input) and the kind of its cause. The cause's provider is the parent (all[parent]; -1 for a named CI) unless `moved` says
 * otherwise: [listing index, provider] pairs in listing order, for the few CIs that worsened after their discovery
 * through another provider. A redundancy group cause's group and final counts are in `counts`, K.C_STRIDE numbers
 * per such CI in listing order.
 */
class Answer implements ImpactResult {
  private built: ImpactedNode[] | null = null;

  constructor(
    /** Read again only for group names (a group index names the same group for the projection's life). */
    private readonly graph: ImpactGraph,
    readonly all: Int32Array | readonly number[],
    readonly allStates: Uint8Array | readonly number[],
    readonly total: number,
    readonly truncated: boolean,
    private readonly listed: number,
    private readonly listing: ArrayLike<number>,
    private readonly counts: readonly number[],
    private readonly moved: readonly number[],
    private readonly maintenance: ReadonlySet<number> | null,
  ) {}

  get impacted(): ImpactedNode[] {
    return this.built ??= this.build();
  }

  /** Its own loop rather than a visit of eachListed: a callback and a cursor per CI made this ~1.5× slower. */
  private build(): ImpactedNode[] {
    const { graph, all, allStates, listing, counts, moved, listed, maintenance } = this;
    const out = new Array<ImpactedNode>(listed), depths = new Array<number>(listed);
    for (let i = 0, c = 0, m = 0; i < listed; i++) {
      const e = listing[i], p = parentOf(e), kind = e & K.KIND_MASK;
      const d = p < 0 ? 0 : depths[p] + 1;
      depths[i] = d;
      const path = new Array<number>(d + 1);
      for (let x = i, j = d; j >= 0; j--, x = parentOf(listing[x])) path[j] = all[x];
      let provider = p < 0 ? -1 : all[p];
      if (m < moved.length && moved[m] === i) { provider = moved[m + 1]; m += 2; }
      const v = all[i];
      const actual: FailState = allStates[i] === K.DOWN ? 'down' : 'degraded';
      let cause: Cause;
      if (kind === K.KIND_REPORTED) cause = { kind: 'reported' };
      else if (kind === K.KIND_DEGRADED_PROVIDER) cause = { kind: 'degraded-provider', provider };
      else if (kind === K.KIND_NO_GROUP) cause = { kind: 'group', group: null, provider, up: 0, size: 1, required: 1 };
      else { cause = { kind: 'group', group: graph.groupName(counts[c + K.C_GROUP]), provider, up: counts[c + K.C_UP], size: counts[c + K.C_SIZE], required: counts[c + K.C_REQUIRED] }; c += K.C_STRIDE; }
      // Only failed CIs have no parent (every other listed CI was raised through an edge).
      out[i] = { node: v, state: maintenance !== null && maintenance.has(v) ? 'maintenance' : actual, actual, depth: d, reported: p < 0, path, cause };
    }
    return out;
  }

  listedCursor(): ListedCursor {
    return new Cursor(this.graph, this.all, this.allStates, this.listed, this.listing, this.counts, this.moved, this.maintenance);
  }
}

/** See ListedCursor: one per read of a listing, a class rather than an object literal with methods (no closures per call). */
class Cursor implements ListedCursor {
  node = 0;
  state: ImpactState = 'down';
  actual: FailState = 'down';
  depth = 0;
  reported = false;
  readonly cause: CauseFields = { kind: 'reported', group: null, provider: -1, up: 0, size: 1, required: 1 };
  private at = -1;
  /** Where the next group cause's counts start in `counts`. */
  private c = 0;
  /** Where the next moved provider is in `moved`. */
  private m = 0;
  private readonly depths: number[];

  constructor(
    private readonly graph: ImpactGraph,
    private readonly all: Int32Array | readonly number[],
    private readonly allStates: Uint8Array | readonly number[],
    private readonly listed: number,
    private readonly listing: ArrayLike<number>,
    private readonly counts: readonly number[],
    private readonly moved: readonly number[],
    private readonly maintenance: ReadonlySet<number> | null,
  ) {
    this.depths = new Array<number>(listed);
  }

  next(): boolean {
    const i = ++this.at;
    if (i >= this.listed) return false;
    const { listing, cause, counts, moved, maintenance, all } = this;
    const e = listing[i], p = parentOf(e), kind = e & K.KIND_MASK;
    const d = p < 0 ? 0 : this.depths[p] + 1;
    this.depths[i] = d;
    const v = all[i], actual: FailState = this.allStates[i] === K.DOWN ? 'down' : 'degraded';
    const m = this.m;
    if (m < moved.length && moved[m] === i) { cause.provider = moved[m + 1]; this.m = m + 2; }
    else cause.provider = p < 0 ? -1 : all[p];
    if (kind === K.KIND_REPORTED) cause.kind = 'reported';
    else if (kind === K.KIND_DEGRADED_PROVIDER) cause.kind = 'degraded-provider';
    else if (kind === K.KIND_NO_GROUP) { cause.kind = 'group'; cause.group = null; cause.up = 0; cause.size = 1; cause.required = 1; }
    else {
      const c = this.c;
      cause.kind = 'group'; cause.group = this.graph.groupName(counts[c + K.C_GROUP]);
      cause.up = counts[c + K.C_UP]; cause.size = counts[c + K.C_SIZE]; cause.required = counts[c + K.C_REQUIRED]; this.c = c + K.C_STRIDE;
    }
    // Only failed CIs have no parent (every other listed CI was raised through an edge).
    this.node = v; this.actual = actual; this.state = maintenance !== null && maintenance.has(v) ? 'maintenance' : actual;
    this.depth = d; this.reported = p < 0;
    return true;
  }

  pathIds(view: { idOf(node: number): string }): string[] {
    const { listing, all } = this;
    const out = new Array<string>(this.depth + 1);
    for (let x = this.at, j = this.depth; j >= 0; j--, x = parentOf(listing[x])) out[j] = view.idOf(all[x]);
    return out;
  }
}

