import { describe, it, expect } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { createBatchWriter } from '../../server/ingest/batch-writer.ts';
import type { ChangeFeed } from '../../server/live/change-feed.ts';
import type { BatchTx } from '../../server/store/port.ts';
import { IngestBatch } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { rawContentDigest } from '../../server/domain/reconcile/sighting.ts';

const feed = { offer() { /* no live readers here */ } } as unknown as ChangeFeed;
const batch = IngestBatch.parse({ source: 'kubernetes', scope: 'prod', cis: [{ class: 'service', name: 'checkout', environment: 'prod' }] });
const digest = rawContentDigest(Buffer.from(JSON.stringify(batch.cis)), null);

describe('batch writer: content it remembers as seen', () => {
  it('is content written to a store that recognises batches whole, and only that', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    await store.init();
    const writer = () => createBatchWriter({ store, feed, limits: defaultLimits, maxRetireShare: 0.2, idempotencyTtlMs: 60_000 });
    try {
      const recognising = writer();
      await recognising.write(batch, { contentDigest: digest });
      expect(recognising.seen(digest)).toBeDefined();
      // The same store without recallBatch (as the Neo4j store is): a re-sent body is parsed before its transaction, as ever.
      const transact = store.transact.bind(store);
      store.transact = ((fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => transact((tx) => fn(new Proxy(tx, {
        get(t, k) { return k === 'recallBatch' ? undefined : t[k as keyof BatchTx]; },
      })), o)) as typeof store.transact;
      const plain = writer();
      await plain.write(batch, { contentDigest: digest });
      expect(plain.seen(digest)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
