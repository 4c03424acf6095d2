import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import { TopologyService, type TopologyServiceOptions } from '../../server/topology/topology-service.ts';
import type { IngestBatchInput } from '../../server/model/ingest.ts';
import { IngestBatch } from '../../server/model/ingest.ts';
import { mapRelationOf } from '../../server/domain/graph-view/neighbourhood.ts';

const svc = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });
const dep = (from: string, to: string) => ({ type: 'DEPENDS_ON' as const, from: svc(from), to: svc(to) });

describe('topology service over the SQLite store', () => {
  let store: SqliteStore;
  let feed: ChangeFeed;
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const push = (batch: IngestBatchInput) => {
    clock += 60_000;
    return ingest(store, IngestBatch.parse(batch), { limits: defaultLimits, maxRetireShare: 1, now: () => new Date(clock).toISOString() });
  };
  /** A service built from the store, following its change feed from there on. */
  const following = async (opts: TopologyServiceOptions = {}) => {
    const topology = new TopologyService(store, opts);
    await topology.start(feed);
    feed.start(await store.latestSeq());
    return topology;
  };
  const dependentsOf = (topo: Awaited<ReturnType<TopologyService['at']>>, name: string) => {
    const id = [...topo.liveNodeIds()].find((n) => topo.nameOf(n) === name)!;
    const out: string[] = [];
    topo.forEachDependent(id, (d) => out.push(topo.nameOf(d)));
    return out.sort();
  };

  beforeEach(async () => {
    store = new SqliteStore({ file: ':memory:' });
    await store.init();
    feed = new ChangeFeed(store, 60_000);
  });
  afterEach(async () => { feed.stop(); await store.close(); });

  it('builds from the store, then follows committed batches through the change feed without a rebuild', async () => {
    await push({ source: 'manual', cis: [svc('app'), svc('db')], relations: [dep('app', 'db')] });
    const topology = await following();
    const live = topology.current;
    expect(dependentsOf(live, 'db')).toEqual(['app']);

    await push({ source: 'manual', cis: [svc('worker')], relations: [dep('worker', 'db')] });
    await feed.poke();

    expect(topology.current).toBe(live);
    expect(dependentsOf(live, 'db')).toEqual(['app', 'worker']);
    expect(topology.seq).toBe(await store.latestSeq());
  });

  it('follows another process\'s batches a turn at a time: reads in between see whole commits, and the end is the projection the store builds', async () => {
    await push({ source: 'manual', cis: [svc('db')] });
    // A feed whose poll delivers one event per turn (turn budget 0), as another API process's commits arrive.
    const polled = new ChangeFeed(store, 60_000, 200, Date.now, 0);
    const topology = new TopologyService(store);
    await topology.start(polled);
    polled.start(await store.latestSeq());
    const live = topology.current;
    const seqs = new Set<number>([topology.seq]);
    for (let b = 0; b < 20; b++) {
      const names = Array.from({ length: 10 }, (_, i) => `app-${b}-${i}`);
      const out = await push({ source: 'manual', scope: `s${b}`, cis: names.map(svc), relations: names.map((n) => dep(n, 'db')) });
      if (!out.dryRun) seqs.add(out.result.seq);
    }
    // What a read between turns sees: the sequence and the dependents of db, which must match (10 per whole batch).
    const seen: { seq: number; dependents: number }[] = [];
    let polling = true;
    const read = () => { seen.push({ seq: topology.seq, dependents: dependentsOf(live, 'db').length }); if (polling) setImmediate(read); };
    setImmediate(read);
    await polled.poke();
    polling = false;
    expect(new Set(seen.map((s) => s.seq)).size).toBeGreaterThan(2);
    for (const s of seen) {
      expect(seqs.has(s.seq)).toBe(true);
      expect(s.dependents).toBe([...seqs].filter((q) => q <= s.seq).length * 10 - 10);
    }
    expect(topology.seq).toBe(await store.latestSeq());
    const rebuilt = new TopologyService(store);
    await rebuilt.start();
    const counts = (t: typeof live) => { const { cis, relations } = t.stats(); return { cis, relations }; };
    expect(counts(live)).toEqual(counts(rebuilt.current));
    expect(dependentsOf(live, 'db')).toEqual(dependentsOf(rebuilt.current, 'db'));
    polled.stop();
  });

  it('applies a large batch over several turns: seq moves, and requests stop waiting, once all of it is in', async () => {
    await push({ source: 'manual', cis: [svc('db')] });
    const topology = await following({ applyTurnMs: 0 });
    const before = topology.seq;
    const names = Array.from({ length: 3000 }, (_, i) => `app-${i}`);
    const out = await push({ source: 'manual', cis: names.map(svc), relations: names.map((n) => dep(n, 'db')) });
    const seq = out.dryRun ? 0 : out.result.seq;
    const live = topology.current;
    const turns: number[] = [];
    let turn = 0;
    const timer = setInterval(() => { turn++; turns.push(topology.seq); }, 0);
    await feed.poke();
    clearInterval(timer);
    // Timers ran while it was applied, and saw the old sequence only until the end.
    expect(turn).toBeGreaterThan(0);
    expect(turns.every((s) => s === before || s === seq)).toBe(true);
    expect(topology.seq).toBe(seq);
    expect(feed.caughtUp()).toBeNull();
    expect(topology.current).toBe(live);
    expect(dependentsOf(live, 'db')).toEqual([...names].sort());
    // The same projection as one built from the store.
    const rebuilt = new TopologyService(store);
    await rebuilt.start();
    const counts = (t: typeof live) => { const { cis, relations } = t.stats(); return { cis, relations }; };
    expect(counts(live)).toEqual(counts(rebuilt.current));
  });

  it('applies retirements: a completed run that no longer reports a CI removes it and its edges', async () => {
    await push({ source: 'manual', runId: 'r1', complete: true, cis: [svc('app'), svc('db'), svc('old')], relations: [dep('app', 'db'), dep('old', 'db')] });
    const topology = await following();

    await push({ source: 'manual', runId: 'r2', complete: true, force: true, cis: [svc('app'), svc('db')], relations: [dep('app', 'db')] });
    await feed.poke();

    expect(dependentsOf(topology.current, 'db')).toEqual(['app']);
    expect(topology.current.stats()).toMatchObject({ cis: 2, relations: 1 });
  });

  it('answers as of a past time from history, and caches that projection', async () => {
    await push({ source: 'manual', cis: [svc('app'), svc('db')], relations: [dep('app', 'db')] });
    const before = new Date(clock + 1000).toISOString();
    await push({ source: 'manual', cis: [svc('worker')], relations: [dep('worker', 'db')] });
    const topology = new TopologyService(store);
    await topology.start();

    const past = await topology.at(before);

    expect(dependentsOf(past, 'db')).toEqual(['app']);
    expect(dependentsOf(topology.current, 'db')).toEqual(['app', 'worker']);
    expect(await topology.at(before)).toBe(past);
  });

  it('refuses an as-of view of an estate larger than it is allowed for, with the reason and what to use instead', async () => {
    await push({ source: 'manual', cis: [svc('app'), svc('db')], relations: [dep('app', 'db')] });
    const before = new Date(clock + 1000).toISOString();
    await push({ source: 'manual', cis: [svc('worker')] });
    const small = new TopologyService(store, { asOfMaxCis: 3 });
    await small.start();
    expect(dependentsOf(await small.at(before), 'db')).toEqual(['app']);
    const large = new TopologyService(store, { asOfMaxCis: 2 });
    await large.start();
    await expect(large.at(before)).rejects.toMatchObject({ code: 'as_of_too_large', details: { liveCis: 3, maxCis: 2 }, message: expect.stringMatching(/3 live CIs, more than the 2 .*SERVICEGRAPH_ASOF_MAX_CIS.*\/api\/v1\/diff/) });
    // The live view is not concerned.
    expect(await large.at()).toBe(large.current);
  });

  it('keeps every live relation a map shows, as the store reads it: all types, provenance, redundancy, observed traffic, note', async () => {
    const team = { class: 'team' as const, name: 'payments' };
    const relations = [
      dep('app', 'db'), { ...dep('app', 'cache'), redundancy: { group: 'caches', minUp: 1 }, attributes: { note: 'falls back to the database' } },
      { type: 'OWNED_BY' as const, from: svc('app'), to: team },
    ];
    await push({ source: 'manual', runId: 'r1', complete: true, cis: [svc('app'), svc('db'), svc('cache'), svc('old'), team], relations: [...relations, dep('old', 'db')] });
    const topology = await following();
    // After the build, from the feed: observed traffic on one edge, another source on another, a CI retired with its relation.
    await push({ source: 'otel', cis: [svc('app'), svc('db')], relations: [{ ...dep('app', 'db'), observed: { calls: 10, errors: 0 } }] });
    await push({ source: 'manual', runId: 'r2', complete: true, force: true, cis: [svc('app'), svc('db'), svc('cache'), team], relations });
    await feed.poke();

    const ids = (await store.listCis({ limit: 100 })).items.map((c) => c.id);
    const fromStore = (await store.relationsOf(ids)).map(mapRelationOf);
    const live = topology.current.mapRelations;
    const nodes = ids.map((id) => topology.current.nodeOf(id)!);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(fromStore).toHaveLength(3);
    expect(fromStore.find((r) => r.observed)).toMatchObject({ provenance: ['manual', 'observed'], observed: { calls: 10, errors: 0 } });
    expect(fromStore.find((r) => r.redundancy)).toMatchObject({ note: 'falls back to the database' });
    expect(live.of(nodes, 100).sort(byId)).toEqual(fromStore.sort(byId));
    expect(live.among(nodes, 100).sort(byId)).toEqual(fromStore);
    // A fresh build from the store reads the same.
    const rebuilt = new TopologyService(store);
    await rebuilt.start();
    expect(rebuilt.current.mapRelations.of(ids.map((id) => rebuilt.current.nodeOf(id)!), 100).sort(byId)).toEqual(fromStore);
  });

  it('compacts in turns of its own once the overlay is large, while later batches apply and reads see a whole graph', async () => {
    await push({ source: 'manual', cis: [svc('app'), svc('db')], relations: [dep('app', 'db')] });
    // Budget 0: every slice of work is one turn, so the compaction of ~12,000 edges takes many.
    const topology = await following({ applyTurnMs: 0 });
    const chain = (prefix: string, n: number) => ({
      source: 'manual' as const, scope: prefix,
      cis: Array.from({ length: n }, (_, i) => svc(`${prefix}-${i}`)),
      relations: Array.from({ length: n - 1 }, (_, i) => dep(`${prefix}-${i + 1}`, `${prefix}-${i}`)),
    });
    await push(chain('a', 6_000));
    await feed.poke();
    expect(topology.compaction.compacting).toBe(false);
    // Past 10,000 overlay edges: the compaction starts after this event and goes on over later turns.
    await push(chain('b', 6_000));
    await feed.poke();
    expect(topology.compaction).toMatchObject({ compacting: true, compactions: 0 });
    expect(topology.current.stats().overlayEdges).toBe(11_998);
    // Batches meanwhile: relations added, then one of them removed (a complete run that no longer reports it).
    const c = { source: 'manual' as const, scope: 'c', complete: true, force: true };
    await push({ ...c, runId: 'c1', cis: [svc('a-0'), svc('b-0'), svc('a-3000'), svc('b-1')], relations: [dep('b-0', 'a-0'), dep('a-3000', 'b-1')] });
    await push({ ...c, runId: 'c2', cis: [svc('a-0'), svc('b-0')], relations: [dep('b-0', 'a-0')] });
    await feed.poke();
    expect(topology.compaction.compacting).toBe(true);
    expect(dependentsOf(topology.current, 'a-0')).toEqual(['a-1', 'b-0']);
    expect(dependentsOf(topology.current, 'b-1')).toEqual(['b-2']);
    await topology.compactionDone();
    expect(topology.compaction).toMatchObject({ compacting: false, compactions: 1, lastError: null });
    const live = topology.current;
    // What changed while it ran is in the new base's overlay (or marked removed there), the rest is folded in.
    expect(live.stats().relations).toBe(12_000);
    expect(live.stats().overlayEdges + live.stats().deadEdges).toBeLessThanOrEqual(2);
    const rebuilt = new TopologyService(store);
    await rebuilt.start();
    for (const name of ['a-0', 'a-1', 'a-2999', 'a-3000', 'b-0', 'b-1', 'b-5999', 'db']) expect(dependentsOf(live, name)).toEqual(dependentsOf(rebuilt.current, name));
    expect(live.stats()).toMatchObject({ cis: rebuilt.current.stats().cis, relations: rebuilt.current.stats().relations, groups: rebuilt.current.stats().groups });
  });

  it('ranks the names again once enough CIs were added or renamed since, in the same order as comparing them', async () => {
    await push({ source: 'manual', cis: Array.from({ length: 200 }, (_, i) => svc(`svc-${String(i).padStart(3, '0')}`)) });
    const topology = await following({ rerankMin: 50, rerankShare: 0.1 });
    const live = topology.current;
    expect(topology.nameRanks).toMatchObject({ unranked: 0, rankings: 1 });
    // 30 CIs added (fewer than the threshold): unranked, ordered by comparing their names.
    await push({ source: 'manual', cis: Array.from({ length: 30 }, (_, i) => svc(`new-${i}`)) });
    await feed.poke();
    expect(topology.nameRanks).toMatchObject({ unranked: 30, rankings: 1, ranking: false });
    // 30 more: past 50, ranked again (in slices, after the event is applied).
    await push({ source: 'manual', cis: Array.from({ length: 30 }, (_, i) => svc(`more-${i}`)) });
    await feed.poke();
    await topology.rankingDone();
    expect(topology.nameRanks).toMatchObject({ unranked: 0, rankings: 2, lastError: null });
    expect(topology.current).toBe(live);
    const nodes = [...live.liveNodeIds()];
    expect(nodes.every((n) => live.nameOrder!.rankOf(n) >= 0)).toBe(true);
    const sorted = [...nodes];
    live.nameOrder!.sort(live, sorted);
    expect(sorted.map((n) => live.nameOf(n))).toEqual(nodes.map((n) => live.nameOf(n)).sort());
  });

  it('reserves room ahead in turns of its own when its arrays are nearly full, so that the applies do not grow them', async () => {
    await push({ source: 'manual', cis: [svc('first')] });
    const topology = await following({ reserveAheadMin: 1_024 });
    const live = topology.current;
    expect(live.room.cis).toBe(1_024);
    // 1,000 CIs leave less than a sixteenth of the 1,024 places: room is reserved after the event, over later turns.
    await push({ source: 'manual', cis: Array.from({ length: 999 }, (_, i) => svc(`a-${i}`)), relations: Array.from({ length: 998 }, (_, i) => dep(`a-${i + 1}`, `a-${i}`)) });
    await feed.poke();
    expect(topology.roomReservations).toMatchObject({ reserving: true, reservations: 0 });
    await topology.reservationDone();
    expect(topology.roomReservations).toMatchObject({ reserving: false, reservations: 1, lastError: null });
    expect(live.room.cis).toBeGreaterThanOrEqual(1_000 + 250);
    expect(live.room.relations).toBeGreaterThanOrEqual(998 + 249);
    expect(live.roomDue(1_024)).toBeNull();
    // The next CIs fit in the room reserved: no reservation, and the arrays did not grow.
    const room = live.room;
    await push({ source: 'manual', cis: Array.from({ length: 100 }, (_, i) => svc(`b-${i}`)) });
    await feed.poke();
    expect(topology.roomReservations).toMatchObject({ reserving: false, reservations: 1 });
    expect(live.room).toEqual(room);
    // The projection is what a fresh start builds.
    const rebuilt = new TopologyService(store);
    await rebuilt.start();
    const names = (topo: typeof live) => [...topo.liveNodeIds()].map((n) => `${topo.idOf(n)} ${topo.nameOf(n)} ${topo.classOf(n)}`).sort();
    expect(names(live)).toEqual(names(rebuilt.current));
    for (const name of ['first', 'a-0', 'a-500', 'a-997', 'b-99']) expect(dependentsOf(live, name)).toEqual(dependentsOf(rebuilt.current, name));
    const { cis, relations, groups } = rebuilt.current.stats();
    expect(live.stats()).toMatchObject({ cis, relations, groups });
  });
});
