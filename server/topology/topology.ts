import { ciClassList } from '../model/classes.ts';
import type { TopologyCi, TopologyRelation } from '../store/port.ts';
import { groupSlot, NO_GROUP, REMOVED, setGroupThreshold, type CsrImpactGraph, type DependentsCsr } from '../domain/impact/graph.ts';
import type { CatalogView, NodeInfo } from '../domain/impact/catalog.ts';
import { DEAD, impactEnds, relationTypeCode } from './edge-code.ts';
import { grown, IntList } from './int-list.ts';
import { StringTable } from './string-table.ts';
import { IdIndex } from './id-index.ts';
import { RedundancyGroups } from './redundancy-groups.ts';
import { MapRelations, type MapRelationInput } from './map-relations.ts';
import type { NameOrder, NameView } from './name-order.ts';

/** The only attributes the projection keeps: what incident cost and service listings read. */
export const KEPT_ATTRIBUTES = ['slo', 'downtimeCostPerHour', 'users', 'revenuePerHour'] as const;

/**
 * Names that sort by code unit exactly as `localeCompare` sorts them under English collation (CLDR root with no
 * tailoring: space < '-' < '.' < digits < letters, no case or accent levels to weigh); checked on 2M random pairs.
 */
const PLAIN = /^[a-z0-9 .-]*$/;

const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});
const classIndex = new Map(ciClassList.map((c, i) => [c.name, i]));

/** Impact edges waiting to become the CSR base (at build and at compaction). */
export interface EdgeBatch { provider: IntList; dependent: IntList; group: IntList; type: IntList }
export const newEdgeBatch = (capacity = 1024): EdgeBatch =>
  ({ provider: new IntList(capacity), dependent: new IntList(capacity), group: new IntList(capacity), type: new IntList(capacity) });

/**
 * The in-memory projection of the live (or an as-of) topology. See README.md beside this file.
 * Nodes get dense integer ids in arrival order and keep them for life (a retired CI is only marked);
 * edges point provider → dependent and live in a CSR base plus a small overlay of later additions;
 * `compact()` folds the overlay and the removals back into a fresh base.
 */
export class Topology implements CsrImpactGraph, CatalogView {
  /** CI ids by dense id, and the dense id of each. */
  private readonly ids = new IdIndex();
  /** By dense id; may be longer than the ids (room reserved ahead, as the typed arrays): read up to `ids.size`. */
  private names: string[] = [];
  private cls = new Uint8Array(1024);
  private tiers = new Uint8Array(1024);
  private alive = new Uint8Array(1024);
  /** 1 when name and id are plain (see PLAIN): such CIs sort by code unit as the collator would sort them. */
  private plain = new Uint8Array(1024);
  private owners = new Int32Array(1024);
  private envs = new Int32Array(1024);
  private readonly ownerTable = new StringTable();
  private readonly envTable = new StringTable();
  private readonly kept = new Map<number, Record<string, unknown>>();
  /**
   * 1 when `kept` holds the CI's attributes: most CIs have none, and an impact report reads every impacted service's
   * cost, so a miss answered from this byte saves a hash lookup (a 100k hub's report: 200 of its 530 µs were these
   * lookups, 75 µs with this byte).
   */
  private hasKept = new Uint8Array(1024);
  private liveNodes = 0;
  /**
   * Change stamps: every mutation takes the next `version` and stamps the CIs whose facts or relation lists it
   * changed, so a view computed at some version can be checked for freshness by looking at the CIs it read
   * (the live map cache, server/topology/live-map-cache.ts) instead of being dropped by every batch.
   */
  private changedAt = new Int32Array(1024);
  private mutations = 0;
  /** Every live relation, of every type, as a map draws it: live maps read here, not from the store. */
  readonly mapRelations = new MapRelations((n) => this.ids.idOf(n));
  /** Every CI's place in map order (by name, then id), once ranked (rankNames); null until then, and for as-of projections. */
  nameOrder: NameOrder | null = null;

