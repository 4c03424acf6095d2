import { describe, it, expect, afterEach } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { openSqliteExport, type ExportTable } from '../../server/store/sqlite/export-rows.ts';
import type { BatchTx, WritePlan } from '../../server/store/port.ts';
import { nextPart, retireStale } from '../../server/ingest/retire-stale.ts';
import { clock, push } from '../store/contract.ts';

const svc = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });
const DEPENDENTS = 60;

/**
 * A hub the live source `otel` alone asserts, with DEPENDENTS dependents a collector (`k8s`) asserts with their edges to
 * it; the hub's own edges out (one asserted by otel itself, one by k8s); a CI both sources assert (it stays) and a
 * small stale CI of otel's. Written to a file, so that one estate can be swept several ways from copies of it.
 */
async function hubEstate(file: string, c: ReturnType<typeof clock>) {
  const store = new SqliteStore({ file });
  await store.init();
  await push(store, {
    source: 'otel', scope: 'live', runId: 'o1', cis: [svc('hub'), svc('shared'), svc('lonely'), svc('db')],
    relations: [{ type: 'DEPENDS_ON', from: svc('hub'), to: svc('db') }, { type: 'DEPENDS_ON', from: svc('lonely'), to: svc('hub') }],
  }, { now: () => c.advance(1000) });
  const deps = Array.from({ length: DEPENDENTS }, (_, i) => `dep-${i}`);
  await push(store, {
    source: 'k8s', scope: 'prod', runId: 'k1', cis: [...deps.map(svc), svc('shared'), svc('cache')],
    relations: [...deps.map((d) => ({ type: 'DEPENDS_ON' as const, from: svc(d), to: svc('hub') })), { type: 'DEPENDS_ON', from: svc('hub'), to: svc('cache') }],
  }, { now: () => c.advance(1000) });
  await store.close();
}

/** What a sweep leaves that must not depend on how it was cut into parts: every row but the runs and events. */
function rows(file: string) {
  const x = openSqliteExport(file);
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of ['cis', 'ci_versions', 'ci_keys', 'relations', 'relation_versions', 'assertions'] satisfies ExportTable[]) out[t] = x.page(t, null, 100_000);
    return out;
  } finally {
    x.close();
  }
}

