import { describe, it, expect } from 'vitest';
import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { IngestBatch } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { fakeTx, offlineNeo4jStore } from './neo4j-fake-tx.ts';

/**
 * What the Neo4j adapter does about consistency, checked against a recording transaction (no server):
 * where start-up reads go, and what a write transaction reads under its lock before it writes.
 */
async function recordingStore(answers: Parameters<typeof fakeTx>[0] = {}) {
  const fake = fakeTx(answers);
  const store = await offlineNeo4jStore(fake.tx);
  const modes: { mode: string; first: string | undefined }[] = [];
  const s = store as unknown as { session: (mode: string, work: (tx: ManagedTransaction) => Promise<unknown>) => Promise<unknown> };
  s.session = async (mode, work) => {
    const before = fake.calls.length;
    const out = await work(fake.tx);
    modes.push({ mode, first: fake.calls[before]?.name });
    return out;
  };
  return { store, fake, modes };
}

const batch = IngestBatch.parse({ source: 'a', runId: 'r1', cis: [{ class: 'service', name: 'x', environment: 'prod' }] });
const opts = { limits: defaultLimits, maxRetireShare: 0.2 };

describe('Neo4j start-up reads on a cluster (no server)', () => {
  it('reads latestSeq and the live projection on the leader, so no page comes from a member behind that seq', async () => {
    const { store, modes } = await recordingStore({ 'latest-seq': () => [{ seq: 5 }] });
    expect(await store.latestSeq()).toBe(5);
    for await (const _ of store.streamTopology()) { /* drain */ }
    expect(modes.map((m) => `${m.first}:${m.mode}`)).toEqual([
      `latest-seq:${neo4j.session.WRITE}`, `topology-cis:${neo4j.session.WRITE}`, `topology-relations:${neo4j.session.WRITE}`,
    ]);
    await store.close();
  });

  it('reads an as-of projection and everything else where the driver routes reads', async () => {
    const { store, modes } = await recordingStore();
    for await (const _ of store.streamTopology('2026-01-01T00:00:00.000Z')) { /* drain */ }
    await store.eventsSince(0, 10);
    await store.listCis({ limit: 10 });
    expect(new Set(modes.map((m) => m.mode))).toEqual(new Set([neo4j.session.READ]));
    await store.close();
  });
});

describe('a Neo4j write transaction (no server)', () => {
  it('takes the lock first and stamps the batch no earlier than the instant the lock query read', async () => {
    const last = '2026-03-01T00:00:00.000Z';
    const { store, fake } = await recordingStore({ 'lock-writes': () => [{ locked: 1, lastBatchAt: last }], 'append-event': () => [{ seq: 1 }] });
    const out = await ingest(store, batch, { ...opts, now: () => '2026-01-01T00:00:00.000Z' });
    expect(!out.dryRun && out.event?.at).toBe(last);
    expect(fake.calls[0].name).toBe('lock-writes');
    expect(fake.calls.find((c) => c.name === 'set-last-batch-at')!.params).toEqual({ now: last });
    expect(fake.calls.find((c) => c.name === 'remember-idempotency')!.params).toMatchObject({ createdAt: last, expiresAt: '2026-03-02T00:00:00.000Z' });
    expect(fake.problems).toEqual([]);
    await store.close();
  });

  it('answers a replayed batch from its idempotency record and sends no write after the lookup', async () => {
    const result = { runId: 'r1', seq: 9, cis: { created: 1, updated: 0, unchanged: 0, retired: 0 }, relations: { created: 0, updated: 0, unchanged: 0, retired: 0 }, runCompleted: false };
    const rec = { key: 'k', fingerprint: 'f', result: JSON.stringify(result), createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' };
    const { store, fake } = await recordingStore({ 'lock-writes': () => [{ locked: 1, lastBatchAt: null }], 'recall-idempotency': () => [{ rec }] });
    const out = await ingest(store, batch, { ...opts, idempotency: { key: 'k', fingerprint: 'f' } });
    expect(out).toMatchObject({ dryRun: false, replayed: true, result });
    expect(fake.calls.map((c) => c.name)).toEqual(['lock-writes', 'recall-idempotency']);
    await store.close();
  });
});

describe('other Neo4j transaction functions run twice (no server)', () => {
  it('an appended event found under its key is not appended again', async () => {
    const rec = { key: 'event:x', fingerprint: '', result: JSON.stringify({ seq: 41 }), createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' };
    const { store, fake } = await recordingStore({ 'recall-idempotency': () => [{ rec }] });
    expect(await store.appendEvent({ at: '2026-01-01T00:00:00.000Z', source: null, changes: [] })).toBe(41);
    expect(fake.calls.map((c) => c.name)).toEqual(['recall-idempotency']);
    await store.close();
  });

  it('an event appended for the first time is kept under its key in the same transaction', async () => {
    const { store, fake } = await recordingStore({ 'append-event': () => [{ seq: 42 }] });
    expect(await store.appendEvent({ at: '2026-01-01T00:00:00.000Z', source: null, changes: [] })).toBe(42);
    expect(fake.calls.map((c) => c.name)).toEqual(['recall-idempotency', 'append-event', 'purge-idempotency', 'remember-idempotency']);
    const key = fake.calls[0].params.key;
    expect(fake.calls[3].params).toMatchObject({ key, result: '{"seq":42}' });
    expect(fake.problems).toEqual([]);
    await store.close();
  });
});