  // CSR base, forward (provider → dependents, with group) and reverse (dependent → providers).
  private baseNodes = 0;
  private fOff = new Int32Array(1);
  /** Per forward edge, side by side: dependent (REMOVED once removed) and group; see DependentsCsr.edges. */
  private fEdge = new Int32Array(0);
  /** Per forward edge: its relation type, DEAD once removed (what matching and compaction read; the walk does not). */
  private fType = new Uint8Array(0);
  private rOff = new Int32Array(1);
  private rFrom = new Int32Array(0);
  private rType = new Uint8Array(0);
  // Overlay: edges added since the base was built. out: [dependent, group, type]*, in: [provider, type]*.
  private readonly outExtra = new Map<number, number[]>();
  private readonly inExtra = new Map<number, number[]>();
  private extraEdges = 0;
  private deadEdges = 0;
  private liveEdges = 0;
  private csrView: DependentsCsr | null = null;
  /** While a compaction is under way (compactSteps): the edge changes made since it started, JOURNAL_STRIDE numbers each. */
  private journal: number[] | null = null;

  private readonly groups = new RedundancyGroups();
  /** The impact walk's group table (see G_STRIDE in graph.ts): thresholds refreshed from the groups changed when it is read. */
  private groupSlots = new Int32Array(groupSlot(64));

  // ---- ImpactGraph -------------------------------------------------------------------------

  get nodeCount(): number { return this.ids.size; }
  get groupCount(): number { return this.groups.count; }

  forEachDependent(u: number, visit: (dependent: number, group: number) => void): void {
    if (u < this.baseNodes) {
      const edge = this.fEdge, type = this.fType;
      for (let i = this.fOff[u], e = this.fOff[u + 1]; i < e; i++) if (type[i] !== DEAD) visit(edge[2 * i], edge[2 * i + 1]);
    }
    if (this.extraEdges) {
      const x = this.outExtra.get(u);
      if (x) for (let i = 0; i < x.length; i += 3) visit(x[i], x[i + 1]);
    }
  }

  forEachProvider(v: number, visit: (provider: number) => void): void {
    if (v < this.baseNodes) {
      const from = this.rFrom, type = this.rType;
      for (let i = this.rOff[v], e = this.rOff[v + 1]; i < e; i++) if (type[i] !== DEAD) visit(from[i]);
    }
    if (this.extraEdges) {
      const x = this.inExtra.get(v);
      if (x) for (let i = 0; i < x.length; i += 2) visit(x[i]);
    }
  }

  dependentsCsr(): DependentsCsr {
    // One view per base (every impact query asks for it; the overlay is read through overlayOf as it is then).
    return this.csrView ??= {
      nodes: this.baseNodes, offsets: this.fOff, edges: this.fEdge,
      overlayOf: (u) => (this.extraEdges ? this.outExtra.get(u) : undefined),
      hasOverlay: () => this.extraEdges > 0,
    };
  }

  groupSize(g: number): number { return this.groups.size(g); }
  groupRequired(g: number): number { return this.groups.requiredUp(g); }
  groupTable(): Int32Array {
    // Refreshed here rather than on every change: a build resizes each group once per member.
    if (this.groups.hasStale) {
      this.groupSlots = grown(this.groupSlots, groupSlot(this.groups.count));
      this.groups.takeStale((g) => setGroupThreshold(this.groupSlots, g, this.groups.size(g), this.groups.requiredUp(g)));
    }
    return this.groupSlots;
  }
  groupName(g: number): string { return this.groups.name(g); }

  // ---- CatalogView -------------------------------------------------------------------------

