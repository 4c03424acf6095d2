import { describe, it, expect, afterAll } from 'vitest';
import type { ManagedTransaction } from 'neo4j-driver';
import type { Neo4jStore } from '../../server/store/neo4j/index.ts';
import { neo4jBatchTx } from '../../server/store/neo4j/batch-tx.ts';
import { queryNames, type QueryName } from '../../server/store/neo4j/queries.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { IngestBatch } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { fakeTx, offlineNeo4jStore } from './neo4j-fake-tx.ts';

const now = '2026-01-01T00:00:00.000Z';
const ciProps = { id: 'ci-1', class: 'service', name: 'checkout', environment: 'prod', lifecycle: 'active', attributes: '{}', identifiers: '{}', version: 1, validFrom: now };
const versionProps = { ciId: 'ci-1', version: 1, validFrom: now, data: JSON.stringify({ class: 'service', name: 'checkout', environment: 'prod', tier: null, owner: null, lifecycle: 'active', attributes: {}, identifiers: {} }) };

/** Canned answers: enough rows for every code path to go one step further than "nothing found". */
const answers: Parameters<typeof fakeTx>[0] = {
  'ci-detail': () => [{ ci: ciProps, sources: [], history: [versionProps] }],
  'ci-status': (p) => (p.ids as string[]).filter((id) => id === 'ci-1').map((id) => ({ id, name: 'checkout', lifecycle: 'active' })),
  'topology-cis': (p) => (p.after === '' ? [{ id: 'ci-1', class: 'service', name: 'checkout', environment: 'prod', tier: null, owner: null, attributes: '{}' }] : []),
  'topology-relations': (p) => (p.after === '' ? [{ id: 'ci-1', rels: [{ id: 'rel-1', type: 'DEPENDS_ON', to: 'ci-2', redundancy: null }] }] : []),
  'topology-size': (p) => [{ cis: 1, relations: (p.types as string[]).length ? 1 : 0 }],
  'topology-cis-as-of': (p) => (p.afterId === '' ? [{ v: versionProps }] : []),
  'diff-ci-ids': () => [{ id: 'ci-1' }],
  'diff-cis': (p) => (p.ids as string[]).map((id) => ({ id, before: [], after: [versionProps] })),
  'diff-relation-ids': () => [{ id: 'rel-1' }],
  'diff-relations': (p) => (p.ids as string[]).map((id) => ({ id, before: [], after: [] })),
  'latest-seq': () => [{ seq: 3 }], 'append-event': () => [{ seq: 4 }], 'count-tokens': () => [{ n: 0 }], 'lock-writes': () => [{ locked: 1 }],
  'server-version': () => [{ name: 'Neo4j Kernel', version: '5.26.0', edition: 'community' }],
  'create-relations': (p) => [{ written: (p.rows as unknown[]).length }],
  'update-relations': (p) => [{ written: (p.rows as unknown[]).length }],
  'update-cis': (p) => [{ written: (p.rows as unknown[]).length }],
};

const used = new Set<QueryName | 'schema'>();
const problems: string[] = [];

/** A Neo4jStore run against the recording transaction; every call's name and parameter problems are kept. */
async function offlineStore(): Promise<{ store: Neo4jStore; tx: ManagedTransaction }> {
  const fake = fakeTx(answers);
  const origRun = fake.tx.run.bind(fake.tx);
  (fake.tx as unknown as { run: typeof origRun }).run = (async (text: string, params?: Record<string, unknown>) => {
    const out = await origRun(text as never, params as never);
    used.add(fake.calls[fake.calls.length - 1].name);
    problems.push(...fake.problems.splice(0));
    return out;
  }) as never;
  return { store: await offlineNeo4jStore(fake.tx), tx: fake.tx };
}

const { store, tx } = await offlineStore();