/** The store's writes (every plan), and after each transaction the live relations with a retired end. */
function watch(store: SqliteStore, opts: { failAfter?: number } = {}) {
  const seen = { plans: [] as WritePlan[], danglingAfter: [] as number[] };
  const transact = store.transact.bind(store);
  store.transact = (async (fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => {
    // A crash between parts: the process dies before the next transaction starts.
    if (!o?.readOnly && opts.failAfter !== undefined && seen.plans.length >= opts.failAfter) throw new Error('crashed');
    const out = await transact((tx) => fn({ ...tx, write: (plan) => { seen.plans.push(plan); return tx.write(plan); } }), o);
    const cis = (await store.listCis({ limit: 1000, lifecycle: 'any' })).items;
    const retired = new Set(cis.filter((x) => x.lifecycle === 'retired').map((x) => x.id));
    seen.danglingAfter.push((await store.relationsOf(cis.map((x) => x.id))).filter((r) => retired.has(r.from) || retired.has(r.to)).length);
    return out;
  }) as typeof store.transact;
  return seen;
}

/** A change without its sequence, comparable across stores that cut the same changes into different events. */
const changeKeys = (events: { changes: unknown[] }[]) => events.flatMap((e) => e.changes.map((x) => JSON.stringify(x))).sort();

describe('stale sweep of a hub', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  async function sweepCopy(estate: string, name: string, chunk: number, before: string, now: string, failAfter?: number) {
    const file = join(estate, '..', `${name}.db`);
    copyFileSync(estate, file);
    const store = new SqliteStore({ file });
    await store.init();
    const seq = await store.latestSeq();
    const seen = watch(store, { failAfter });
    let result: unknown;
    try {
      result = await retireStale(store, { source: 'otel', scope: 'live', before, chunk, now: () => now });
    } catch (e) {
      result = e;
    }
    const events = await store.eventsSince(seq, 10_000);
    const runs = (await store.transact((tx) => tx.getRun((seen.plans[0]?.run.runId) ?? ''), { readOnly: true }));
    const live = (await store.listCis({ limit: 1000 })).items.map((x) => x.name).sort();
    await store.close();
    return { file, result, seen, events, runs, live };
  }

  /** The hub estate in a file of its own, a minute after it was seen, and the sweep's cut-off. */
  async function staleHub() {
    const dir = mkdtempSync(join(tmpdir(), 'sg-hub-'));
    dirs.push(dir);
    const estate = join(dir, 'estate.db');
    const c = clock();
    await hubEstate(estate, c);
    const now = c.advance(60_000);
    // k8s was seen at +2 s, otel at +1 s: a sweep of what was last seen before +1.5 s drops otel's assertions only.
    return { estate, now, before: '2026-01-01T00:00:01.500Z' };
  }

  it('retires a hub over parts of its edges, then the hub: same rows and changes as one transaction, one run, never a dangling edge', async () => {
    const { estate, now, before } = await staleHub();
    const whole = await sweepCopy(estate, 'whole', 2000, before, now);
    const parts = await sweepCopy(estate, 'parts', 4, before, now);

    // 4 CIs stale; the hub, lonely and db retire (shared stays with k8s); their live edges: 60 + 2 + 2.
    expect(whole.result).toEqual({ cis: 3, relations: DEPENDENTS + 3 });
    expect(parts.result).toEqual(whole.result);
    expect(whole.seen.plans).toHaveLength(1);
    // Parts of at most 4 edges: at least 60 / 4 transactions before the hub goes, none writing a hub's every edge.
    expect(parts.seen.plans.length).toBeGreaterThanOrEqual(DEPENDENTS / 4);
    for (const p of parts.seen.plans) expect(p.cis.length + p.relations.length).toBeLessThanOrEqual(8);
    expect(parts.seen.danglingAfter.every((n) => n === 0)).toBe(true);
    // The hub goes in the last part, with what was left of its edges.
    expect(parts.seen.plans.at(-1)!.cis.filter((i) => i.action === 'retire').map((i) => i.record.name).sort()).toEqual(['db', 'hub', 'lonely']);
    expect(parts.seen.plans.slice(0, -1).every((p) => p.cis.length === 0)).toBe(true);

    // Same rows (records, versions, assertions, keys) and the same changes, cut into more events.
    expect(rows(parts.file)).toEqual(rows(whole.file));
    expect(parts.events.length).toBe(parts.seen.plans.length);
    expect(changeKeys(parts.events)).toEqual(changeKeys(whole.events));
    expect(parts.live).toEqual(whole.live);
    expect(parts.live).toContain('shared');
    expect(parts.live).not.toContain('hub');

    // One run for the whole sweep, its batches the parts.
    expect(new Set(parts.seen.plans.map((p) => p.run.runId)).size).toBe(1);
    expect(parts.runs).toMatchObject({ source: 'otel', scope: 'live', batches: parts.seen.plans.length, startedAt: now, completedAt: now });
    expect(whole.runs).toMatchObject({ batches: 1 });
  });

  it('stopped between parts, leaves the hub live and stale with fewer edges; the next sweep ends where one transaction would', async () => {
    const { estate, now, before } = await staleHub();
    const whole = await sweepCopy(estate, 'whole', 2000, before, now);

    const cut = await sweepCopy(estate, 'cut', 4, before, now, 5);
    expect((cut.result as Error).message).toBe('crashed');
    expect(cut.seen.plans).toHaveLength(5);
    expect(cut.seen.danglingAfter.every((n) => n === 0)).toBe(true);
    // The hub is still live (its assertion still active: stale), with its edges retired so far gone with their versions.
    expect(cut.live).toContain('hub');
    const after = rows(cut.file);
    const retired = (after.relations as { valid_to: unknown }[]).filter((r) => r.valid_to !== null).length;
    expect(retired).toBeGreaterThan(0);
    expect(retired).toBeLessThan(DEPENDENTS);
    expect((after.relation_versions as { valid_to: unknown }[]).filter((v) => v.valid_to !== null).length).toBe(retired);

    // Swept again from the cut store: the same rows as the sweep in one transaction, and together the same changes.
    const store = new SqliteStore({ file: cut.file });
    await store.init();
    expect(await retireStale(store, { source: 'otel', scope: 'live', before, chunk: 4, now: () => now })).toEqual({ cis: 3, relations: DEPENDENTS + 3 - retired });
    const events = await store.eventsSince(0, 10_000);
    await store.close();
    expect(rows(cut.file)).toEqual(rows(whole.file));
    const sweepEvents = events.filter((e) => e.at === now);
    expect(changeKeys(sweepEvents)).toEqual(changeKeys(whole.events));
  });

  it('sizes the next part by how long the last took, at most doubling or halving, within bounds', () => {
    expect(nextPart(200, 50, 50, 2000)).toBe(200);
    expect(nextPart(200, 10, 50, 2000)).toBe(400);
    expect(nextPart(200, 1000, 50, 2000)).toBe(100);
    expect(nextPart(1500, 1, 50, 2000)).toBe(2000);
    expect(nextPart(1, 1000, 50, 2000)).toBe(1);
    expect(nextPart(300, 0, 50, 2000)).toBe(600);
  });
});