  nodeOf(id: string): number | undefined {
    const n = this.ids.get(id);
    return n !== undefined && this.alive[n] ? n : undefined;
  }
  idOf(n: number): string { return this.ids.idOf(n); }
  nameOf(n: number): string { return this.names[n]; }
  classOf(n: number): string { return ciClassList[this.cls[n]].name; }
  tierOf(n: number): number | null { return this.tiers[n] || null; }
  ownerOf(n: number): string | null { return this.ownerTable.value(this.owners[n]); }
  isAlive(n: number): boolean { return this.alive[n] === 1; }
  /** Name and id plain (lower-case letters, digits, space, '-' and '.'), so ordered alike by code unit and by an English collator. */
  isPlain(n: number): boolean { return this.plain[n] === 1; }
  /**
   * The names, ids and plain flags as they are now, for ranking them over many turns while this projection keeps
   * changing (rankNames): the arrays are copied (ids never change once given), ~10 ms at 1M CIs.
   */
  nameSnapshot(): NameView & { renamedSince(topo: Topology): number[] } {
    const nodeCount = this.ids.size, names = this.names.slice(0, nodeCount), ids = this.ids, plain = this.plain.slice(0, nodeCount);
    return {
      nodeCount, nameOf: (n) => names[n], idOf: (n) => ids.idOf(n), isPlain: (n) => plain[n] === 1,
      renamedSince: (topo) => { const out: number[] = []; for (let n = 0; n < nodeCount; n++) if (topo.names[n] !== names[n]) out.push(n); return out; },
    };
  }
  info(n: number): NodeInfo {
    return {
      id: this.ids.idOf(n), name: this.names[n], class: this.classOf(n), environment: this.envTable.value(this.envs[n]) ?? '',
      tier: this.tierOf(n), owner: this.ownerOf(n), attributes: this.kept.get(n) ?? {},
    };
  }
  environmentOf(n: number): string { return this.envTable.value(this.envs[n]) ?? ''; }
  attributesOf(n: number): Readonly<Record<string, unknown>> { return this.hasKept[n] === 1 ? this.kept.get(n)! : NO_ATTRIBUTES; }
  /** Live CIs, in dense id order. */
  *liveNodeIds(): Iterable<number> { for (let n = 0; n < this.ids.size; n++) if (this.alive[n]) yield n; }

  stats() {
    return { cis: this.liveNodes, relations: this.liveEdges, overlayEdges: this.extraEdges, deadEdges: this.deadEdges, groups: this.groups.count };
  }

  // ---- changes -----------------------------------------------------------------------------

  /** The version of the last mutation (0 before any). */
  get version(): number { return this.mutations; }

  /** Whether none of `nodes` changed after `version` (their facts, or which relations they have). */
  unchangedSince(nodes: ArrayLike<number>, version: number): boolean {
    const at = this.changedAt;
    for (let i = 0; i < nodes.length; i++) if (at[nodes[i]] > version) return false;
    return true;
  }

  private touch(n: number, version = ++this.mutations): void {
    this.changedAt = grown(this.changedAt, n + 1);
    this.changedAt[n] = version;
  }

  /**
   * Room for `cis` CIs and `relations` relations without growing: a load that knows its size reserves it first, since
   * growing every per-CI and per-relation array at once past a power of two (1M CIs: ~15 arrays of 4-8 MB, ~100 ms of
   * copies and page faults) is one long turn, while room reserved is only touched as it fills. A step per array or
   * two: reserved at once, ~150 MB of new buffers at 1M CIs took ~60 ms and brought on a major GC in the same turn.
   */
  *reserveSteps(cis: number, relations: number): Generator<void, void> {
    this.cls = grown(this.cls, cis); this.tiers = grown(this.tiers, cis); this.alive = grown(this.alive, cis); this.plain = grown(this.plain, cis);
    yield;
    this.hasKept = grown(this.hasKept, cis); this.owners = grown(this.owners, cis);
    yield;
    this.envs = grown(this.envs, cis); this.changedAt = grown(this.changedAt, cis); this.groups.reserveNodes(cis);
    yield;
    yield* this.ids.reserveSteps(cis);
    yield;
    // To the typed arrays' room (which grow by doubling, past `cis`): the names would otherwise fill first and grow alone.
    this.names = reservedArray(this.names, this.ids.size, this.cls.length);
    yield;
    yield* this.mapRelations.reserveSteps(cis, relations);
  }

