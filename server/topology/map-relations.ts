import type { Provenance, Redundancy } from '../model/relations.ts';
import type { TopologyRelation } from '../store/port.ts';
import type { MapRelation } from '../domain/graph-view/neighbourhood.ts';
import { relationTypeList } from '../model/relations.ts';
import { DEAD, relationTypeCode } from './edge-code.ts';
import { grown } from './int-list.ts';


/** A relation as the projection is fed it: from the store's stream, or a change event's full record. */
export type MapRelationInput = TopologyRelation;

const typeNames = relationTypeList.map((t) => t.name);
const NONE = -1;

/**
 * Every live relation with what a map shows of it, by dense node (the Topology's ids), so a live map is
 * read from memory instead of two store queries per level. Columnar slots (a freed slot is reused), the
 * few provenance lists and redundancy settings interned, adjacency as one slot list per node and direction.
 * About 80 bytes per relation, its id string included (observed counters and notes apart, where present).
 */
export class MapRelations {
  private ids: string[] = [];
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private type = new Uint8Array(1024);
  private prov = new Int32Array(1024);
  private red = new Int32Array(1024);
  // Observed traffic and notes are on few relations: kept by slot, only where present.
  private readonly observed = new Map<number, NonNullable<MapRelation['observed']>>();
  private readonly notes = new Map<number, string>();
  private readonly free: number[] = [];
  private readonly outOf: (number[] | undefined)[] = [];
  private readonly inOf: (number[] | undefined)[] = [];
  private readonly provValues: Provenance[][] = [];
  private readonly provIndex = new Map<string, number>();
  private readonly redValues: Redundancy[] = [];
  private readonly redIndex = new Map<string, number>();
  private live = 0;

  constructor(private readonly idOfNode: (n: number) => string) {}

  get size(): number { return this.live; }

  /** Add the relation between live nodes `p` (its `from`) and `q` (its `to`), or refresh it when that triple is there. */
  upsert(rel: MapRelationInput, p: number, q: number): void {
    const t = relationTypeCode(rel.type);
    let slot = this.find(p, q, t);
    if (slot === NONE) {
      slot = this.free.pop() ?? this.ids.length;
      if (slot === this.ids.length) {
        this.ids.push('');
        const need = slot + 1;
        this.from = grown(this.from, need); this.to = grown(this.to, need); this.type = grown(this.type, need);
        this.prov = grown(this.prov, need); this.red = grown(this.red, need);
      }
      this.from[slot] = p; this.to[slot] = q; this.type[slot] = t;
      (this.outOf[p] ??= []).push(slot);
      (this.inOf[q] ??= []).push(slot);
      this.live++;
    }
    this.ids[slot] = rel.id;
    this.prov[slot] = this.internProvenance(rel.provenance ?? []);
    this.red[slot] = rel.redundancy ? this.internRedundancy(rel.redundancy) : NONE;
    if (rel.observed) this.observed.set(slot, rel.observed); else this.observed.delete(slot);
    if (rel.note !== undefined) this.notes.set(slot, rel.note); else this.notes.delete(slot);
  }

  remove(p: number, q: number, type: string): void {
    const slot = this.find(p, q, relationTypeCode(type));
    if (slot !== NONE) this.drop(slot);
  }

  /** Drop every relation touching node `n` (a retired CI). */
  removeNode(n: number): void {
    for (const list of [this.outOf[n], this.inOf[n]]) if (list) for (const slot of [...list]) this.drop(slot);
  }

  /** Relations with an end among `nodes`, outgoing ones first, at most `limit` (as the store's relationsOf). */
  of(nodes: readonly number[], limit: number): MapRelation[] {
    const picked = new Set<number>();
    for (const lists of [this.outOf, this.inOf]) {
      for (const n of nodes) {
        const list = lists[n];
        if (!list) continue;
        for (const slot of list) {
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
      const list = this.outOf[n];
      if (!list) continue;
      for (const slot of list) {
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
  /** The slots of the relations leaving / entering node `n` (live, in no meaningful order); do not modify. */
  outSlots(n: number): readonly number[] | undefined { return this.outOf[n]; }
  inSlots(n: number): readonly number[] | undefined { return this.inOf[n]; }
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
      id: this.ids[slot], type: typeNames[this.type[slot]], from: this.idOfNode(this.from[slot]), to: this.idOfNode(this.to[slot]),
      provenance: this.provValues[this.prov[slot]], redundancy: red === NONE ? null : this.redValues[red],
      observed: this.observed.get(slot) ?? null, note: note ?? null,
    };
  }

  /** The slot of the live relation p -[t]-> q: the shorter of p's outgoing and q's incoming lists is scanned. */
  private find(p: number, q: number, t: number): number {
    const out = this.outOf[p], into = this.inOf[q];
    if (!out || !into) return NONE;
    if (out.length <= into.length) {
      for (const s of out) if (this.to[s] === q && this.type[s] === t) return s;
    } else {
      for (const s of into) if (this.from[s] === p && this.type[s] === t) return s;
    }
    return NONE;
  }

  private drop(slot: number): void {
    unlist(this.outOf, this.from[slot], slot);
    unlist(this.inOf, this.to[slot], slot);
    this.type[slot] = DEAD;
    this.ids[slot] = '';
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

  private internRedundancy(r: Redundancy): number {
    const key = JSON.stringify([r.group, r.minUp]);
    let i = this.redIndex.get(key);
    if (i === undefined) { i = this.redValues.length; this.redValues.push(Object.freeze({ ...r })); this.redIndex.set(key, i); }
    return i;
  }
}

function unlist(lists: (number[] | undefined)[], n: number, slot: number): void {
  const list = lists[n];
  if (!list) return;
  const i = list.indexOf(slot);
  if (i < 0) return;
  // Order within a node's list carries no meaning: swap with the last instead of shifting a hub's list.
  list[i] = list[list.length - 1];
  list.pop();
  if (!list.length) lists[n] = undefined;
}
