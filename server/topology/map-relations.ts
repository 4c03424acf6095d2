import type { MinUp, Provenance } from '../model/relations.ts';
import type { TopologyRelation } from '../store/port.ts';
import type { MapRelation } from '../domain/graph-view/neighbourhood.ts';
import { relationTypeList } from '../model/relations.ts';
import { DEAD, relationTypeCode } from './edge-code.ts';
import { grown } from './int-list.ts';
import { PackedStrings } from './packed-strings.ts';
import { IdIndex } from './id-index.ts';


/** A relation as the projection is fed it: from the store's stream, or a change event's full record. */
export type MapRelationInput = TopologyRelation;

const typeNames = relationTypeList.map((t) => t.name);
const NONE = -1;

/**
 * Every live relation with what a map shows of it, by dense node (the Topology's ids), so a live map is
 * read from memory instead of two store queries per level. Columnar slots (a freed slot is reused), the
 * few provenance lists, redundancy group names and minUp values interned, adjacency as a doubly linked slot list per node and
 * direction, in typed arrays. About 65 bytes per relation, its id (packed) and links included (observed counters and notes
 * apart, where present), and no heap object per node: a JS array per node and direction was 2M objects at 1M CIs,
 * ~300 MB of heap that every major GC marked (1M-CI projection after start: 624 -> 323 MB).
 */
export class MapRelations {
  /** Each slot's relation id ('' once dropped). */
  private readonly ids = new PackedStrings();
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private type = new Uint8Array(1024);
  private prov = new Int32Array(1024);
  /** The redundancy group's name (in groupNames), NONE when none; and its minUp (in minUps). */
  private red = new Int32Array(1024);
  private redMin = new Int32Array(1024);
  // Observed traffic and notes are on few relations: kept by slot, only where present.
  private readonly observed = new Map<number, NonNullable<MapRelation['observed']>>();
  private readonly notes = new Map<number, string>();
  private readonly free: number[] = [];
  // Adjacency lists, slot + 1 (0: none), in the order relations were added: per node its first and last slot and how
  // many, per slot the next and previous one in its `from` node's outgoing list and its `to` node's incoming list.
  private outFirst = new Int32Array(1024);
  private outLast = new Int32Array(1024);
  private outCount = new Int32Array(1024);
  private inFirst = new Int32Array(1024);
  private inLast = new Int32Array(1024);
  private inCount = new Int32Array(1024);
  private outNext = new Int32Array(1024);
  private outPrev = new Int32Array(1024);
  private inNext = new Int32Array(1024);
  private inPrev = new Int32Array(1024);
  private readonly provValues: Provenance[][] = [];
  private readonly provIndex = new Map<string, number>();
  /**
   * Redundancy group names, interned: groups are named per dependent (314k at the 1M bench estate), so a frozen
   * { group, minUp } per distinct pair and its key string were ~600k heap objects for every major GC to mark.
   */
  private readonly groupNames = new IdIndex();
  private readonly minUps: MinUp[] = [];
  private readonly minUpIndex = new Map<MinUp, number>();
  private live = 0;

  constructor(private readonly idOfNode: (n: number) => string) {}

  get size(): number { return this.live; }
  /** Slots taken (live and freed) and the room the slot arrays have for them. */
  get slots(): number { return this.ids.length; }
  get slotRoom(): number { return this.from.length; }

  /** Room for relations among `nodes` nodes and `relations` relations without growing, an array or two a step (Topology.reserveSteps). */
  *reserveSteps(nodes: number, relations: number): Generator<void, void> {
    this.from = grown(this.from, relations); this.to = grown(this.to, relations); this.type = grown(this.type, relations);
    yield;
    this.prov = grown(this.prov, relations); this.red = grown(this.red, relations);
    yield;
    this.redMin = grown(this.redMin, relations); this.outNext = grown(this.outNext, relations);
    yield;
    this.outPrev = grown(this.outPrev, relations); this.inNext = grown(this.inNext, relations);
    yield;
    this.inPrev = grown(this.inPrev, relations);
    this.growNodes(nodes);
  }