  /** Room the arrays that fill as CIs and relations come have, before they must grow. */
  get room(): { cis: number; relations: number } { return { cis: this.cls.length, relations: this.mapRelations.slotRoom }; }

  /**
   * The room to reserve ahead (reserveSteps), or null while there is enough: the arrays that fill as CIs and relations
   * come grow all at once when full (~15 per CI, ~10 per relation), and at 1M CIs that is ~100 ms in one apply, so
   * the live projection reserves in turns of its own when a sixteenth of the room is left (TopologyService).
   * Arrays below `minRoom` grow as they fill: cheap enough.
   */
  roomDue(minRoom = 1 << 16): { cis: number; relations: number } | null {
    const cisDue = roomDue(this.ids.size, this.cls.length, minRoom);
    const relationsDue = roomDue(this.mapRelations.slots, this.mapRelations.slotRoom, minRoom);
    if (cisDue === null && relationsDue === null) return null;
    return { cis: cisDue ?? this.ids.size, relations: relationsDue ?? this.mapRelations.slots };
  }

  /** Create or refresh a CI (also brings a retired one back under its old dense id). */
  upsertCi(ci: TopologyCi): number {
    let n = this.ids.get(ci.id);
    if (n === undefined) {
      n = this.ids.size;
      const need = n + 1;
      this.cls = grown(this.cls, need); this.tiers = grown(this.tiers, need); this.alive = grown(this.alive, need); this.plain = grown(this.plain, need);
      this.hasKept = grown(this.hasKept, need); this.owners = grown(this.owners, need); this.envs = grown(this.envs, need);
      this.ids.add(ci.id); this.names[n] = ci.name;
    } else {
      if (this.names[n] !== ci.name) this.nameOrder?.forget(n);
      this.names[n] = ci.name;
    }
    if (!this.alive[n]) { this.alive[n] = 1; this.liveNodes++; }
    this.plain[n] = PLAIN.test(ci.name) && PLAIN.test(ci.id) ? 1 : 0;
    const c = classIndex.get(ci.class);
    if (c === undefined) throw new Error(`unknown CI class ${ci.class}`);
    this.cls[n] = c;
    this.tiers[n] = ci.tier ?? 0;
    this.owners[n] = this.ownerTable.intern(ci.owner);
    this.envs[n] = this.envTable.intern(ci.environment);
    this.touch(n);
    let kept: Record<string, unknown> | undefined;
    for (const k of KEPT_ATTRIBUTES) if (ci.attributes?.[k] !== undefined) (kept ??= {})[k] = ci.attributes[k];
    if (kept) this.kept.set(n, kept); else this.kept.delete(n);
    this.hasKept[n] = kept ? 1 : 0;
    return n;
  }

  /** Mark a CI retired and drop its edges (the batch that retired it also retires them; this keeps the graph sound either way). */
  retireCi(id: string): void {
    const n = this.ids.get(id);
    if (n === undefined || !this.alive[n]) return;
    const out: [number, number][] = [];
    const into: [number, number][] = [];
    this.forEachEdgeOf(n, (p, d, t) => (p === n ? out : into).push([p === n ? d : p, t]));
    for (const [d, t] of out) this.removeEdge(n, d, t);
    for (const [p, t] of into) this.removeEdge(p, n, t);
    // Its neighbours' relation lists change too (and their order: a map reading a hub's first relations reads others).
    const version = ++this.mutations;
    this.touch(n, version);
    const m = this.mapRelations;
    for (let slot = m.firstOut(n); slot >= 0; slot = m.nextOut(slot)) this.touch(m.toOf(slot), version);
    for (let slot = m.firstIn(n); slot >= 0; slot = m.nextIn(slot)) this.touch(m.fromOf(slot), version);
    this.mapRelations.removeNode(n);
    this.alive[n] = 0;
    this.liveNodes--;
  }

