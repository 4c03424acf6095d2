/**
 * What impact propagation needs to know of a topology, over dense integer node ids.
 * Edges point in the impact direction (provider → dependent): failure of the provider hurts the dependent.
 * `group` is a redundancy group index, or NO_GROUP when the edge is its own group needing its provider up.
 */
export const NO_GROUP = -1;

export interface ImpactGraph {
  /** Node ids are 0 … nodeCount-1. */
  readonly nodeCount: number;
  readonly groupCount: number;
  /** Every live impact edge out of `provider`, in a stable order. */
  forEachDependent(provider: number, visit: (dependent: number, group: number) => void): void;
  /** Every live impact edge into `dependent` (the CIs it needs), in a stable order. */
  forEachProvider(dependent: number, visit: (provider: number) => void): void;
  /** Live members of a redundancy group. */
  groupSize(group: number): number;
  /** How many members must be up (minUp resolved against the current size). */
  groupRequired(group: number): number;
  groupName(group: number): string;
}

/** In `DependentsCsr.edges`, the dependent of a removed base edge (until the next compaction). */
export const REMOVED = -1;

/**
 * Optional fast path: the base of a CSR layout plus an overlay of later additions. Propagation loops over
 * these arrays itself, in one function with no per-edge callback (about 2.5× a callback per edge on hub
 * blast radii). Must agree with forEachDependent.
 */
export interface DependentsCsr {
  /** Nodes 0 … nodes-1 have a range of edges [offsets[u], offsets[u + 1]); later nodes only have overlay edges. */
  nodes: number;
  offsets: Int32Array;
  /**
   * Edge e as two Int32 side by side, [2e] its dependent (REMOVED once removed) and [2e + 1] its group: a walk that
   * reads both reads one cache line per provider where separate arrays cost a miss each (each dequeued provider's
   * range starts at a random place).
   */
  edges: Int32Array;
  /** Overlay edges out of a provider as flat [dependent, group, type] triples, or undefined when it has none. */
  overlayOf(provider: number): readonly number[] | undefined;
  /**
   * Whether any provider has overlay edges now (false: overlayOf answers undefined for every provider). Read once per
   * walk, so that a walk over a projection without an overlay (after a build or a compaction) does not ask per CI.
   */
  hasOverlay(): boolean;
}

/**
 * The group table: per redundancy group g, four Int32 side by side at (g + 1) * G_STRIDE (16 bytes, never straddling
 * a cache line), so that one read answers "does this edge bring its dependent down". The graph keeps G_SLACK
 * (size - required) and G_REQUIRED current; a walk owns G_STAMP and G_LEFT as its scratch (the call that last counted
 * the group, and its slack left after the members that call saw go down), and the header slot's G_CALLS counts
 * calls, so that a stamp tells a group counted in this call from one left over. Keeping the scratch beside the
 * threshold is the point: a grouped edge into a CI not yet down costs one cache line, where a scratch of its own and
 * the graph's size and required count cost three.
 */
export const G_CALLS = 0, G_STAMP = 0, G_LEFT = 1, G_SLACK = 2, G_REQUIRED = 3, G_STRIDE = 4;
/** Where group g's slot starts in a group table (slot 0 is the header). */
export const groupSlot = (g: number): number => (g + 1) * G_STRIDE;

export interface CsrImpactGraph extends ImpactGraph {
  dependentsCsr(): DependentsCsr;
  /** The group table, current (see G_STRIDE); the same array from call to call unless groups were added. */
  groupTable(): Int32Array;
}

export const hasCsr = (g: ImpactGraph): g is CsrImpactGraph => typeof (g as Partial<CsrImpactGraph>).dependentsCsr === 'function';

/** Refresh group g's threshold fields in a group table from its size and required count. */
export function setGroupThreshold(table: Int32Array, g: number, size: number, required: number): void {
  const k = groupSlot(g);
  table[k + G_SLACK] = size - required;
  table[k + G_REQUIRED] = required;
}

const NO_OFFSETS = new Int32Array(1), NO_EDGES = new Int32Array(0);

/** The group table of any ImpactGraph: its own, or (a graph without a CSR: tests) one built for this call. */
export function groupTableOf(graph: ImpactGraph): Int32Array {
  if (hasCsr(graph)) return graph.groupTable();
  const table = new Int32Array(groupSlot(graph.groupCount));
  for (let g = 0; g < graph.groupCount; g++) setGroupThreshold(table, g, graph.groupSize(g), graph.groupRequired(g));
  return table;
}

/** The dependents of any ImpactGraph as a CSR: its own, or an empty base with every edge in the overlay. */
export function dependentsCsrOf(graph: ImpactGraph): DependentsCsr {
  if (hasCsr(graph)) return graph.dependentsCsr();
  return {
    nodes: 0, offsets: NO_OFFSETS, edges: NO_EDGES, hasOverlay: () => true,
    overlayOf: (u) => {
      const out: number[] = [];
      graph.forEachDependent(u, (d, g) => { out.push(d, g, 0); });
      return out.length ? out : undefined;
    },
  };
}