describe('every query is sent with exactly the parameters it uses (no server)', () => {
  afterAll(() => store.close());

  it('init: version check, schema, index wait, counter', async () => {
    await store.init();
  });

  it('the ingest path: identification reads and the write', async () => {
    const batch = IngestBatch.parse({
      source: 'kubernetes', scope: 'c1', runId: 'r1', complete: true,
      cis: [{ class: 'service', name: 'checkout', environment: 'prod' }, { class: 'host', name: 'h1', identifiers: { fqdn: 'h1.example.com' } }],
      relations: [{ type: 'RUNS_ON', from: { class: 'service', name: 'checkout', environment: 'prod' }, to: { class: 'host', identifiers: { fqdn: 'h1.example.com' } } }],
    });
    const out = await ingest(store, batch, { limits: defaultLimits, maxRetireShare: 0.2, now: () => now });
    expect(!out.dryRun && out.result.seq).toBe(4);
    const dry = await ingest(store, batch, { limits: defaultLimits, maxRetireShare: 0.2, now: () => now, dryRun: true });
    expect(dry.dryRun).toBe(true);
  });

  it('the BatchTx reads the ingest path does not reach with empty answers', async () => {
    const b = neo4jBatchTx(tx);
    // Not reached by the batch above: a relation with an end its batch creates is never looked up.
    await b.loadRelations([{ from: 'ci-1', type: 'DEPENDS_ON', to: 'ci-2' }]);
    await b.loadRelationsById(['rel-1']);
    await b.relationsTouching(['ci-1']);
    await b.relationsTouching(['ci-1'], 200);
    await b.getRun('r1');
    await b.scopeStale!('otel', 'live', now, 200);
    await b.loadCis(['ci-1']);
    expect(await b.ciStatus!(['ci-1'])).toEqual(new Map([['ci-1', { name: 'checkout', lifecycle: 'active' }]]));
    expect((await b.ciStatus!([])).size).toBe(0);
    const ci = { id: 'ci-1', class: 'service', name: 'checkout', environment: 'prod', tier: null, owner: null, lifecycle: 'active' as const, attributes: {}, identifiers: {}, version: 2, validFrom: now, validTo: null };
    const rel = { id: 'rel-1', type: 'DEPENDS_ON', from: 'ci-1', to: 'ci-2', attributes: {}, redundancy: null, provenance: ['declared' as const], observed: null, version: 2, validFrom: now, validTo: now };
    await b.write({
      now, source: 'k', keys: [], event: null,
      cis: [{ index: 0, action: 'update', matchedBy: null, record: ci, previous: null, assertions: [], newKeys: [] }],
      relations: [{ index: 0, action: 'retire', record: rel, previous: null, assertions: [], touchOnly: false }],
      run: { runId: 'r', source: 'k', scope: 's', startedAt: now, lastBatchAt: now, completedAt: null, batches: 1 },
    });
  });

  it('reads, history, topology, events, tokens and documents', async () => {
    await store.getCi('ci-1');
    await store.getCi('ci-1', now);
    await store.getCis(['ci-1'], now);
    await store.getCiDetail('ci-1');
    await store.listCis({ limit: 10 });
    await store.listCis({ limit: 10, class: ['service'], q: 'Check', environment: 'prod', owner: 'x', lifecycle: 'any', cursor: Buffer.from('["a","b"]').toString('base64url') });
    await store.relationsOf(['ci-1']);
    await store.relationsFrom(['ci-1']);
    await store.relationsOf(['ci-1'], now);
    await store.relationsOf(['ci-1'], undefined, 10);
    await store.relationsOf(['ci-1'], now, 10);
    await store.relationsAmong(['ci-1', 'ci-2']);
    await store.relationsAmong(['ci-1', 'ci-2'], now, 10);
    await store.lastSeen(['ci-1', 'ci-2']);
    expect((await store.diff(now, now, 10)).cis.added).toHaveLength(1);
    for await (const _ of store.streamTopology()) { /* drain */ }
    for await (const _ of store.streamTopology(now, 5)) { /* drain */ }
    expect(await store.topologySize()).toEqual({ cis: 1, relations: 1 });
    await store.eventsSince(0, 10);
    expect(await store.latestSeq()).toBe(3);
    expect(await store.appendEvent({ at: now, source: null, changes: [] })).toBe(4);
    await store.createToken({ id: 't', hash: 'h', name: 'n', role: 'admin', createdAt: now });
    await store.findToken('h');
    await store.countTokens();
    await store.listTokens();
    await store.touchToken('t', now);
    await store.revokeToken('t');
    await store.putDoc({ kind: 'incident', id: 'i', createdAt: now, updatedAt: now, data: {} });
    await store.getDoc('incident', 'i');
    await store.listDocs('incident');
    await store.commitRecord({ doc: { kind: 'change', id: 'c', createdAt: now, updatedAt: now, data: {} }, ifUpdatedAt: null, entries: [{ recordId: 'c', id: 'e', at: now, kind: 'created', data: {} }], event: { at: now, source: null, changes: [] } });
    await store.listEntries('c', 10);
  });

  it('alerts: the write (alerts, situation documents, event) and the current and as-of reads', async () => {
    const alert = {
      id: 'alr-1', source: 'alertmanager', fingerprint: 'f', name: 'TargetDown', status: 'firing' as const, severity: 'warning', health: 'degraded' as const,
      labels: {}, annotations: {}, startsAt: now, endsAt: null, generatorURL: null, binding: { ci: 'ci-1', name: 'checkout', class: 'service', rule: 'service-name', reason: 'r' },
      expected: null, situation: 'sit-1', firstReceivedAt: now, lastReceivedAt: now, updatedAt: now,
    };
    const situation = {
      id: 'sit-1', status: 'open' as const, openedAt: now, updatedAt: now, resolvedAt: null, cause: { ci: 'ci-1', name: 'checkout', class: 'service', recentChanges: [] },
      alerts: ['alr-1'], mergedInto: null, incident: null, proposeResolveIncident: false, timeline: [],
    };
    expect(await store.writeAlerts({ now, alerts: [alert], situations: [situation], event: { at: now, source: 'alerts', changes: [{ kind: 'alert.changed', ref: 'alr-1' }] } })).toBe(4);
    await store.listAlerts({ limit: 10 });
    await store.listAlerts({ limit: 10, status: 'firing', bound: true, ids: ['alr-1'] });
    await store.listAlerts({ limit: 10, asOf: now, status: 'firing', bound: false });
  });

  it('found no parameter mismatch, and reached every query but the migration, test and benchmark ones', () => {
    expect(problems).toEqual([]);
    const notHere = new Set<QueryName>(['delete-all', 'get-checkpoints', 'save-checkpoint', 'import-events', 'events-taken', 'merge-tokens', 'count-all', 'bench-reachability']);
    expect(queryNames.filter((n) => !used.has(n) && !notHere.has(n))).toEqual([]);
    expect(used.has('schema')).toBe(true);
  });
});

describe('a store whose event counter is missing (init() never ran)', () => {
  it('refuses to write instead of writing without the store-wide lock or an event number', async () => {
    const fake = fakeTx({ 'lock-writes': () => [{ locked: 0 }], 'append-event': () => [] });
    const offline = await offlineNeo4jStore(fake.tx);
    const batch = IngestBatch.parse({ source: 'a', cis: [{ class: 'service', name: 'x', environment: 'prod' }] });
    await expect(ingest(offline, batch, { limits: defaultLimits, maxRetireShare: 0.2, now: () => now })).rejects.toThrow(/event counter .* is missing/);
    expect(fake.calls.map((c) => c.name)).toEqual(['lock-writes']);
    await expect(offline.appendEvent({ at: now, source: null, changes: [] })).rejects.toThrow(/event counter .* is missing/);
    await offline.close();
  });
});