  /** Add a relation, or apply its new redundancy when it is already there. Ends must be live CIs. */
  upsertRelation(rel: MapRelationInput): boolean {
    if (!this.mapRelation(rel)) return false;
    const ends = this.resolve(rel);
    if (!ends) return false;
    const { p, d, t } = ends;
    const group = this.groups.groupFor(d, rel.redundancy);
    const at = this.findEdge(p, d, t);
    if (at) {
      const old = at.getGroup();
      if (old !== group) {
        if (old !== NO_GROUP) this.groups.resize(old, -1);
        if (group !== NO_GROUP) this.groups.resize(group, 1);
        at.setGroup(group);
        this.journal?.push(JOURNAL_PUT, p, d, t, group);
      }
      return true;
    }
    if (group !== NO_GROUP) this.groups.resize(group, 1);
    pushTo(this.outExtra, p, d, group, t);
    pushTo(this.inExtra, d, p, t);
    this.extraEdges++;
    this.liveEdges++;
    this.journal?.push(JOURNAL_PUT, p, d, t, group);
    return true;
  }

  removeRelation(rel: { type: string; from: string; to: string }): boolean {
    const p = this.ids.get(rel.from), q = this.ids.get(rel.to);
    if (p !== undefined && q !== undefined) {
      const version = ++this.mutations;
      this.touch(p, version); this.touch(q, version);
      this.mapRelations.remove(p, q, rel.type);
    }
    const ends = this.resolve(rel);
    return ends ? this.removeEdge(ends.p, ends.d, ends.t) : false;
  }

  /** Whether the overlay or the removals have grown enough that a fresh base pays for itself. */
  needsCompaction(): boolean {
    const base = this.fType.length;
    return this.extraEdges + this.deadEdges > Math.max(10_000, base * 0.1);
  }

  /** Fold overlay and removals into a new CSR base, in one go. O(nodes + edges), no store access. */
  compact(): void {
    const steps = this.compactSteps();
    while (!steps.next().done) { /* all in this turn */ }
  }

  /**
   * The same as `compact()`, a small unit of work per step, so that it can be spread over turns of the event loop
   * (stepsInTurns) while the projection keeps changing: at 1M CIs and 2.5M edges it is hundreds of ms, too long for
   * one turn. The live edges are read into a new base node by node; edge changes made meanwhile go on in the current
   * base as usual and are also written to a journal, replayed onto the new base when it takes over (in the step
   * that installs it, so every read sees one base or the other, each whole). Reads see the current base until then.
   */
  *compactSteps(): Generator<void, void> {
    if (this.journal) throw new Error('a compaction is already under way');
    const journal: number[] = this.journal = [];
    try {
      const batch = newEdgeBatch(Math.max(1024, this.liveEdges));
      const collect = (u: number) => (d: number, g: number, t: number) => {
        batch.provider.push(u); batch.dependent.push(d); batch.group.push(g); batch.type.push(t);
      };
      // Nodes created meanwhile are read too (their edges are in the journal as well: replaying is idempotent).
      for (let u = 0; u < this.ids.size; u++) {
        this.forEachDependentTyped(u, collect(u));
        yield;
      }
      const base = yield* baseOf(batch, this.ids.size);
      this.install(base);
      for (let i = 0; i < journal.length; i += JOURNAL_STRIDE) {
        const p = journal[i + 1], d = journal[i + 2], t = journal[i + 3], g = journal[i + 4];
        const at = this.findEdge(p, d, t);
        if (journal[i] === JOURNAL_REMOVE) { at?.kill(); continue; }
        if (at) at.setGroup(g);
        else { pushTo(this.outExtra, p, d, g, t); pushTo(this.inExtra, d, p, t); this.extraEdges++; }
      }
    } finally {
      this.journal = null;
    }
  }

  // ---- building ----------------------------------------------------------------------------

  /** Resolve a relation to an impact edge in `batch` (at build time). */
  collectRelation(rel: TopologyRelation, batch: EdgeBatch): 'added' | 'no-impact' | 'unknown-end' {
    if (!this.mapRelation(rel)) return 'unknown-end';
    const ends = this.resolve(rel);
    if (!ends) return 'no-impact';
    const group = this.groups.groupFor(ends.d, rel.redundancy);
    if (group !== NO_GROUP) this.groups.resize(group, 1);
    batch.provider.push(ends.p); batch.dependent.push(ends.d); batch.group.push(group); batch.type.push(ends.t);
    return 'added';
  }

