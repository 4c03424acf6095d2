import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { comparable, until } from '../helpers/ingest-answers.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { configFromEnv } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { issueToken } from '../../server/api/auth.ts';
import { urgent } from '../../server/live/urgent.ts';

const svc = (name: string, extra: object = {}) => ({ class: 'service', name, environment: 'prod', ...extra });
const dep = (from: string, to: string) => ({ type: 'DEPENDS_ON', from: { class: 'service', name: from, environment: 'prod' }, to: { class: 'service', name: to, environment: 'prod' } });
const bigBatch = (scope: string, n: number) => ({
  source: 'kubernetes', scope,
  cis: Array.from({ length: n }, (_, i) => svc(`${scope}-${i}`, { attributes: { slot: i, note: 'x'.repeat(200) } })),
  relations: Array.from({ length: n - 1 }, (_, i) => dep(`${scope}-${i + 1}`, `${scope}-${i}`)),
});

/**
 * Batches are written on a writer thread of their own (SERVICEGRAPH_INGEST_THREAD, on by default for the store
 * file the server opens): the route hands the body over and answers with what the thread replied.
 */
describe('ingest on the writer thread', () => {
  let threaded: TestServer;
  let inProcess: TestServer;
  let tokens: { threaded: string; inProcess: string };
  beforeAll(async () => {
    threaded = await startTestServer();
    inProcess = await startTestServer({ config: { ingestThread: 'off' } });
    tokens = { threaded: await threaded.tokenFor('collector'), inProcess: await inProcess.tokenFor('collector') };
  });
  afterAll(async () => { await threaded?.close(); await inProcess?.close(); });

  it('is what a server opening its own store file uses, and not when turned off', () => {
    expect(threaded.ingestThread?.up).toBe(true);
    expect(inProcess.ingestThread).toBeNull();
    expect(threaded.health().loops.map((l) => l.name)).toContain('ingest writer thread');
  });

  it('answers every request exactly as the in-process writer does, refusals included, and a refused batch changes nothing', async () => {
    const requests: { body: unknown; headers?: Record<string, string>; query?: string }[] = [
      { body: '{"source": ' },
      { body: {} },
      { body: '{"source":"k","scope":"s","cis":[{"class":"service","name":"a","environment":"prod","attributes":{"__proto__":{"x":1}}}]}' },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('a')], relations: [dep('a', 'nowhere')] } },
      { body: { source: 'kubernetes', scope: 'same', runId: 'same-r1', complete: true, cis: [svc('a'), svc('b')], relations: [dep('a', 'b')] } },
      { body: { source: 'kubernetes', scope: 'same', runId: 'same-r1', cis: [svc('a')] } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('c')] }, headers: { 'idempotency-key': 'k1' } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('d')] }, headers: { 'idempotency-key': 'k1' } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('c')] }, headers: { 'idempotency-key': 'k1' } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('c')] }, headers: { 'idempotency-key': 'has space' } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('a'), svc('e')] }, query: '?dryRun=true' },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('a'), svc('a', { owner: 'x' })] } },
      { body: { source: 'kubernetes', scope: 'same', runId: 'same-r2', complete: true, cis: [svc('a')] } },
      { body: Buffer.from(JSON.stringify({ source: 'kubernetes', scope: 'latin', cis: [svc('caf\u00e9')] }), 'latin1'), headers: { 'content-type': 'application/json; charset=iso-8859-1' } },
      // The same content again, byte for byte: recognised without a parse on the thread as in process.
      { body: { source: 'kubernetes', scope: 'same', runId: 'same-r3', complete: true, cis: [svc('a'), svc('b')], relations: [dep('a', 'b')] } },
      { body: { source: 'kubernetes', scope: 'same', runId: 'same-r4', complete: true, cis: [svc('a'), svc('b')], relations: [dep('a', 'b')] } },
    ];
    for (const r of requests) {
      const answers = [];
      for (const [s, token] of [[threaded, tokens.threaded], [inProcess, tokens.inProcess]] as const) {
        const before = await s.store.latestSeq();
        const res = await fetch(`${s.url}/api/v1/ingest${r.query ?? ''}`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...r.headers },
          body: typeof r.body === "string" ? r.body : Buffer.isBuffer(r.body) ? new Uint8Array(r.body) : JSON.stringify(r.body),
        });
        const body = await res.json();
        // Refused: nothing written (no event, so no CI, relation or run either).
        if (res.status !== 200) expect(await s.store.latestSeq()).toBe(before);
        answers.push({ status: res.status, replayed: res.headers.get('idempotent-replayed'), body: comparable(body) });
      }
      expect(answers[0], JSON.stringify(r)).toEqual(answers[1]);
    }
  });

  it('commits before it answers, and the projection has heard of the batch by then', async () => {
    const res = await threaded.api('/api/v1/ingest', { token: tokens.threaded, body: { source: 'kubernetes', scope: 'heard', cis: [svc('heard-a'), svc('heard-b')], relations: [dep('heard-a', 'heard-b')] } });
    expect(res.status).toBe(200);
    expect(await threaded.store.latestSeq()).toBeGreaterThanOrEqual(res.body.seq);
    expect(threaded.topology.seq).toBeGreaterThanOrEqual(res.body.seq);
    expect(threaded.feed.position).toBeGreaterThanOrEqual(res.body.seq);
    const found = await threaded.api('/api/v1/cis?q=heard-a');
    expect(found.body.items.map((c: { name: string }) => c.name)).toContain('heard-a');
  });

  it('tells this loop a reply waits for it from the moment the thread posted it until the loop took it (urgent.ts)', async () => {
    expect(urgent()).toBe(false);
    const body = Buffer.from(JSON.stringify({ source: 'kubernetes', scope: 'urgent', cis: [svc('urgent-a')], relations: [] }));
    const written = threaded.ingestThread!.serve({ body: { raw: body }, dryRun: false, idempotency: { header: undefined, principal: 'test' } });
    // This loop busy (a long read's turn): the thread commits and posts its reply meanwhile, which the loop cannot take yet.
    const end = performance.now() + 10_000;
    while (!urgent() && performance.now() < end) { /* the turn goes on */ }
    expect(urgent()).toBe(true);
    expect((await written).result).toMatchObject({ cis: { created: 1 } });
    expect(urgent()).toBe(false);
  });

  it('waits for a write lock another connection holds, and so does the main thread, without blocking its event loop', async () => {
    // Another connection holds the write lock, as the writer thread does during a long batch (or another process).
    const other = new Database(join(threaded.dataDir, 'servicegraph.db'));
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 5);
    try {
      const mainWrite = issueToken(threaded.store, 'while locked', 'viewer', null);
      const threadWrite = threaded.api('/api/v1/ingest', { token: tokens.threaded, body: { source: 'kubernetes', scope: 'locked', cis: [svc('locked-a')] } });
      // The main thread's loop keeps running while its write waits for the lock.
      await until(() => ticks >= 10, 'the event loop to tick while the write waits');
      other.exec('COMMIT');
      const [token, ingested] = await Promise.all([mainWrite, threadWrite]);
      expect(token.token).toMatch(/^sg_/);
      expect(ingested.status).toBe(200);
      expect(ingested.body.cis.created).toBe(1);
    } finally {
      clearInterval(ticker);
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
  });

  it('answers 503 for the batches a dying thread had, restarts it, and writes again; a cut-off batch is all or nothing', async () => {
    const t = threaded.ingestThread!;
    const cut = threaded.api('/api/v1/ingest', { token: tokens.threaded, body: bigBatch('cut', 3000) });
    await until(() => t.inFlight > 0, 'the batch to reach the thread');
    await t.kill();
    const answer = await cut;
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('unavailable');
    expect(t.status().failures).toBeGreaterThan(0);
    await until(() => t.up, 'the thread to restart');
    expect(threaded.health().loops.find((l) => l.name === 'ingest writer thread')?.ok).toBe(true);
    const again = await threaded.api('/api/v1/ingest', { token: tokens.threaded, body: { source: 'kubernetes', scope: 'after', cis: [svc('after-a')] } });
    expect(again.status).toBe(200);
    const listed = (await threaded.store.listCis({ q: 'cut-', limit: 5000 })).items.length;
    expect([0, 3000]).toContain(listed);
    // The store is not left locked by the connection that died with the thread: the main thread writes too.
    await expect(issueToken(threaded.store, 'after the crash', 'viewer', null)).resolves.toBeTruthy();
  });
});

describe('ingest writer thread at shutdown', () => {
  const tempDir = useTempDirs();
  it('lets the batch it was handed finish and commit before the server closes', async () => {
    const dataDir = tempDir('sg-thread-drain-');
    const s = await startServer({ ...configFromEnv({}), port: 0, host: '127.0.0.1', dataDir, adminToken: 'sg_test_drain_admin', otlpGrpcPort: null, logLevel: 'silent' });
    const { token } = await issueToken(s.store, 'collector', 'collector', null);
    const sent = fetch(`${s.url}/api/v1/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(bigBatch('drain', 2000)),
    }).catch(() => null);
    await until(() => s.ingestThread!.inFlight > 0, 'the batch to reach the thread');
    await s.close();
    await sent;
    const store = new SqliteStore({ file: join(dataDir, 'servicegraph.db') });
    await store.init();
    try {
      expect((await store.listCis({ q: 'drain-', limit: 5000 })).items.length).toBe(2000);
    } finally {
      await store.close();
    }
  });
});
