import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { BatchTx } from '../../server/store/port.ts';
import { clock, push } from './contract.ts';
import { generateEstate } from '../../server/demo/generate-estate.ts';

const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });
const dep = (from: string, to: string) => ({ type: 'DEPENDS_ON' as const, from: svc(from), to: svc(to) });
const scope = { source: 'kubernetes', scope: 'prod' };

/**
 * Batch-level re-sightings (server/domain/reconcile/sighting.ts): a batch sent again exactly as before is
 * recognised without identifying its items, and every answer is what the item-by-item path gives.
 */
describe('embedded store: a batch re-sent unchanged', () => {
  let store: SqliteStore;
  const c = clock();
  /** How many batches went item by item (identified their items) since the last call. */
  let itemByItem = 0;
  const counted = () => { const n = itemByItem; itemByItem = 0; return n; };

  beforeEach(async () => {
    store = new SqliteStore({ file: ':memory:' });
    await store.init();
    const transact = store.transact.bind(store);
    store.transact = ((fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => transact((tx) => fn(new Proxy(tx, {
      get(t, k) { if (k === 'lookupKeys') itemByItem++; return t[k as keyof BatchTx]; },
    })), o)) as typeof store.transact;
  });
  afterEach(async () => { await store.close(); });

  const names = async () => (await store.listCis({ limit: 100 })).items.map((x) => x.name).sort();
  const sourcesOf = async (name: string) => {
    const ci = (await store.listCis({ limit: 100, q: name })).items.find((x) => x.name === name)!;
    return (await store.getCiDetail(ci.id))!.sources.map((s) => ({ source: s.source, runId: s.runId, lastSeen: s.lastSeen }));
  };

  it('moves only run and last sighting, keeps the relations, and completes the run retiring what it no longer sends', async () => {
    const a = { ...scope, cis: [svc('checkout'), svc('payments')], relations: [dep('checkout', 'payments')] };
    const b = { ...scope, cis: [svc('ledger')], relations: [dep('payments', 'ledger')] };
    await push(store, { ...a, runId: 'r1' }, { now: c.now });
    await push(store, { ...b, runId: 'r1', complete: true }, { now: c.now });
    expect(counted()).toBe(2);
    const seq = await store.latestSeq();

    const t1 = c.advance(60_000);
    const again = await push(store, { ...a, runId: 'r2' }, { now: () => t1 });
    expect(counted()).toBe(0);
    expect(!again.dryRun && again.result).toMatchObject({ cis: { created: 0, updated: 0, unchanged: 2, retired: 0 }, relations: { created: 0, updated: 0, unchanged: 1, retired: 0 } });
    expect(!again.dryRun && again.event).toBeNull();
    expect(await store.latestSeq()).toBe(seq);
    expect(await sourcesOf('checkout')).toEqual([{ source: 'kubernetes', runId: 'r2', lastSeen: t1 }]);
    const checkout = (await store.listCis({ limit: 10, q: 'checkout' })).items[0];
    expect(Object.fromEntries(await store.lastSeen([checkout.id]))).toEqual({ [checkout.id]: t1 });
    expect(checkout.version).toBe(1);

    // r2 completes without b: ledger and the relation to it retire, as item by item.
    const done = await push(store, { ...a, runId: 'r3', complete: true, force: true }, { now: c.now });
    expect(counted()).toBe(0);
    expect(!done.dryRun && done.result).toMatchObject({ cis: { unchanged: 2, retired: 1 }, relations: { unchanged: 1, retired: 1 }, runCompleted: true });
    expect(await names()).toEqual(['checkout', 'payments']);
    expect(await store.relationsOf([checkout.id])).toHaveLength(1);
  });

  it('goes item by item when another source asserts one of its CIs, or the source changed one since', async () => {
    const a = { ...scope, cis: [svc('checkout', { owner: 'shop' }), svc('payments')], relations: [dep('checkout', 'payments')] };
    await push(store, { ...a, runId: 'r1' }, { now: c.now });
    await push(store, { source: 'backstage', cis: [svc('payments', { owner: 'finance' })] }, { now: c.now });
    counted();
    const t1 = c.advance(60_000);
    await push(store, { ...a, runId: 'r2' }, { now: () => t1 });
    expect(counted()).toBe(1);
    expect((await sourcesOf('payments')).map((s) => s.source).sort()).toEqual(['backstage', 'kubernetes']);

    // The same source says something else about checkout in another batch; the first batch, re-sent, says it back.
    await push(store, { ...scope, runId: 'r2', cis: [svc('cart'), svc('checkout', { owner: 'payments-team' })] }, { now: c.now });
    expect((await store.listCis({ limit: 10, q: 'checkout' })).items[0].owner).toBe('payments-team');
    counted();
    const back = await push(store, { ...a, runId: 'r3' }, { now: c.now });
    expect(counted()).toBe(1);
    expect(!back.dryRun && back.result.cis.updated).toBe(1);
    expect((await store.listCis({ limit: 10, q: 'checkout' })).items[0].owner).toBe('shop');
  });

  it('goes item by item again for a CI retired since, and brings it back', async () => {
    const a = { ...scope, cis: [svc('payments'), svc('checkout')] };
    await push(store, { ...a, runId: 'r1', complete: true }, { now: c.now });
    await push(store, { ...scope, runId: 'r2', complete: true, force: true, cis: [svc('checkout')] }, { now: c.now });
    expect(await names()).toEqual(['checkout']);
    counted();
    const back = await push(store, { ...a, runId: 'r3' }, { now: c.now });
    expect(counted()).toBe(1);
    expect(!back.dryRun && back.result.cis).toMatchObject({ updated: 1, unchanged: 1 });
    expect(await names()).toEqual(['checkout', 'payments']);
  });

  it('answers exactly as item by item over runs of a generated estate (duplicate items, edits, a completion that retires)', async () => {
    const estate = generateEstate({ cis: 400, seed: 3 });
    const key = (r: { class: string; name?: string; environment?: string }) => `${r.class}|${r.environment ?? ''}|${r.name}`;
    const batchOf = new Map(estate.cis.map((x, i) => [key(x), Math.floor(i / 100)]));
    const batches = Array.from({ length: Math.ceil(estate.cis.length / 100) }, (_, b) => ({ cis: estate.cis.slice(b * 100, (b + 1) * 100), relations: [] as typeof estate.relations }));
    for (const r of estate.relations) batches[Math.max(batchOf.get(key(r.from as never))!, batchOf.get(key(r.to as never))!)].relations.push(r);
    // Run 1 first load, run 2 unchanged, run 3 edits one CI of batch 1 and leaves the last batches out (completing with force), run 4 as run 2.
    const runs = [
      batches, batches,
      batches.slice(0, 3).map((b, i) => (i === 1 ? { ...b, cis: b.cis.map((x, j) => (j === 0 ? { ...x, attributes: { ...x.attributes, edited: true } } : x)) } : b)),
      batches,
    ];
    const plain = new SqliteStore({ file: ':memory:' });
    await plain.init();
    const transact = plain.transact.bind(plain);
    plain.transact = ((fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => transact((tx) => fn(new Proxy(tx, {
      get(t, k) { return k === 'recallBatch' ? undefined : t[k as keyof BatchTx]; },
    })), o)) as typeof plain.transact;
    try {
      for (const [r, run] of runs.entries()) {
        for (const [i, b] of run.entries()) {
          const batch = { ...scope, runId: `r${r}`, complete: i === run.length - 1, force: true, ...b };
          const t = c.advance(60_000);
          const [fast, slow] = [await push(store, batch, { now: () => t }), await push(plain, batch, { now: () => t })];
          expect(fast.dryRun === false && { ...fast.result, seq: 0 }).toEqual(slow.dryRun === false && { ...slow.result, seq: 0 });
          // Ids are made per store: the records are compared without them.
          const records = (o: typeof fast) => (o.dryRun ? [] : o.event?.changes ?? []).map((x) => ({
            kind: x.kind, ci: x.ci && { ...x.ci, id: '' }, relation: x.relation && { ...x.relation, id: '', from: '', to: '' },
          }));
          expect(records(fast)).toEqual(records(slow));
        }
      }
      expect(counted()).toBeLessThan(4 * runs.length);
      const state = async (s: SqliteStore) => {
        const cis = (await s.listCis({ limit: 1000, lifecycle: 'any' })).items;
        const details = await Promise.all(cis.map((x) => s.getCiDetail(x.id)));
        return details.map((d) => ({ ...d, id: '', relations: { in: d!.relations.incoming.length, out: d!.relations.outgoing.length } }));
      };
      expect(await state(store)).toEqual(await state(plain));
    } finally {
      await plain.close();
    }
  });
});