  /** Replace the edge set with `batch` as a new CSR base. */
  setBase(batch: EdgeBatch): void {
    const steps = this.setBaseSteps(batch);
    while (!steps.next().done) { /* all in this turn */ }
  }

  /** The same, a small unit of work per step (a load's last part: 1M CIs, 2.5M edges, hundreds of ms in one go). */
  *setBaseSteps(batch: EdgeBatch): Generator<void, void> {
    this.install(yield* baseOf(batch, this.ids.size));
    this.liveEdges = batch.provider.length;
  }

  // ---- internals ---------------------------------------------------------------------------

  /** A new base takes over: the overlay and the removals are folded into it (the live edge count is unchanged). */
  private install(base: CsrBase): void {
    Object.assign(this, base, { extraEdges: 0, deadEdges: 0, csrView: null });
    this.outExtra.clear();
    this.inExtra.clear();
  }

  /** Keep `rel` for live maps when both its ends are live CIs; false when one is not (yet). */
  private mapRelation(rel: MapRelationInput): boolean {
    const p = this.nodeOf(rel.from), q = this.nodeOf(rel.to);
    if (p === undefined || q === undefined) return false;
    const version = ++this.mutations;
    this.touch(p, version); this.touch(q, version);
    this.mapRelations.upsert(rel, p, q);
    return true;
  }

  private resolve(rel: { type: string; from: string; to: string }): { p: number; d: number; t: number } | null {
    const ends = impactEnds(rel);
    if (!ends) return null;
    const p = this.nodeOf(ends.provider), d = this.nodeOf(ends.dependent);
    if (p === undefined || d === undefined) return null;
    return { p, d, t: relationTypeCode(rel.type) };
  }

  private forEachDependentTyped(u: number, visit: (d: number, group: number, type: number) => void): void {
    if (u < this.baseNodes) {
      for (let i = this.fOff[u], e = this.fOff[u + 1]; i < e; i++) if (this.fType[i] !== DEAD) visit(this.fEdge[2 * i], this.fEdge[2 * i + 1], this.fType[i]);
    }
    const x = this.outExtra.get(u);
    if (x) for (let i = 0; i < x.length; i += 3) visit(x[i], x[i + 1], x[i + 2]);
  }

  private forEachEdgeOf(n: number, visit: (p: number, d: number, t: number) => void): void {
    this.forEachDependentTyped(n, (d, _g, t) => visit(n, d, t));
    if (n < this.baseNodes) {
      for (let i = this.rOff[n], e = this.rOff[n + 1]; i < e; i++) if (this.rType[i] !== DEAD) visit(this.rFrom[i], n, this.rType[i]);
    }
    const x = this.inExtra.get(n);
    if (x) for (let i = 0; i < x.length; i += 2) visit(x[i], n, x[i + 1]);
  }

  /** The live edge p → d of type t, as accessors over wherever it is stored. */
  private findEdge(p: number, d: number, t: number): { getGroup(): number; setGroup(g: number): void; kill(): void } | null {
    if (p < this.baseNodes) {
      for (let i = this.fOff[p], e = this.fOff[p + 1]; i < e; i++) {
        if (this.fEdge[2 * i] !== d || this.fType[i] !== t) continue;
        return {
          getGroup: () => this.fEdge[2 * i + 1],
          setGroup: (g) => { this.fEdge[2 * i + 1] = g; },
          kill: () => {
            this.fType[i] = DEAD; this.fEdge[2 * i] = REMOVED;
            for (let j = this.rOff[d], e2 = this.rOff[d + 1]; j < e2; j++) if (this.rFrom[j] === p && this.rType[j] === t) { this.rType[j] = DEAD; break; }
            this.deadEdges++;
          },
        };
      }
    }
    const out = this.outExtra.get(p);
    if (out) {
      for (let i = 0; i < out.length; i += 3) {
        if (out[i] !== d || out[i + 2] !== t) continue;
        return {
          getGroup: () => out[i + 1],
          setGroup: (g) => { out[i + 1] = g; },
          kill: () => {
            out.splice(i, 3);
            if (!out.length) this.outExtra.delete(p);
            const into = this.inExtra.get(d)!;
            for (let j = 0; j < into.length; j += 2) if (into[j] === p && into[j + 1] === t) { into.splice(j, 2); break; }
            if (!into.length) this.inExtra.delete(d);
            this.extraEdges--;
          },
        };
      }
    }
    return null;
  }

