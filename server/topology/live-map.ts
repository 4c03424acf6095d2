import { ciClasses } from '../model/classes.ts';
import { relationTypeList } from '../model/relations.ts';
import type { GraphEdge, GraphNode, Truncation } from '../model/records.ts';
import {
  edgesCut, hubCut, levelBudget, nodesCut, passesFilters, toGraphEdge, toGraphNode, type NeighbourhoodQuery,
} from '../domain/graph-view/neighbourhood.ts';
import { groupNode } from '../domain/graph-view/group-nodes.ts';
import type { Topology } from './topology.ts';
import { sortByName } from './name-order.ts';
import { nextTurn } from '../live/turns.ts';
import { turnOver } from '../live/urgent.ts';

/** A live map: what GET /graph answers (before last sightings), and the CIs it was computed from. */
export interface LiveMap {
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
  truncation?: Truncation;
  /** Every CI whose facts or relation lists the answer depends on (see Topology.unchangedSince). */
  read: Int32Array;
  /** Some edge shown was observed: its state depends on the time of asking (restate). */
  observed: boolean;
}

// Per relation type code: whether its provider (the end whose failure travels) is its `to` end, as neighbourVia reads it.
const providerIsTo = relationTypeList.map((t) => t.impact === 'toSource' || t.impact === 'none');
const TYPES = relationTypeList.length;


/**
 * Per-call scratch over dense nodes and relation slots, reused: a stamp equal to the call's epoch marks
 * membership, so nothing is cleared between calls and a call costs what it touches.
 */
class Scratch {
  epoch = 0;
  shown = new Int32Array(0); // epoch: in the map (depthOf has it)
  depth = new Int32Array(0);
  parent = new Int32Array(0);
  readMark = new Int32Array(0);
  candMark = new Int32Array(0); // level epoch: a candidate of the current level
  candHead = new Int32Array(0);
  candTail = new Int32Array(0);
  bucket = new Int32Array(0); // epoch-tagged collapsed-group index + 1 (0: not collapsed), see memberOf
  bucketMark = new Int32Array(0);
  relMark = new Int32Array(0); // epoch: in the map's relation set
  pickMark = new Int32Array(0); // level epoch: read by this level's relationsOf

