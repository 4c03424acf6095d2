import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { BatchTx } from '../../server/store/port.ts';
import type { IngestBatchInput } from '../../server/model/ingest.ts';
import { selectLosing, selectStale, type ScopeAssertion } from '../../server/domain/reconcile/retire.ts';
import { retireStale } from '../../server/ingest/retire-stale.ts';
import { DomainError } from '../../server/domain/errors.ts';
import { seededRandom } from '../../server/demo/random.ts';
import { clock, push } from './contract.ts';
import { randomEstate } from './random-estate.ts';

/**
 * The embedded store's bounded scope reads answer exactly what their definitions over the whole scope answer:
 * `scopeStale` (through the batches' and the unbatched assertions' last-sighting indexes) against `selectStale`, and
 * `scopeLosing`'s total (the kept per-scope count) against `selectLosing`. Over a seeded random history: a collector
 * re-syncing in batches sent in a different order each run (so batches' sightings interleave), CIs edited, moved
 * between batches, added and dropped, runs completing and retiring; a second source asserting some of the same CIs
 * and never completing; stale sweeps of both sources at instants between sightings (retiring, and later restoring
 * what is asserted again). A second store swept through the whole-scope fallback must end the same.
 */

const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });
const ref = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });
const SCOPES = [['k8s', 'prod'], ['backstage', 'default']] as const;

