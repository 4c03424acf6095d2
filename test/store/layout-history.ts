import type { GraphStore } from '../../server/store/port.ts';
import { openSqliteExport, exportTables } from '../../server/store/sqlite/export-rows.ts';
import { retireStale } from '../../server/ingest/retire-stale.ts';
import { clock, push } from './contract.ts';

/**
 * A small history that exercises every part of an embedded store's layout: two sources asserting the same CI,
 * attributes sent out of key order and a CI sent twice in one batch (assertion values that are not the row's),
 * relations with redundancy, attributes and observations, edits, a completion that retires, a re-sync recognised
 * whole, a stale sweep and a restore. test/store/fixtures/layout-v21.db.gz is this history written by the layout
 * of stop 21 (text timestamps, full assertion values, plain batch targets); `answers` is everything a store
 * answers about it, recorded then in layout-v21.answers.json.gz; layout-v22.* are the same for stop 22's compact layout.
 */
const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });
const ref = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });

export async function writeHistory(store: GraphStore): Promise<string[]> {
  const c = clock();
  const at: string[] = [];
  const step = () => { const t = c.advance(60_000); at.push(t); return { now: () => t }; };
  const k8s = (runId: string, cis: object[], relations: object[] = []) =>
    ({ source: 'kubernetes', scope: 'prod', runId, complete: true, force: true, cis, relations } as never);
  const first = [
    svc('checkout', { tier: 1, attributes: { zone: 'b', image: 'checkout:1' } }),
    svc('payments', { owner: 'pay-team', identifiers: { repo: 'git@x:payments' } }),
    svc('ledger', { attributes: { engine: 'pg' } }),
    svc('search'),
    svc('checkout', { attributes: { replicas: 3 } }),
  ];
  const rels = [
    { type: 'DEPENDS_ON', from: ref('checkout'), to: ref('payments'), redundancy: { group: 'pay', minUp: 1 } },
    { type: 'DEPENDS_ON', from: ref('payments'), to: ref('ledger'), attributes: { port: 5432 } },
    { type: 'DEPENDS_ON', from: ref('checkout'), to: ref('search') },
  ];
  await push(store, k8s('r1', first, rels), step());
  await push(store, { source: 'backstage', scope: 'default', runId: 'b1', cis: [svc('checkout', { owner: 'web-team', tier: 2 }), svc('catalog')],
    relations: [{ type: 'DEPENDS_ON', from: ref('catalog'), to: ref('search') }, { type: 'DEPENDS_ON', from: ref('checkout'), to: ref('payments'), provenance: 'manual' }] } as never, step());
  const second = [svc('checkout', { tier: 1, attributes: { zone: 'a', image: 'checkout:2' } }), first[1], first[3]];
  await push(store, k8s('r2', second, [rels[0], rels[2]]), step());
  await push(store, k8s('r3', second, [rels[0], rels[2]]), step());
  await push(store, { source: 'otel', scope: 'traces', runId: 'o1',
    relations: [{ type: 'DEPENDS_ON', from: ref('payments'), to: ref('search'), observed: { calls: 5, errors: 1 } }] } as never, step());
  const sweepAt = step().now();
  await retireStale(store, { source: 'backstage', scope: 'default', before: sweepAt, now: () => sweepAt });
  await push(store, k8s('r4', [...second, first[2]], rels), step());
  await push(store, k8s('r5', [...second, first[2]], rels), step());
  return at;
}

/** Everything the store answers about what it holds, as plain JSON (every CI and relation, as of every step). */
export async function answers(store: GraphStore, file: string, at: string[]) {
  const ids = (await store.listCis({ limit: 1000, lifecycle: 'any' } as never)).items.map((x) => x.id).sort();
  const topology = async (asOf?: string) => {
    const out: unknown[] = [];
    for await (const chunk of store.streamTopology(asOf)) out.push(chunk);
    return out;
  };
  const instants = [at[0], ...at.map((t) => new Date(Date.parse(t) + 30_000).toISOString())];
  const exported = openSqliteExport(file);
  const tables: Record<string, unknown[]> = {};
  try {
    for (const { table } of exportTables) tables[table] = exported.page(table, null, 10_000);
  } finally {
    exported.close();
  }
  return {
    details: await Promise.all(ids.map((id) => store.getCiDetail(id))),
    asOf: await Promise.all(instants.map(async (t) => ({
      at: t, cis: await store.getCis(ids, t), relations: await store.relationsOf(ids, t), topology: await topology(t),
    }))),
    live: { relations: await store.relationsOf(ids), topology: await topology() },
    lastSeen: [...(await store.lastSeen(ids)).entries()].sort(),
    diffs: await Promise.all(instants.slice(1).map((t, i) => store.diff(instants[i], t, 1000))),
    events: await store.eventsSince(0, 1000),
    export: tables,
  };
}