  begin(nodes: number, slots: number): number {
    if (this.shown.length < nodes) {
      const n = Math.max(nodes, this.shown.length * 2, 1024);
      for (const k of ['shown', 'depth', 'parent', 'readMark', 'candMark', 'candHead', 'candTail', 'bucket', 'bucketMark'] as const) this[k] = new Int32Array(n);
    }
    if (this.relMark.length < slots) {
      const n = Math.max(slots, this.relMark.length * 2, 1024);
      this.relMark = new Int32Array(n); this.pickMark = new Int32Array(n);
    }
    if (this.epoch > 0x3fffffff) {
      for (const a of [this.shown, this.readMark, this.candMark, this.bucketMark, this.relMark, this.pickMark]) a.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }
}
/** The scratch of every map, but for those computed while a map in turns is suspended between them. */
const shared = new Scratch();
/**
 * Their scratch: only ever used within one turn (a whole liveMap, or a map's first turn), so never held across turns.
 * A map that a first turn on it did not finish is dropped and computed again, through the shared scratch, in order.
 */
const spare = new Scratch();

/** How many units of work (a relation or a CI looked at) a map does between two chances to stop for the turn. */
const UNITS_PER_STEP = 64;

/**
 * The live map around `q.focus`, read from the projection by dense node and relation slot: the same answer,
 * in the same order, as `neighbourhood` over `liveMapSource` followed (with `q.groupAbove`) by `groupNodes`
 * with that threshold, which test/topology/live-map.test.ts checks on random estates. That path builds string
 * maps and an object per relation read; around a hub it read 10,000 relations and 5,000 CIs to draw a few
 * dozen nodes, so under 50 readers it was most of the server's time. Here only what is drawn is materialised.
 */
export function liveMap(topo: Topology, q: NeighbourhoodQuery): LiveMap {
  const steps = mapSteps(topo, q, driving ? spare : shared, [], Infinity);
  for (;;) { const r = steps.next(); if (r.done) return r.value; }
}

/**
 * liveMap a turn of the event loop at a time (at most `turnMs` each, then the loop serves others: an ingest batch's
 * body, its hand-over to the writer thread, its reply), for the maps that take longer: around a hub at 1M CIs tens
 * of ms, over 100 under load, which every request that became ready meanwhile waited for. The same answer as liveMap
 * on the projection as it is when the map is done: the projection may change between turns (a batch applied), so
 * each turn first checks that none of the CIs read so far changed since the map began (Topology.unchangedSince, as
 * the read cache checks a kept answer); if one did, the map starts again, and after `restarts` such starts it is
 * finished in one turn. Maps that need more than one turn take it one at a time (they share one scratch: at 1M CIs
 * tens of MB), in the order they came; a map done in its first turn is not held behind them (that turn uses a spare
 * scratch while they are under way: a small map came after every long one before it).
 * `unitsPerStep` (tests): units of work between looks at the clock.
 */
export function liveMapInTurns(topo: Topology, q: NeighbourhoodQuery, opts: TurnsOptions): TurnsMap | Promise<TurnsMap> {
  const first = new MapInTurns(topo, q, opts, driving ? spare : shared);
  if (first.turn()) return first.answer();
  // Begun on the spare scratch, it cannot go on across turns: it starts again when its turn in the queue comes.
  return inTurnsAfter({ begun: driving ? null : first, topo, q, opts });
}

/** A map computed in turns, and the projection's version it is the answer at (as of its last start: for the read cache). */
export interface TurnsMap { map: LiveMap; version: number }
export interface TurnsOptions { turnMs: number; restarts?: number; unitsPerStep?: number }

/** A map waiting for its turns: `begun` when its first turn is done. */
interface Job { begun: MapInTurns | null; topo: Topology; q: NeighbourhoodQuery; opts: TurnsOptions; resolve?: (m: TurnsMap) => void; reject?: (e: unknown) => void }
const jobs: Job[] = [];
/** Whether the maps in turns are being driven (one at a time, through the shared scratch: liveMap takes a fresh one meanwhile). */
let driving = false;

function inTurnsAfter(job: Job): Promise<TurnsMap> {
  const answer = new Promise<TurnsMap>((resolve, reject) => { job.resolve = resolve; job.reject = reject; });
  jobs.push(job);
  if (!driving) { driving = true; void drive(); }
  return answer;
}

/**
 * Computes the maps waiting, in order, each to its end, until none waits. A map's first turn starts in the turn the
 * one before it ended only while that turn is within its `turnMs`.
 */
async function drive(): Promise<void> {
  let resumed = performance.now();
  try {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      try {
        if (job.begun) { job.resolve!(await job.begun.rest()); resumed = -Infinity; continue; }
        if (performance.now() - resumed >= job.opts.turnMs) { await nextTurn(); resumed = performance.now(); }
        const map = new MapInTurns(job.topo, job.q, job.opts);
        if (map.turn()) job.resolve!(map.answer());
        else { job.resolve!(await map.rest()); resumed = -Infinity; }
      } catch (e) {
        job.reject!(e);
      }
    }
  } finally {
    driving = false;
  }
}

class MapInTurns {
  private read: number[] = [];
  private version: number;
  private steps: Generator<void, LiveMap>;
  private started = 0;
  private done: LiveMap | null = null;

  constructor(private readonly topo: Topology, private readonly q: NeighbourhoodQuery, private readonly opts: TurnsOptions, scratch = shared) {
    this.version = topo.version;
    this.steps = mapSteps(topo, q, scratch, this.read, opts.unitsPerStep ?? UNITS_PER_STEP);
  }

  /** One turn's work: true once the map is done. */
  turn(): boolean {
    const t0 = performance.now();
    for (;;) {
      const r = this.steps.next();
      if (r.done) { this.done = r.value; return true; }
      // A write waiting on this loop (urgent.ts) ends the turn early: the map goes on in the next one.
      if (turnOver(t0, performance.now(), this.opts.turnMs)) return false;
    }
  }

  answer(): TurnsMap { return { map: this.done!, version: this.version }; }

  /** The turns after the first, each after the loop served what was waiting. */
  async rest(): Promise<TurnsMap> {
    for (;;) {
      await nextTurn();
      // A batch applied since the map began changed a CI it read: what it has is no longer one projection's answer.
      if (this.topo.version !== this.version && !this.topo.unchangedSince(this.read, this.version)) {
        this.read = [];
        this.version = this.topo.version;
        this.steps = mapSteps(this.topo, this.q, shared, this.read, this.opts.unitsPerStep ?? UNITS_PER_STEP);
        if (++this.started > (this.opts.restarts ?? 2)) { while (!this.turnUnbounded()); return this.answer(); }
      }
      if (this.turn()) return this.answer();
    }
  }

  private turnUnbounded(): boolean {
    const r = this.steps.next();
    if (r.done) this.done = r.value;
    return r.done === true;
  }
}