/** A store whose transactions do not offer `scopeStale`: the sweep reads the whole scope (retire-stale.ts). */
function wholeScope(store: SqliteStore): SqliteStore {
  const transact = store.transact.bind(store);
  store.transact = ((fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => transact((tx) => fn(new Proxy(tx, {
    get(t, k) { return k === 'scopeStale' ? undefined : t[k as keyof BatchTx]; },
  })), o)) as typeof store.transact;
  return store;
}

const keyOf = (a: ScopeAssertion) => `${a.kind} ${a.targetId} ${a.runId} ${a.lastSeen}`;
const keys = (xs: ScopeAssertion[]) => xs.map(keyOf).sort();

/** Every bounded read of the store against its definition, at instants around each sighting in the scope. */
async function checkReads(store: SqliteStore, file: string, r: ReturnType<typeof seededRandom>) {
  await store.transact(async (tx) => {
    for (const [source, scope] of SCOPES) {
      const all = await tx.scopeAssertions(source, scope);
      const instants = [...new Set(all.map((a) => a.lastSeen))].sort();
      const probes = new Set(['2020-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z']);
      for (const t of instants) {
        probes.add(t);
        probes.add(new Date(Date.parse(t) + 1).toISOString());
      }
      for (const before of probes) {
        const want = selectStale(all, before);
        expect(keys(await tx.scopeStale!(source, scope, before, 1_000_000)), `${source}/${scope} before ${before}`).toEqual(keys(want));
        // A limit gives that many of them (any), and all of them when there are fewer.
        const limit = 1 + r.int(0, 4);
        const part = await tx.scopeStale!(source, scope, before, limit);
        expect(part.length).toBe(Math.min(limit, want.length));
        const wanted = new Set(want.map(keyOf));
        for (const a of part) expect(wanted.has(keyOf(a))).toBe(true);
        expect(new Set(part.map((a) => a.targetId)).size).toBe(part.length);
      }
      // Completion's sums: the kept count against a count over the scope, for a run and what it asserts now.
      const runs = [...new Set(all.map((a) => a.runId)), 'another-run'];
      const runId = r.pick(runs);
      const assertedNow = [...all.filter(() => r.chance(0.3)).map((a) => a.targetId), 'not-in-the-scope'];
      const fast = await tx.scopeLosing!(source, scope, runId, assertedNow);
      const slow = selectLosing(all, new Set(assertedNow), runId);
      expect(keys(fast.losing)).toEqual(keys(slow.losing));
      expect(fast.total).toBe(slow.total);
    }
  }, { readOnly: true });
  // Every scope's kept count is the count of its active assertions, scopes without any included.
  const db = new Database(file, { readonly: true });
  try {
    const counted = db.prepare('SELECT source, scope, count(*) AS n FROM assertions WHERE active = 1 GROUP BY source, scope ORDER BY 1, 2').all();
    const kept = db.prepare('SELECT source, scope, active AS n FROM scope_counts WHERE active <> 0 ORDER BY 1, 2').all();
    expect(kept).toEqual(counted);
    expect(db.prepare('SELECT count(*) AS n FROM scope_counts WHERE active < 0').get()).toEqual({ n: 0 });
  } finally { db.close(); }
}

/** What a reader sees of the estate, by name (ids differ between stores). */
async function readings(store: SqliteStore) {
  const cis = (await store.listCis({ limit: 1000, lifecycle: 'any' })).items;
  const nameOf = new Map(cis.map((c) => [c.id, c.name]));
  const seen = await store.lastSeen(cis.map((c) => c.id));
  const rels = await store.relationsOf(cis.map((c) => c.id));
  return {
    cis: cis.map((c) => `${c.name} ${c.lifecycle} v${c.version} ${c.owner} ${seen.get(c.id) ?? '-'}`).sort(),
    relations: rels.map((x) => `${nameOf.get(x.from)}>${nameOf.get(x.to)} v${x.version} ${JSON.stringify(x.provenance)}`).sort(),
  };
}

describe('embedded store: bounded scope reads (scopeStale, the kept scope counts) answer as over the whole scope', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it.each([1, 2, 3, 4])('over a random history of batches, edits, moves, two sources, sweeps and restores (seed %i)', async (seed) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-scope-reads-'));
    dirs.push(dir);
    const fastFile = join(dir, 'fast.db'), slowFile = join(dir, 'slow.db');
    const fast = new SqliteStore({ file: fastFile });
    const slow = wholeScope(new SqliteStore({ file: slowFile }));
    await fast.init();
    await slow.init();
    const r = seededRandom(seed);
    const c = clock();
    let swept = 0;
    try {
      const estate = randomEstate(r, 4, 5);
      const both = async (batch: IngestBatchInput) => {
        const now = c.advance(1000 + r.int(0, 30_000));
        // The event sequence aside: sweeps in parts of other sizes write other numbers of events.
        const outcome = async (s: SqliteStore) => {
          try { return { ...(await push(s, batch, { now: () => now })).result, seq: 0 }; } catch (e) { if (e instanceof DomainError) return e.code; throw e; }
        };
        expect(await outcome(fast)).toEqual(await outcome(slow));
      };
      for (let run = 1; run <= 12; run++) {
        estate.change(run);
        // Batches in another order each run, some left out: their sightings interleave across runs.
        const order = [0, 1, 2, 3].filter(() => !r.chance(0.15)).sort(() => r.int(-1, 1));
        for (const [i, b] of order.entries()) {
          await both({ source: 'k8s', scope: 'prod', runId: `k${run}`, complete: i === order.length - 1 && r.chance(0.6), force: r.chance(0.5), ...estate.body(b) });
        }
        // A second source that never completes asserts some of the same CIs (and, now and then, ones swept before).
        if (r.chance(0.6)) {
          const all = estate.names();
          const some = Array.from({ length: 1 + r.int(0, 3) }, () => r.pick(all));
          await both({ source: 'backstage', runId: `b${run}`, cis: some.map((n) => svc(n, { owner: `team-${run % 3}` })) });
        }
        await checkReads(fast, fastFile, r);
        // Sweeps at an instant among the sightings, in small parts; both stores retire the same.
        if (r.chance(0.5)) {
          const [source, scope] = r.pick(SCOPES);
          const before = new Date(Date.parse(c.at()) - r.int(0, 90_000)).toISOString();
          const now = c.advance(1000);
          const sweep = { source, scope, before, now: () => now, chunk: 1 + r.int(0, 6) };
          const [a, b] = [await retireStale(fast, sweep), await retireStale(slow, sweep)];
          expect(a).toEqual(b);
          swept += a.cis + a.relations;
          await checkReads(fast, fastFile, r);
        }
        expect(await readings(fast)).toEqual(await readings(slow));
      }
      // The sweeps did retire something (the comparison above is not of empty sweeps only).
      expect(swept).toBeGreaterThan(0);
    } finally {
      await fast.close();
      await slow.close();
    }
  });

  it('counts the active assertions of a file written before the counts were kept, once, at open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-scope-counts-'));
    dirs.push(dir);
    const file = join(dir, 'old.db');
    const store = new SqliteStore({ file });
    await store.init();
    const c = clock();
    await push(store, { source: 'k8s', scope: 'prod', runId: 'r1', cis: [svc('a'), svc('b'), svc('c')], relations: [{ type: 'DEPENDS_ON', from: ref('a'), to: ref('b') }] }, { now: c.now });
    await push(store, { source: 'backstage', cis: [svc('a', { owner: 'x' })] }, { now: () => c.advance() });
    await store.close();
    // As a file from before: no counts, no mark.
    const db = new Database(file);
    db.exec("DELETE FROM scope_counts; DELETE FROM meta WHERE key = 'scope_counts'");
    db.close();
    const reopened = new SqliteStore({ file });
    await reopened.init();
    try {
      const total = (source: string, scope: string) => reopened.transact((tx) => tx.scopeLosing!(source, scope, 'r2', []), { readOnly: true }).then((x) => x.total);
      expect(await total('k8s', 'prod')).toBe(4);
      expect(await total('backstage', 'default')).toBe(1);
      expect(await total('nobody', 'none')).toBe(0);
    } finally { await reopened.close(); }
    // A second open counts nothing again (the mark), and the counts stay those the writes keep.
    const check = new Database(file, { readonly: true });
    try {
      expect(check.prepare("SELECT value FROM meta WHERE key = 'scope_counts'").get()).toEqual({ value: 'kept' });
      expect(check.prepare('SELECT source, scope, active FROM scope_counts ORDER BY 1').all())
        .toEqual([{ source: 'backstage', scope: 'default', active: 1 }, { source: 'k8s', scope: 'prod', active: 4 }]);
    } finally { check.close(); }
  });
});