  /** Add the relation between live nodes `p` (its `from`) and `q` (its `to`), or refresh it when that triple is there. */
  upsert(rel: MapRelationInput, p: number, q: number): void {
    const t = relationTypeCode(rel.type);
    let slot = this.find(p, q, t);
    if (slot === NONE) {
      slot = this.free.pop() ?? this.ids.length;
      if (slot === this.ids.length) {
        this.ids.push(rel.id);
        this.growSlots(slot + 1);
      }
      this.from[slot] = p; this.to[slot] = q; this.type[slot] = t;
      this.link(slot, p, q);
      this.live++;
    }
    this.ids.set(slot, rel.id);
    this.prov[slot] = this.internProvenance(rel.provenance ?? []);
    this.red[slot] = rel.redundancy ? this.groupNames.get(rel.redundancy.group) ?? this.groupNames.add(rel.redundancy.group) : NONE;
    if (rel.redundancy) this.redMin[slot] = this.internMinUp(rel.redundancy.minUp);
    if (rel.observed) this.observed.set(slot, rel.observed); else this.observed.delete(slot);
    if (rel.note !== undefined) this.notes.set(slot, rel.note); else this.notes.delete(slot);
  }

  remove(p: number, q: number, type: string): void {
    const slot = this.find(p, q, relationTypeCode(type));
    if (slot !== NONE) this.drop(slot);
  }

  /** Drop every relation touching node `n` (a retired CI). */
  removeNode(n: number): void {
    for (let slot = this.firstOut(n); slot >= 0;) { const next = this.nextOut(slot); this.drop(slot); slot = next; }
    for (let slot = this.firstIn(n); slot >= 0;) { const next = this.nextIn(slot); this.drop(slot); slot = next; }
  }

  /** Relations with an end among `nodes`, outgoing ones first, at most `limit` (as the store's relationsOf). */
  of(nodes: readonly number[], limit: number): MapRelation[] {
    const picked = new Set<number>();
    for (let dir = 0; dir < 2; dir++) {
      for (const n of nodes) {
        for (let slot = dir === 0 ? this.firstOut(n) : this.firstIn(n); slot >= 0; slot = dir === 0 ? this.nextOut(slot) : this.nextIn(slot)) {
          if (picked.size >= limit) return this.records(picked);
          picked.add(slot);
        }
      }
    }
    return this.records(picked);
  }

  /** Relations with both ends among `nodes`, at most `limit`. */
  among(nodes: readonly number[], limit: number): MapRelation[] {
    const inSet = new Set(nodes);
    const out: MapRelation[] = [];
    for (const n of inSet) {
      for (let slot = this.firstOut(n); slot >= 0; slot = this.nextOut(slot)) {
        if (!inSet.has(this.to[slot])) continue;
        if (out.length >= limit) return out;
        out.push(this.record(slot));
      }
    }
    return out;
  }

  // ---- slot-level reads, for the live map (server/topology/live-map.ts) --------------------------

  /** One past the highest slot ever used (slots index the per-relation columns). */
  get slotCount(): number { return this.ids.length; }
  /**
   * The relations leaving / entering node `n`, as linked slots (in the order they were added): the first one, then
   * the next after each, -1 at the end. `for (let s = m.firstOut(n); s >= 0; s = m.nextOut(s))`.
   */
  firstOut(n: number): number { return n < this.outFirst.length ? this.outFirst[n] - 1 : -1; }
  nextOut(slot: number): number { return this.outNext[slot] - 1; }
  firstIn(n: number): number { return n < this.inFirst.length ? this.inFirst[n] - 1 : -1; }
  nextIn(slot: number): number { return this.inNext[slot] - 1; }
  fromOf(slot: number): number { return this.from[slot]; }
  toOf(slot: number): number { return this.to[slot]; }
  typeCodeOf(slot: number): number { return this.type[slot]; }

  private records(slots: Set<number>): MapRelation[] {
    const out: MapRelation[] = [];
    for (const s of slots) out.push(this.record(s));
    return out;
  }

  record(slot: number): MapRelation {
    const red = this.red[slot];
    const note = this.notes.get(slot);
    return {
      id: this.ids.get(slot), type: typeNames[this.type[slot]], from: this.idOfNode(this.from[slot]), to: this.idOfNode(this.to[slot]),
      provenance: this.provValues[this.prov[slot]], redundancy: red === NONE ? null : { group: this.groupNames.idOf(red), minUp: this.minUps[this.redMin[slot]] },
      observed: this.observed.get(slot) ?? null, note: note ?? null,
    };
  }