/**
 * The map's walk, stopping (yield) after every `unitsPerStep` units of work (Infinity: never); `read` receives the
 * CIs read as it goes.
 */
function* mapSteps(topo: Topology, q: NeighbourhoodQuery, s: Scratch, read: number[], unitsPerStep: number): Generator<void, LiveMap> {
  const m = topo.mapRelations;
  let units = 0;
  // Level epochs (candMark, pickMark) advance once per level: give each call a range of them.
  const epoch = s.begin(topo.nodeCount, m.slotCount);
  s.epoch += q.depth + 1;
  const { shown, depth, parent, readMark, candMark, candHead, candTail, relMark, pickMark } = s;
  const markRead = (n: number) => { if (readMark[n] !== epoch) { readMark[n] = epoch; read.push(n); } };
  // Candidate lists: (via node, slot) pairs chained per candidate, in the order they were found.
  const viaNode: number[] = [], viaSlot: number[] = [], viaNext: number[] = [];
  const cis: number[] = [];
  const rels: number[] = [];
  const addRel = (slot: number) => { if (relMark[slot] !== epoch) { relMark[slot] = epoch; rels.push(slot); } };
  let truncated = false;
  let truncation: Truncation | undefined;
  const cut = (t: Truncation) => { truncated = true; truncation ??= t; };

  for (const id of q.focus) {
    const n = topo.nodeOf(id);
    if (n === undefined || shown[n] === epoch) continue;
    shown[n] = epoch; depth[n] = 0; parent[n] = -1;
    cis.push(n); markRead(n);
  }
  let frontier = cis.slice();
  for (let d = 1; d <= q.depth && frontier.length && !truncated; d++) {
    const level = epoch + d;
    const budget = levelBudget(q, cis.length);
    // relationsOf(frontier, budget + 1): outgoing lists first, then incoming, each slot once.
    const levelRels: number[] = [];
    const limit = budget + 1;
    pick: for (let dir = 0; dir < 2; dir++) {
      for (const n of frontier) {
        for (let slot = dir === 0 ? m.firstOut(n) : m.firstIn(n); slot >= 0; slot = dir === 0 ? m.nextOut(slot) : m.nextIn(slot)) {
          if (levelRels.length >= limit) break pick;
          if (++units >= unitsPerStep) { units = 0; yield; }
          if (pickMark[slot] !== level) { pickMark[slot] = level; levelRels.push(slot); }
        }
      }
    }
    if (levelRels.length > budget) cut(hubCut(budget, d));
    const candidates: number[] = [];
    for (const slot of levelRels) {
      if (++units >= unitsPerStep) { units = 0; yield; }
      const from = m.fromOf(slot), to = m.toOf(slot);
      const provider = providerIsTo[m.typeCodeOf(slot)] ? to : from;
      for (let e = 0; e < 2; e++) {
        const end = e === 0 ? from : to;
        // In the frontier: shown at the previous level.
        if (shown[end] !== epoch || depth[end] !== d - 1) continue;
        const other = from === end ? to : from;
        if (q.direction !== 'both' && (q.direction === 'downstream') !== (other === provider)) continue;
        if (shown[other] === epoch) { addRel(slot); continue; }
        const k = viaNode.length;
        viaNode.push(end); viaSlot.push(slot); viaNext.push(-1);
        if (candMark[other] !== level) { candMark[other] = level; candHead[other] = k; candidates.push(other); markRead(other); }
        else viaNext[candTail[other]] = k;
        candTail[other] = k;
      }
    }
    const next: number[] = [];
    // By name then id: with the projection's name ranks a numeric sort (around a hub, 10,000 CIs).
    sortByName(topo, candidates);
    for (const c of candidates) {
      if (++units >= unitsPerStep) { units = 0; yield; }
      if (!topo.isAlive(c) || !passesFilters(q, topo.classOf(c), topo.environmentOf(c), topo.ownerOf(c))) continue;
      if (cis.length >= q.maxNodes) { cut(nodesCut(q.maxNodes, d)); break; }
      shown[c] = epoch; depth[c] = d;
      cis.push(c);
      const head = candHead[c];
      parent[c] = viaNode[head];
      for (let k = head; k !== -1; k = viaNext[k]) addRel(viaSlot[k]);
      next.push(c);
    }
    frontier = next;
  }

  // Groups that collapse (collapsedGroups): more than groupAbove same-class CIs under one parent, in first-seen order.
  const groups: number[][] = [];
  const groupOf = new Map<number, number>();
  if (q.groupAbove !== undefined) {
    const classes = ciClasses.size + 1;
    for (const n of cis) {
      if (++units >= unitsPerStep) { units = 0; yield; }
      if (parent[n] < 0) continue;
      const key = parent[n] * classes + classCode(topo, n);
      let g = groupOf.get(key);
      if (g === undefined) { g = groups.length; groupOf.set(key, g); groups.push([]); }
      groups[g].push(n);
    }
  }
  const { bucket, bucketMark } = s;
  const collapsed: number[][] = [];
  for (const members of groups) {
    if (members.length <= q.groupAbove!) continue;
    collapsed.push(members);
    for (const n of members) { bucketMark[n] = epoch; bucket[n] = collapsed.length; }
  }
  const isMember = (n: number) => bucketMark[n] === epoch;
  // The induced subgraph among the CIs that stay visible (relationsAmong(shown, maxEdges + 1)).
  const amongLimit = q.maxEdges + 1;
  let among = 0;
  outer: for (const n of cis) {
    if (isMember(n)) continue;
    for (let slot = m.firstOut(n); slot >= 0; slot = m.nextOut(slot)) {
      if (++units >= unitsPerStep) { units = 0; yield; }
      const to = m.toOf(slot);
      if (shown[to] !== epoch || isMember(to)) continue;
      if (among >= amongLimit) break outer;
      among++;
      addRel(slot);
    }
  }
  // Every relation kept has both ends shown (a level's relations to CIs left out were never added).
  let edgeSlots = rels;
  if (edgeSlots.length > q.maxEdges) { edgeSlots = edgeSlots.slice(0, q.maxEdges); cut(edgesCut(q.maxEdges)); }

  const ci = (n: number): GraphNode => toGraphNode({
    id: topo.idOf(n), class: topo.classOf(n), name: topo.nameOf(n), environment: topo.environmentOf(n), tier: topo.tierOf(n), owner: topo.ownerOf(n), lifecycle: 'active',
  });
  const nodes: GraphNode[] = [];
  for (const n of cis) {
    if (++units >= unitsPerStep) { units = 0; yield; }
    if (!isMember(n)) nodes.push(ci(n));
  }
  const groupIds: string[] = [];
  for (const members of collapsed) {
    units += members.length;
    if (++units >= unitsPerStep) { units = 0; yield; }
    const first = ci(members[0]);
    let minTier = Infinity;
    for (const n of members) minTier = Math.min(minTier, topo.tierOf(n) ?? 4);
    const node = groupNode(`${topo.idOf(parent[members[0]])}|${first.class}`, members.length, first, minTier);
    groupIds.push(node.id);
    nodes.push(node);
  }
  const endId = (n: number) => (isMember(n) ? groupIds[bucket[n] - 1] : topo.idOf(n));
  // groupNodes: an edge into or out of a group stands for all its members' (one per type and ends). Its id is
  // `${from}>${type}>${to}`; the key here is the same triple as numbers (a group as minus its index).
  const edges: GraphEdge[] = [];
  const seen = collapsed.length ? new Set<number>() : null;
  const width = topo.nodeCount + collapsed.length + 1;
  const endKey = (n: number) => (isMember(n) ? -bucket[n] : n) + collapsed.length;
  for (const slot of edgeSlots) {
    if (++units >= unitsPerStep) { units = 0; yield; }
    const from = m.fromOf(slot), to = m.toOf(slot);
    const remapped = seen !== null && (isMember(from) || isMember(to));
    if (!remapped) {
      // Its own id, which no other relation has; a self-loop is left out once the map has groups, as groupNodes does.
      if (seen === null || from !== to) edges.push(toGraphEdge(m.record(slot), q.now, q.edgeThresholds));
      continue;
    }
    const fk = endKey(from), tk = endKey(to);
    if (fk === tk) continue;
    const key = (fk * width + tk) * TYPES + m.typeCodeOf(slot);
    if (seen.has(key)) continue;
    seen.add(key);
    const f = endId(from), t = endId(to);
    const e = toGraphEdge(m.record(slot), q.now, q.edgeThresholds);
    edges.push({ ...e, id: `${f}>${e.type}>${t}`, from: f, to: t });
  }
  let observed = false;
  for (const e of edges) if (e.observed) { observed = true; break; }
  return { nodes, edges, truncated, ...(truncation ? { truncation } : {}), read: Int32Array.from(read), observed };
}

const classCodes = new Map([...ciClasses.keys()].map((name, i) => [name, i]));
const classCode = (topo: Topology, n: number): number => classCodes.get(topo.classOf(n)) ?? classCodes.size;
