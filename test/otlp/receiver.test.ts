import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FoldBusyError, OtlpReceiver, defaultOtlpSettings, type RemoteFold } from '../../server/otlp/receiver.ts';
import { loadConfig } from '../../server/config.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { EdgeWriter } from '../../server/otlp/edge-writer.ts';
import { CreationBudget } from '../../server/otlp/creation-budget.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { IngestBatch } from '../../server/model/ingest.ts';

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

  it('API workers check spans and hand them to one fold, where the halves of a call taken by different workers pair', async () => {
    const fold = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: defaultOtlpSettings });
    let backedUp = false;
    // What server/otlp/group.ts does over the cluster's IPC channel: a copy of the spans, the fold's state back.
    const remote: RemoteFold = {
      send: (spans) => { if (backedUp) return false; fold.acceptFolded(JSON.parse(JSON.stringify(spans))); return true; },
      state: () => fold.foldState(),
    };
    const workers = [0, 1].map(() => new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: defaultOtlpSettings, remote }));
    const [client, server] = calls('web', ['api'], 'e'.repeat(32));
    expect(workers[0].accept(client)).toEqual({ accepted: 1, rejected: 0 });
    expect(workers[1].accept(server)).toEqual({ accepted: 1, rejected: 0 });
    await fold.flush();
    expect(await relationCount()).toBe(1);
    // Each worker counts the requests it took; the fold's figures are the group's.
    expect(workers[0].stats()).toMatchObject({ requests: 1, acceptedSpans: 1, spans: 2, paired: 1, flushes: 1, edgesWritten: 1 });
    // A fold that is not keeping up: the request is refused whole (retryable), nothing counted as accepted.
    backedUp = true;
    expect(() => workers[0].accept(calls('web', ['api'], 'd'.repeat(32))[0])).toThrow(FoldBusyError);
    expect(workers[0].stats()).toMatchObject({ requests: 1, acceptedSpans: 1 });
    await fold.stop();
  });

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

  it('reads its settings from SERVICEGRAPH_OTLP_* variables, and refuses a value that is not a whole number', () => {
    expect(loadConfig({ SERVICEGRAPH_OTLP_FLUSH_MS: '500', SERVICEGRAPH_OTLP_MAX_PENDING: '10' }).otlp).toMatchObject({ flushMs: 500, maxPending: 10, maxEdges: defaultOtlpSettings.maxEdges });
    expect(() => loadConfig({ SERVICEGRAPH_OTLP_MAX_NEW_CIS_PER_HOUR: 'lots' })).toThrow(/SERVICEGRAPH_OTLP_MAX_NEW_CIS_PER_HOUR="lots": must be a whole number/);
  });
});

