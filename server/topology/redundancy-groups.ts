import { requiredUp, type MinUp, type Redundancy } from '../model/relations.ts';
import { NO_GROUP } from '../domain/impact/graph.ts';
import { grown, IntList } from './int-list.ts';
import { PackedStrings } from './packed-strings.ts';

/**
 * The projection's redundancy groups: each dependent's groups by name, their sizes and minUp, and which changed
 * since the impact walk's group table was last refreshed (Topology.groupTable).
 *
 * Held in typed arrays, not JS arrays and a Map: at the 1M bench estate (314k groups) a JS array or Map growing past
 * its capacity copied its elements one by one behind the GC's write barrier, four of them in the same call: one
 * relation's group took up to 60 ms of a load's turn. A typed array grows by one memory copy.
 */
export class RedundancyGroups {
  /** Named per dependent: packed, not a heap string each. */
  private readonly names = new PackedStrings();
  private sizes = new Int32Array(1024);
  /** Index into minUps: minUp values are few ("50%", 2), kept once each. */
  private minUpOf = new Int32Array(1024);
  private readonly minUps: MinUp[] = [];
  private readonly minUpIndex = new Map<MinUp, number>();
  /** requiredUp per group, -1 when its size or minUp changed since (it is then in `stale`). */
  private required = new Int32Array(1024);
  private readonly stale = new IntList();
  /** Per dependent (dense CI id): its first group + 1, 0 when none. */
  private firstOf = new Int32Array(1024);
  /** A dependent's other groups, for the few in more than one. */
  private readonly moreOf = new Map<number, number[]>();

  get count(): number { return this.names.length; }
  size(g: number): number { return this.sizes[g]; }
  name(g: number): string { return this.names.get(g); }

  /** The least members up for group `g` to be up (cached until its size or minUp changes). */
  requiredUp(g: number): number {
    let r = this.required[g];
    if (r < 0) { r = requiredUp(this.minUps[this.minUpOf[g]], this.sizes[g]); this.required[g] = r; }
    return r;
  }

  /** Room for dependents 0 … `nodes`-1 without growing. */
  reserveNodes(nodes: number): void { this.firstOf = grown(this.firstOf, nodes); }

  /** The group `dependent` is in under `redundancy`'s name (made when new; its minUp updated), NO_GROUP when none. */
  groupFor(dependent: number, redundancy: Redundancy | null): number {
    if (!redundancy) return NO_GROUP;
    const minUp = this.minUpSlot(redundancy.minUp);
    this.firstOf = grown(this.firstOf, dependent + 1);
    const first = this.firstOf[dependent] - 1;
    const more = first < 0 ? undefined : this.moreOf.get(dependent);
    for (let i = -1, n = more ? more.length : 0; i < n; i++) {
      const g = i < 0 ? first : more![i];
      if (g < 0 || !this.names.is(g, redundancy.group)) continue;
      // Members should agree on minUp; when they do not, the most recently read one wins.
      this.minUpOf[g] = minUp;
      this.markStale(g);
      return g;
    }
    const g = this.names.length;
    this.names.push(redundancy.group);
    this.sizes = grown(this.sizes, g + 1); this.minUpOf = grown(this.minUpOf, g + 1); this.required = grown(this.required, g + 1);
    this.sizes[g] = 0; this.minUpOf[g] = minUp; this.required[g] = 0;
    this.markStale(g);
    if (first < 0) this.firstOf[dependent] = g + 1;
    else if (more) more.push(g);
    else this.moreOf.set(dependent, [g]);
    return g;
  }

  resize(g: number, delta: number): void {
    this.sizes[g] += delta;
    this.markStale(g);
  }

  /** Calls `refresh` for each group changed since the last call, once each. */
  takeStale(refresh: (g: number) => void): void {
    const list = this.stale;
    for (let i = 0; i < list.length; i++) refresh(list.data[i]);
    list.length = 0;
  }
  get hasStale(): boolean { return this.stale.length > 0; }

  private markStale(g: number): void {
    if (this.required[g] < 0) return;
    this.required[g] = -1;
    this.stale.push(g);
  }

  private minUpSlot(minUp: MinUp): number {
    let i = this.minUpIndex.get(minUp);
    if (i === undefined) { i = this.minUps.length; this.minUps.push(minUp); this.minUpIndex.set(minUp, i); }
    return i;
  }
}
