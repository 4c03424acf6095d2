import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { openSqliteExport } from '../../server/store/sqlite/export-rows.ts';
import type { BatchTx, GraphStore } from '../../server/store/port.ts';
import type { IngestBatchInput } from '../../server/model/ingest.ts';
import { retireStale } from '../../server/ingest/retire-stale.ts';
import { DomainError } from '../../server/domain/errors.ts';
import { clock, push } from './contract.ts';
import { seededRandom } from '../../server/demo/random.ts';
import { randomEstate } from './random-estate.ts';

/**
 * Batch-level sightings (sighting.ts; the embedded store's scope_batches) change what is written, never what is
 * answered. Two stores take the same seeded random history — a collector re-syncing its estate in batches run
 * after run while CIs change, move between batches, appear and go, batches are sent twice or left out, runs
 * complete and retire, a second source asserts some of the same CIs and a stale sweep drops that source's old
 * assertions — one recognising batches whole, the other (recallBatch hidden) going item by item. After every
 * step their replies, events and every read of runs and last sightings are the same.
 */

const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });

/**
 * A store whose write transactions offer no batch-level recall (every batch goes item by item) and leave a
 * completion's sums to the ingest service (selectLosing over scopeAssertions).
 */
function itemByItem(store: SqliteStore): SqliteStore {
  const transact = store.transact.bind(store);
  store.transact = ((fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => transact((tx) => fn(new Proxy(tx, {
    get(t, k) { return k === 'recallBatch' || k === 'scopeLosing' ? undefined : t[k as keyof BatchTx]; },
  })), o)) as typeof store.transact;
  return store;
}

/** Counts the batches the store recognised whole. */
function countRecalls(store: SqliteStore) {
  const counter = { hits: 0 };
  const transact = store.transact.bind(store);
  store.transact = ((fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => transact((tx) => fn(new Proxy(tx, {
    get(t, k) {
      if (k !== 'recallBatch') return t[k as keyof BatchTx];
      return async (key: Parameters<NonNullable<BatchTx['recallBatch']>>[0]) => {
        const got = await t.recallBatch!(key);
        if (got) counter.hits++;
        return got;
      };
    },
  })), o)) as typeof store.transact;
  return counter;
}

async function outcome(store: GraphStore, batch: IngestBatchInput, now: string) {
  try {
    const out = await push(store, batch, { now: () => now });
    if (out.dryRun) throw new Error('not a dry run');
    const named = (x: { name?: string } | undefined) => x?.name;
    return {
      result: { ...out.result, seq: 0 },
      changes: (out.event?.changes ?? []).map((c) => ({ kind: c.kind, ci: named(c.ci), version: c.ci?.version ?? c.relation?.version, relation: c.relation ? c.relation.type : undefined })),
    };
  } catch (e) {
    if (e instanceof DomainError) return { error: e.code };
    throw e;
  }
}

/** Everything a reader can learn about runs and sightings, by CI name (ids differ between the two stores). */
async function readings(store: SqliteStore) {
  const cis = (await store.listCis({ limit: 1000, lifecycle: 'any' })).items;
  const nameOf = new Map(cis.map((c) => [c.id, c.name]));
  const details = await Promise.all(cis.map((c) => store.getCiDetail(c.id)));
  const lastSeen = await store.lastSeen(cis.map((c) => c.id));
  const relations = await store.relationsOf(cis.map((c) => c.id));
  const relName = new Map(relations.map((r) => [r.id, `${nameOf.get(r.from)}>${nameOf.get(r.to)}`]));
  const scopes = await store.transact(async (tx) => {
    const out: Record<string, string[]> = {};
    for (const [source, scope] of [['k8s', 'prod'], ['backstage', 'default']]) {
      out[`${source}/${scope}`] = (await tx.scopeAssertions(source, scope))
        .map((a) => `${a.kind} ${nameOf.get(a.targetId) ?? relName.get(a.targetId) ?? 'gone'} ${a.runId} ${a.lastSeen}`).sort();
    }
    const rels = await tx.loadRelationsById(relations.map((r) => r.id));
    out.relations = rels.flatMap((r) => r.assertions.map((a) => `${relName.get(r.record.id)} ${a.source} ${a.runId} ${a.lastSeen} ${a.active}`)).sort();
    return out;
  }, { readOnly: true });
  return {
    cis: details.map((d) => ({
      name: d!.name, lifecycle: d!.lifecycle, version: d!.version, owner: d!.owner, attributes: d!.attributes,
      sources: d!.sources, lastSeen: lastSeen.get(d!.id) ?? null, history: d!.history.length,
    })).sort((a, b) => a.name.localeCompare(b.name)),
    relations: relations.map((r) => `${relName.get(r.id)} ${r.type} v${r.version} ${JSON.stringify(r.provenance)}`).sort(),
    scopes,
  };
}

describe('embedded store: batch-level sightings answer exactly as item by item', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it.each([1, 2, 3])('over a random history of re-syncs, edits, moves, a second source and stale sweeps (seed %i)', async (seed) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-sightings-'));
    dirs.push(dir);
    const fastFile = join(dir, 'fast.db'), plainFile = join(dir, 'plain.db');
    const fast = new SqliteStore({ file: fastFile });
    const plain = itemByItem(new SqliteStore({ file: plainFile }));
    await fast.init();
    await plain.init();
    const recalls = countRecalls(fast);
    const r = seededRandom(seed);
    const c = clock();
    try {
      // The collector's estate: three batches of six CIs, changing a little between runs.
      const estate = randomEstate(r, 3, 6);
      const step = async (batch: IngestBatchInput) => {
        const now = c.advance(1000 + r.int(0, 59_999));
        const [a, b] = [await outcome(fast, batch, now), await outcome(plain, batch, now)];
        expect(a).toEqual(b);
        if (process.env.SG_DEBUG) expect(await readings(fast), JSON.stringify(batch)).toEqual(await readings(plain));
      };
      for (let run = 1; run <= 14; run++) {
        // The estate changes a little between runs (or not at all).
        estate.change(run);
        const order = [0, 1, 2].filter(() => !r.chance(0.1));
        if (r.chance(0.2) && order.length) order.splice(r.int(0, order.length - 1), 0, r.pick(order));
        for (const [i, b] of order.entries()) {
          await step({ source: 'k8s', scope: 'prod', runId: `k${run}`, complete: i === order.length - 1, force: r.chance(0.5), ...estate.body(b) });
        }
        // A second source asserts a few of the same CIs now and then, and a sweep drops its old assertions.
        if (r.chance(0.4)) {
          const all = estate.names();
          const some = Array.from({ length: 1 + r.int(0, 2) }, () => r.pick(all));
          await step({ source: 'backstage', runId: `b${run}`, cis: some.map((n) => svc(n, { owner: `team-${run % 3}` })) });
        }
        if (r.chance(0.25)) {
          const before = new Date(Date.parse(c.advance(1000)) - r.int(0, 2) * 60_000).toISOString();
          const now = c.advance(1000);
          const [a, b] = await Promise.all([fast, plain].map((s) => retireStale(s, { source: 'backstage', scope: 'default', before, now: () => now })));
          expect(a).toEqual(b);
        }
        expect(await readings(fast)).toEqual(await readings(plain));
      }
      // The fast path was taken, and often (most runs change something somewhere)
      expect(recalls.hits).toBeGreaterThanOrEqual(5);
    } finally {
      await fast.close();
      await plain.close();
    }
    // The migration export hands out the same assertions (effective runs and sightings, no store-internal pointer).
    const rows = (file: string) => {
      const ex = openSqliteExport(file);
      try {
        return ex.page('assertions', null, 100_000).map(({ target_id: _t, ...rest }) => JSON.stringify(rest)).sort();
      } finally { ex.close(); }
    };
    expect(rows(fastFile)).toEqual(rows(plainFile));
  });
});