describe('OtlpReceiver under bad input (issue 10: one span stopped the receiver for good)', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-otlp-bad-'));
    store = new SqliteStore({ file: join(dir, 'sg.db'), synchronous: 'NORMAL' });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const logLines = () => {
    const lines: { level: string; msg: string }[] = [];
    const at = (level: string) => (_o: unknown, msg?: string) => { lines.push({ level, msg: msg ?? '' }); };
    return { lines, logger: { warn: at('warn'), error: at('error'), info: at('info') } as never };
  };
  const edgesOf = async (name: string) => {
    const ci = (await store.listCis({ q: name, limit: 10 })).items.find((c) => c.name === name);
    return ci ? (await store.relationsOf([ci.id])).filter((r) => r.from === ci.id) : [];
  };
  const selfCall = (service: string, peer: string, trace: string) => ({
    resourceSpans: [{ resource: { attributes: [attr('service.name', service)] }, scopeSpans: [{ spans: [
      { traceId: trace, spanId: '00000000000000aa', kind: 3, endTimeUnixNano: END, attributes: [attr('peer.service', peer)] },
    ] }] }],
  });

  it('a client span whose peer.service names its own service is told back as a warning, and other services still get their edges', async () => {
    const { lines, logger } = logLines();
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, pairWindowMs: 0 }, logger });
    const reply = receiver.accept(selfCall('loop', 'loop', 'e'.repeat(32)));
    expect(reply).toMatchObject({ accepted: 1, rejected: 0, errorMessage: expect.stringContaining('cannot relate to itself') });
    await receiver.flush();
    for (const body of calls('web', ['cart'], '5'.repeat(32))) receiver.accept(body);
    await receiver.flush();
    await receiver.flush({ final: true });
    expect(receiver.stats()).toMatchObject({ failedFlushes: 0, edgesWritten: 1 });
    expect(await edgesOf('web')).toHaveLength(1);
    expect(await edgesOf('loop')).toHaveLength(0);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a service.name over the length limit rejects its spans in partialSuccess; the rest of the request is kept', async () => {
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: defaultOtlpSettings });
    const long = selfCall('x'.repeat(600), 'db', 'c'.repeat(32));
    long.resourceSpans.push(calls('web', ['cart'], '6'.repeat(32))[0].resourceSpans[0] as never);
    const reply = receiver.accept(long);
    expect(reply).toMatchObject({ accepted: 1, rejected: 1, errorMessage: expect.stringMatching(/^service.name "x{57}\.\.\.": name/) });
  });

  it('a flush writes every edge the store accepts and drops the refused ones, one log line per cause', async () => {
    const { lines, logger } = logLines();
    const budget = new CreationBudget(1000, 10_000, Date.now());
    const writer = new EdgeWriter({ store, limits: { ...defaultLimits, batchCis: 8, batchRelations: 4 }, maxRetireShare: 0.2, runId: 'otel-live-test', budget, now: Date.now });
    const svc = (name: string) => ({ class: 'service' as const, name, environment: 'test' });
    const edge = (from: string, to: string) => ({ from: svc(from), to: svc(to), calls: 1, errors: 0, lastSeenMs: Date.now(), evidence: 'parent' as const });
    const edges = [edge('a', 'b'), edge('loop', 'loop'), edge('c', 'd'), edge('e', 'x'.repeat(501)), edge('f', 'g'), edge('h', 'y'.repeat(501))];
    const report = await writer.write(edges, []);
    expect(report.edges).toBe(3);
    expect(report.failed).toBeNull();
    expect([...report.dropped.entries()].map(([cause, d]) => [cause.slice(0, 28), d.edges])).toEqual([['a CI cannot relate to itself', 1], ['name Too big: expected strin', 2]]);
    for (const name of ['a', 'c', 'f']) expect(await edgesOf(name)).toHaveLength(1);
    // Through the receiver: one warn line per cause, and the next replies say what was dropped.
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: defaultOtlpSettings, logger });
    (receiver as unknown as { noteDropped(d: Map<string, unknown>): void }).noteDropped(report.dropped);
    expect(lines.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^otlp receiver: dropped 1 edge: a CI cannot relate to itself \(e\.g\. service "loop" → service "loop"\)/),
      expect.stringMatching(/^otlp receiver: dropped 2 edges: name Too big/),
    ]);
    expect(receiver.accept(calls('w', ['v'], '7'.repeat(32))[0]).errorMessage).toMatch(/^the last flush dropped 1 edge: a CI cannot relate/);
  });

  it('bounds the CIs live traces may create per hour; edges between CIs the store holds are never held back', async () => {
    let now = 10_000_000;
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, maxNewCisPerHour: 4 }, now: () => now });
    await ingest(store, IngestBatch.parse({ source: 'kubernetes', cis: [{ class: 'service', name: 'known-a' }, { class: 'service', name: 'known-b' }] }), { limits: defaultLimits, maxRetireShare: 0.2 });
    for (let i = 0; i < 10; i++) for (const body of calls(`junk-${i}`, [`junk-${i}-callee`], (i + 1).toString(16).padStart(32, '0'))) receiver.accept(body);
    for (const body of calls('known-a', ['known-b'], 'b'.repeat(32))) receiver.accept(body);
    await receiver.flush();
    const junk = (await store.listCis({ q: 'junk', limit: 100 })).items;
    expect(junk).toHaveLength(4);
    expect(receiver.stats()).toMatchObject({ newCis: 4, droppedOverBudget: 8 });
    expect(await edgesOf('known-a')).toHaveLength(1);
    // The bucket refills with time: an hour later, four more.
    now += 3_600_000;
    for (let i = 10; i < 20; i++) for (const body of calls(`junk-${i}`, [`junk-${i}-callee`], (i + 1).toString(16).padStart(32, '0'))) receiver.accept(body);
    await receiver.flush();
    expect((await store.listCis({ q: 'junk', limit: 100 })).items).toHaveLength(8);
  });

  it('retires what live traces stopped showing after retireAfterHours, unless another source still asserts it', async () => {
    // The store never dates a batch before the last committed one: the test clock starts at the real one.
    let now = Date.now();
    const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, retireAfterHours: 24, pairWindowMs: 0 }, now: () => now });
    await ingest(store, IngestBatch.parse({ source: 'kubernetes', cis: [{ class: 'service', name: 'declared' }] }), { limits: defaultLimits, maxRetireShare: 0.2 });
    for (const body of calls('gone', ['declared'], 'd'.repeat(32))) receiver.accept(body);
    for (const body of calls('stays', ['fresh'], 'f'.repeat(32))) receiver.accept(body);
    await receiver.flush();
    now += 20 * 3_600_000;
    for (const body of calls('stays', ['fresh'], '9'.repeat(32))) receiver.accept(body);
    await receiver.flush();
    now += 5 * 3_600_000;
    await receiver.sweep();
    const byName = async (name: string) => (await store.listCis({ q: name, limit: 10, lifecycle: 'any' })).items.find((c) => c.name === name)!;
    expect((await byName('gone')).lifecycle).toBe('retired');
    expect((await byName('declared')).lifecycle).toBe('active');
    expect((await byName('stays')).lifecycle).toBe('active');
    expect(await edgesOf('stays')).toHaveLength(1);
    expect(receiver.stats()).toMatchObject({ retiredCis: 1, retiredRelations: 1 });
    // Seen again, it comes back.
    for (const body of calls('gone', ['declared'], '8'.repeat(32))) receiver.accept(body);
    await receiver.flush();
    expect((await byName('gone')).lifecycle).toBe('active');
  });
});