  private removeEdge(p: number, d: number, t: number): boolean {
    const at = this.findEdge(p, d, t);
    if (!at) return false;
    const g = at.getGroup();
    if (g !== NO_GROUP) this.groups.resize(g, -1);
    at.kill();
    this.liveEdges--;
    this.journal?.push(JOURNAL_REMOVE, p, d, t, NO_GROUP);
    return true;
  }
}

/** Journal entries (compactSteps): [op, provider, dependent, type, group]; PUT = the edge is there with that group. */
const JOURNAL_PUT = 0, JOURNAL_REMOVE = 1, JOURNAL_STRIDE = 5;
/** Units of work (edges or nodes) between two steps of a compaction: each costs nanoseconds. */
const STEP = 1024;

/** Room for a quarter more than `used` when less than a sixteenth of `room` is left, else null; null below `minRoom`. */
function roomDue(used: number, room: number, minRoom: number): number | null {
  if (room < minRoom) return null;
  const slack = room >> 4;
  return used + slack > room ? used + (used >> 2) + slack : null;
}

/**
 * `list`'s first `used` elements in an array with room for `capacity`. A JS array grows by half again when full, its
 * elements copied one by one (1M names: up to ~60 ms in the CI that crossed it); this copies them once, early.
 */
function reservedArray<T>(list: T[], used: number, capacity: number): T[] {
  if (list.length >= capacity) return list;
  const next = new Array<T>(capacity);
  for (let i = 0; i < used; i++) next[i] = list[i];
  return next;
}

/** The CSR arrays of a base (Topology's fields of the same names). */
interface CsrBase { fOff: Int32Array; fEdge: Int32Array; fType: Uint8Array; rOff: Int32Array; rFrom: Int32Array; rType: Uint8Array; baseNodes: number }

/** `batch` as a CSR base over `n` nodes (counting sort by provider, then by dependent), yielding every STEP units. */
function* baseOf(batch: EdgeBatch, n: number): Generator<void, CsrBase> {
  const m = batch.provider.length;
  const P = batch.provider.data, D = batch.dependent.data, G = batch.group.data, T = batch.type.data;
  const fOff = new Int32Array(n + 1), rOff = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) { fOff[P[i] + 1]++; rOff[D[i] + 1]++; if (i % STEP === 0) yield; }
  for (let i = 0; i < n; i++) { fOff[i + 1] += fOff[i]; rOff[i + 1] += rOff[i]; if (i % STEP === 0) yield; }
  const fEdge = new Int32Array(2 * m), fType = new Uint8Array(m);
  const rFrom = new Int32Array(m), rType = new Uint8Array(m);
  const fPos = fOff.slice(0, n), rPos = rOff.slice(0, n);
  for (let i = 0; i < m; i++) {
    const f = fPos[P[i]]++;
    fEdge[2 * f] = D[i]; fEdge[2 * f + 1] = G[i]; fType[f] = T[i];
    const r = rPos[D[i]]++;
    rFrom[r] = P[i]; rType[r] = T[i];
    if (i % STEP === 0) yield;
  }
  return { fOff, fEdge, fType, rOff, rFrom, rType, baseNodes: n };
}

function pushTo(map: Map<number, number[]>, key: number, ...values: number[]): void {
  const list = map.get(key);
  if (list) list.push(...values); else map.set(key, values);
}
