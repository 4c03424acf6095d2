import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtlpReceiver, defaultOtlpSettings, otlpSettingsFromEnv } from '../../server/otlp/receiver.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { defaultLimits } from '../../server/model/limits.ts';

const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });
const END = '1711138247116321958';
/** One request from `caller` with a client span per callee, and one from each callee answering it. */
function calls(caller: string, callees: string[], trace: string) {
  const clientSpans = callees.map((_, i) => ({ traceId: trace, spanId: (i + 1).toString(16).padStart(16, '0'), kind: 3, endTimeUnixNano: END }));
  return [
    { resourceSpans: [{ resource: { attributes: [attr('service.name', caller)] }, scopeSpans: [{ spans: clientSpans }] }] },
    ...callees.map((callee, i) => ({
      resourceSpans: [{ resource: { attributes: [attr('service.name', callee)] }, scopeSpans: [{ spans: [{ traceId: trace, spanId: (100 + i).toString(16).padStart(16, '0'), parentSpanId: clientSpans[i].spanId, kind: 2, endTimeUnixNano: END }] }] }],
    })),
  ];
}

describe('OtlpReceiver', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-otlp-'));
    store = new SqliteStore({ file: join(dir, 'sg.db'), synchronous: 'NORMAL' });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const relationCount = async () => {
    const { items } = await store.listCis({ limit: 1000 });
    return new Set((await store.relationsOf(items.map((c) => c.id))).map((r) => r.id)).size;
  };

  it('splits a flush into batches within the ingest limits, each carrying the CIs its edges name', async () => {
    const limits = { ...defaultLimits, batchCis: 4, batchRelations: 2 };
    const receiver = new OtlpReceiver({ store, limits, maxRetireShare: 0.2, settings: defaultOtlpSettings });
    for (const body of calls('gateway', ['a', 'b', 'c', 'd', 'e'], 'f'.repeat(32))) receiver.accept(body);
    await receiver.flush();
    expect(receiver.stats()).toMatchObject({ spans: 10, paired: 5, flushes: 1, failedFlushes: 0 });
    expect(await relationCount()).toBe(5);
  });

  it('flushes by itself once flushSpans spans were folded, and adds counts up across flushes', async () => {
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, flushSpans: 4 } });
    for (const trace of ['1'.repeat(32), '2'.repeat(32)]) {
      for (const body of calls('web', ['cart', 'auth'], trace)) receiver.accept(body);
      await receiver.flush(); // joins the flush the fourth span started
    }
    expect(receiver.stats().flushes).toBe(2);
    const web = (await store.listCis({ q: 'web', limit: 10 })).items.find((c) => c.name === 'web')!;
    const rels = await store.relationsOf([web.id]);
    expect(rels.map((r) => r.observed?.calls)).toEqual([2, 2]);
  });

  it('keeps spans waiting for a partner until the pairing window passes, then settles them', async () => {
    let now = 1_000_000;
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, pairWindowMs: 30_000 }, now: () => now });
    const [caller] = calls('web', ['db'], 'a'.repeat(32));
    const span = caller.resourceSpans[0].scopeSpans[0].spans[0] as Record<string, unknown>;
    span.attributes = [attr('db.system', 'postgresql'), attr('server.address', 'orders-db')];
    receiver.accept(caller);
    await receiver.flush();
    expect(await relationCount()).toBe(0);
    now += 31_000;
    await receiver.flush();
    expect(await relationCount()).toBe(1);
    expect(receiver.stats()).toMatchObject({ virtual: 1, pendingSpans: 0 });
  });

  it('keeps the counts of a flush the store refused and writes them with the next one', async () => {
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: defaultOtlpSettings });
    for (const body of calls('web', ['cart'], '3'.repeat(32))) receiver.accept(body);
    const transact = store.transact.bind(store);
    store.transact = async () => { throw new Error('database is locked'); };
    const quiet = console.error;
    console.error = () => {};
    try {
      await receiver.flush();
    } finally {
      console.error = quiet;
      store.transact = transact;
    }
    expect(receiver.stats()).toMatchObject({ failedFlushes: 1, lastError: 'database is locked', heldEdges: 1 });
    for (const body of calls('web', ['cart'], '4'.repeat(32))) receiver.accept(body);
    await receiver.flush();
    const web = (await store.listCis({ q: 'web', limit: 10 })).items.find((c) => c.name === 'web')!;
    expect((await store.relationsOf([web.id])).map((r) => r.observed?.calls)).toEqual([2]);
  });

  it('reads its settings from SERVICEGRAPH_OTLP_* variables', () => {
    expect(otlpSettingsFromEnv({ SERVICEGRAPH_OTLP_FLUSH_MS: '500', SERVICEGRAPH_OTLP_MAX_PENDING: '10' })).toMatchObject({ flushMs: 500, maxPending: 10, maxEdges: defaultOtlpSettings.maxEdges });
  });
});