  /** The slot of the live relation p -[t]-> q: the shorter of p's outgoing and q's incoming lists is scanned. */
  private find(p: number, q: number, t: number): number {
    const outs = p < this.outCount.length ? this.outCount[p] : 0, ins = q < this.inCount.length ? this.inCount[q] : 0;
    if (!outs || !ins) return NONE;
    if (outs <= ins) {
      for (let s = this.firstOut(p); s >= 0; s = this.nextOut(s)) if (this.to[s] === q && this.type[s] === t) return s;
    } else {
      for (let s = this.firstIn(q); s >= 0; s = this.nextIn(s)) if (this.from[s] === p && this.type[s] === t) return s;
    }
    return NONE;
  }

  private growSlots(need: number): void {
    if (this.from.length >= need) return;
    this.from = grown(this.from, need); this.to = grown(this.to, need); this.type = grown(this.type, need);
    this.prov = grown(this.prov, need); this.red = grown(this.red, need); this.redMin = grown(this.redMin, need);
    this.outNext = grown(this.outNext, need); this.outPrev = grown(this.outPrev, need);
    this.inNext = grown(this.inNext, need); this.inPrev = grown(this.inPrev, need);
  }

  private growNodes(need: number): void {
    if (this.outFirst.length >= need) return;
    this.outFirst = grown(this.outFirst, need); this.outLast = grown(this.outLast, need); this.outCount = grown(this.outCount, need);
    this.inFirst = grown(this.inFirst, need); this.inLast = grown(this.inLast, need); this.inCount = grown(this.inCount, need);
  }

  /** Appends `slot` to p's outgoing and q's incoming list. */
  private link(slot: number, p: number, q: number): void {
    this.growNodes(Math.max(p, q) + 1);
    const ref = slot + 1;
    this.outPrev[slot] = this.outLast[p]; this.outNext[slot] = 0;
    if (this.outLast[p]) this.outNext[this.outLast[p] - 1] = ref; else this.outFirst[p] = ref;
    this.outLast[p] = ref; this.outCount[p]++;
    this.inPrev[slot] = this.inLast[q]; this.inNext[slot] = 0;
    if (this.inLast[q]) this.inNext[this.inLast[q] - 1] = ref; else this.inFirst[q] = ref;
    this.inLast[q] = ref; this.inCount[q]++;
  }

  /** Takes `slot` out of its ends' lists (the others keep their order). */
  private unlink(slot: number): void {
    const p = this.from[slot], q = this.to[slot];
    const oPrev = this.outPrev[slot], oNext = this.outNext[slot];
    if (oPrev) this.outNext[oPrev - 1] = oNext; else this.outFirst[p] = oNext;
    if (oNext) this.outPrev[oNext - 1] = oPrev; else this.outLast[p] = oPrev;
    this.outCount[p]--;
    const iPrev = this.inPrev[slot], iNext = this.inNext[slot];
    if (iPrev) this.inNext[iPrev - 1] = iNext; else this.inFirst[q] = iNext;
    if (iNext) this.inPrev[iNext - 1] = iPrev; else this.inLast[q] = iPrev;
    this.inCount[q]--;
  }

  private drop(slot: number): void {
    this.unlink(slot);
    this.type[slot] = DEAD;
    this.ids.set(slot, '');
    this.observed.delete(slot);
    this.notes.delete(slot);
    this.free.push(slot);
    this.live--;
  }

  private internProvenance(p: Provenance[]): number {
    const key = p.join(',');
    let i = this.provIndex.get(key);
    if (i === undefined) { i = this.provValues.length; this.provValues.push(Object.freeze([...p]) as Provenance[]); this.provIndex.set(key, i); }
    return i;
  }

  private internMinUp(m: MinUp): number {
    let i = this.minUpIndex.get(m);
    if (i === undefined) { i = this.minUps.length; this.minUps.push(m); this.minUpIndex.set(m, i); }
    return i;
  }
}
