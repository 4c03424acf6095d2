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

/**
 * Optional fast path: the base of a CSR layout plus an overlay of later additions. Propagation loops over
 * these arrays itself, in one function with no per-edge callback (about 2.5× a callback per edge on hub
 * blast radii). `type[i] === dead` marks a removed base edge. Must agree with forEachDependent.
 */
export interface DependentsCsr {
  /** Nodes 0 … nodes-1 have a range in `offsets`; later nodes only have overlay edges. */
  nodes: number;
  offsets: Int32Array;
  targets: Int32Array;
  groups: Int32Array;
  types: Uint8Array;
  dead: number;
  /** Overlay edges out of a provider as flat [dependent, group, type] triples, or undefined when it has none. */
  overlayOf(provider: number): readonly number[] | undefined;
}

export interface CsrImpactGraph extends ImpactGraph {
  dependentsCsr(): DependentsCsr;
}

export const hasCsr = (g: ImpactGraph): g is CsrImpactGraph => typeof (g as Partial<CsrImpactGraph>).dependentsCsr === 'function';

const NO_INT32 = new Int32Array(1), NO_UINT8 = new Uint8Array(0);

/** The dependents of any ImpactGraph as a CSR: its own, or an empty base with every edge in the overlay. */
export function dependentsCsrOf(graph: ImpactGraph): DependentsCsr {
  if (hasCsr(graph)) return graph.dependentsCsr();
  return {
    nodes: 0, offsets: NO_INT32, targets: NO_INT32, groups: NO_INT32, types: NO_UINT8, dead: -1,
    overlayOf: (u) => {
      const out: number[] = [];
      graph.forEachDependent(u, (d, g) => { out.push(d, g, 0); });
      return out.length ? out : undefined;
    },
  };
}
