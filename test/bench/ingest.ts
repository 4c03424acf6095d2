import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateEstate } from '../../server/demo/generate-estate.ts';
import { parseIngestBatch, type IngestCi, type IngestRelation } from '../../server/model/ingest.ts';
import { ingest, ingestSeen, type IngestPhase } from '../../server/ingest/ingest-service.ts';
import { batchSightingKey } from '../../server/domain/reconcile/sighting.ts';
import { allAccepted } from '../../server/domain/reconcile/batch-items.ts';
import { jsonMembers } from '../../server/api/json-members.ts';
import { contentDigestOf, headerOf } from '../../server/api/ingest-body.ts';
import type { GraphStore } from '../../server/store/port.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { freePort, spawnServer, writeResult } from './bench-util.ts';
import { benchStoreKind, neo4jTarget, openBenchStore } from './bench-store.ts';

interface Batch { cis: IngestCi[]; relations: IngestRelation[] }

/**
 * Batches of `batchCis` CIs with the relations whose both ends have been sent by then,
 * so no batch names a CI the store has not seen (the ingest API would rightly refuse it).
 */
export function toBatches(cis: IngestCi[], relations: IngestRelation[], batchCis: number): Batch[] {
  const batchOf = new Map<string, number>();
  const key = (r: { class: string; name?: string; environment?: string }) => `${r.class}|${r.environment ?? ''}|${r.name}`;
  cis.forEach((c, i) => batchOf.set(key(c), Math.floor(i / batchCis)));
  const batches: Batch[] = Array.from({ length: Math.ceil(cis.length / batchCis) }, (_, b) => ({ cis: cis.slice(b * batchCis, (b + 1) * batchCis), relations: [] }));
  for (const r of relations) {
    const b = Math.max(batchOf.get(key(r.from as never))!, batchOf.get(key(r.to as never))!);
    batches[b].relations.push(r);
  }
  return batches;
}

/** One line rewritten in place, at most every 500 ms, so a long run neither floods a log nor looks stuck. */
function progressLine(label: string, total: number) {
  const started = Date.now();
  let shown = 0;
  return (done: number) => {
    const now = Date.now();
    if (done < total && now - shown < 500) return;
    shown = now;
    const s = (now - started) / 1000;
    const line = `${label}: ${done}/${total} batches (${(done / Math.max(s, 0.001)).toFixed(1)}/s)`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K${done >= total ? '\n' : ''}`);
    else if (done >= total) process.stderr.write(line + '\n');
  };
}

/**
 * POST one pre-encoded body over a kept-alive connection: the client encodes nothing while it is timed,
 * and each batch costs the server one request, not a connection.
 */
function post(agent: Agent, port: number, token: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/ingest', method: 'POST', agent,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 2000)}`)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A server of its own over `env`'s data directory while `fn` runs (stopped after it). */
async function withServer<T>(env: Record<string, string>, fn: (port: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const server = await spawnServer(env, port);
  try {
    return await fn(port);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}

/**
 * CPU seconds the server process has used so far, every thread's (its `/metrics` process_cpu_seconds_total). On a
 * machine others load, a load's CPU time moves far less than its wall time: the ratio to the bare insert's CPU time
 * compares builds run at different loads.
 */
async function serverCpuSeconds(port: number, token: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const m = /^process_cpu_seconds_total (\S+)$/m.exec(await res.text());
  if (!res.ok || !m) throw new Error(`no process_cpu_seconds_total in the server's /metrics (${res.status})`);
  return Number(m[1]);
}

/** `bodies` posted in order to the server on `port`; seconds from first to last reply. */
async function postAll(label: string, port: number, token: string, bodies: Buffer[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const show = progressLine(label, bodies.length);
    const started = performance.now();
    // Relations of a batch may name CIs of the batches before it, so batches go in order, one at a time.
    for (const [i, body] of bodies.entries()) {
      await post(agent, port, token, body).catch((e: Error) => { throw new Error(`${label}, batch ${i}: ${e.message}`); });
      show(i + 1);
    }
    return (performance.now() - started) / 1000;
  } finally {
    agent.destroy();
  }
}

/** Bytes of a closed SQLite database: its file after the WAL is checkpointed into it. */
function sqliteBytes(file: string): number {
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    return statSync(file).size;
  } finally {
    db.close();
  }
}

/**
 * The same batches through the same code in this process, phase by phase, as the API route reads them (parse: the
 * body's members and content digest, and JSON.parse unless the content was written before; validate: the header
 * alone for such content, else the whole batch as the route validates it), then the ingest service's read, plan,
 * write and commit; to see where a batch's time goes without HTTP. `seen`: content digest -> anchor, as the batch
 * writer keeps it (kept across calls, as one server process keeps it).
 */
async function breakdown(bodies: Buffer[], store: GraphStore, seen: Map<string, string>) {
  const ms: Record<'parse' | 'validate' | IngestPhase, number> = { parse: 0, validate: 0, read: 0, plan: 0, write: 0, commit: 0 };
  const show = progressLine('in-process breakdown', bodies.length);
  const started = performance.now();
  const opts = { limits: defaultLimits, maxRetireShare: 0.2, onPhase: (p: IngestPhase, t: number) => { ms[p] += t; } };
  const full = (body: Buffer) => {
    const parsed = parseIngestBatch(JSON.parse(body.toString('utf8')));
    if (!parsed.success) throw parsed.error;
    return parsed.data;
  };
  for (const [i, body] of bodies.entries()) {
    const t0 = performance.now();
    const members = jsonMembers(body);
    const digest = members ? contentDigestOf(body, members) : null;
    const anchor = digest ? seen.get(digest) : undefined;
    const raw: unknown = anchor === undefined ? JSON.parse(body.toString('utf8')) : null;
    const t1 = performance.now();
    ms.parse += t1 - t0;
    const header = anchor !== undefined ? headerOf(body, members!) : null;
    if (header) {
      ms.validate += performance.now() - t1;
      await ingestSeen(store, { header, key: { source: header.source, scope: header.scope, anchor: anchor!, digest: digest! }, load: () => allAccepted(full(body)) }, opts);
    } else {
      const parsed = parseIngestBatch(raw);
      if (!parsed.success) throw parsed.error;
      const batch = parsed.data;
      ms.validate += performance.now() - t1;
      await ingest(store, batch, { ...opts, ...(digest ? { contentDigest: digest } : {}) });
      const key = digest ? batchSightingKey(batch, digest) : null;
      if (key) seen.set(key.digest, key.anchor);
    }
    show(i + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  const perBatch = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Number((v / bodies.length).toFixed(1))]));
  return { seconds, perBatch };
}

export async function benchIngest(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '100000' }, 'batch-cis': { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, store: { type: 'string', default: 'sqlite' }, 'no-breakdown': { type: 'boolean', default: false }, 'young-rounds': { type: 'string', default: '0' } } });
  const n = Number(values.cis), batchCis = Number(values['batch-cis']);
  const kind = benchStoreKind(values.store);
  if (kind === 'neo4j') {
    // Reach Neo4j before anything is generated: an unreachable server fails here, in one line.
    const probe = await openBenchStore('neo4j', '');
    const seq = await probe.latestSeq().finally(() => probe.close());
    if (seq > 0) console.log(`Neo4j (${neo4jTarget()}) is not empty (event log at ${seq}): this run measures updates, not a first load`);
  }
  console.log(`generating a seeded estate of ${n} CIs...`);
  const estate = generateEstate({ cis: n, seed: Number(values.seed) });
  const batches = toBatches(estate.cis, estate.relations, batchCis);
  const bodies = batches.map((b, i) => Buffer.from(JSON.stringify({ source: 'bench', scope: 'bench', runId: 'bench-run', complete: i === batches.length - 1, force: true, cis: b.cis, relations: b.relations })));
  console.log(`${estate.cis.length} CIs, ${estate.relations.length} relations in ${batches.length} batches (~${Math.round(estate.relations.length / batches.length)} relations each), ${(bodies.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(0)} MB of JSON`);

  // Re-syncs: the same estate again under a new run (unchanged), then with 1% of its CIs changed (an attribute),
  // as a collector re-asserting its estate every few minutes sends it. Encoded before anything is timed.
  const encode = (run: string, edit?: (c: IngestCi, i: number) => IngestCi) => {
    let at = 0;
    return batches.map((b, i) => Buffer.from(JSON.stringify({
      source: 'bench', scope: 'bench', runId: run, complete: i === batches.length - 1, force: true,
      cis: edit ? b.cis.map((c) => edit(c, at++)) : b.cis, relations: b.relations,
    })));
  };
  const resyncBodies = encode('bench-resync');
  const coldBodies = encode('bench-resync-cold');
  const changedEvery = 100;
  const changedBodies = encode('bench-resync-changed', (c, i) => (i % changedEvery === 0 ? { ...c, attributes: { ...c.attributes, benchRevision: 2 } } : c));

  const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  const token = 'sg_bench_admin';
  const env = { SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: token, SERVICEGRAPH_STORE: kind, SERVICEGRAPH_WEB_DIST: join(dataDir, 'none') };
  const loadBefore = loadavg()[0];
  const [apiSeconds, apiCpuSeconds] = await withServer(env, async (port) => {
    const cpu = await serverCpuSeconds(port, token);
    const seconds = await postAll('first load through the API', port, token, bodies);
    return [seconds, await serverCpuSeconds(port, token) - cpu];
  });
  // The store as the first load left it (closed, so the WAL is folded into the file): bytes per CI, history included.
  const storeBytes = kind === 'sqlite' ? sqliteBytes(join(dataDir, 'servicegraph.db')) : null;
  // A restarted server has seen none of the content (only its store recognises the batches: every body is parsed
  // once); the steady state is the next re-sync to the same server, which parses only each body's header.
  const [coldSeconds, resyncSeconds, changedSeconds] = await withServer(env, async (port) => [
    await postAll('unchanged re-sync after a restart', port, token, coldBodies),
    await postAll('unchanged re-sync through the API', port, token, resyncBodies),
    await postAll(`re-sync with 1 in ${changedEvery} CIs changed`, port, token, changedBodies),
  ]);
  // The same first load with the writer thread's young generation left at V8's default (config.ts,
  // SERVICEGRAPH_INGEST_THREAD_YOUNG_MB), into a store of its own: what that setting buys, side by side.
  const firstLoadWithYoung = async (youngMb: string | null) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
    return withServer({ ...env, SERVICEGRAPH_DATA_DIR: dir, ...(youngMb === null ? {} : { SERVICEGRAPH_INGEST_THREAD_YOUNG_MB: youngMb }) },
      (port) => postAll(`first load, young generation ${youngMb === '0' ? 'V8\'s default' : 'as configured'}`, port, token, bodies)).finally(() => rmSync(dir, { recursive: true, force: true }));
  };
  const defaultYoungSeconds = await firstLoadWithYoung('0');
  // `--young-rounds N`: N more first loads each way, alternated (V8's default first in odd rounds), as the one pair
  // above is too few to decide the setting on a shared machine.
  const youngRounds: { configured: number; v8Default: number; loadAverage1m: number }[] = [];
  for (let r = 1; r <= Number(values['young-rounds']); r++) {
    const [a, b] = r % 2 ? ['0', null] as const : [null, '0'] as const;
    const first = await firstLoadWithYoung(a), second = await firstLoadWithYoung(b);
    const [v8Default, configured] = r % 2 ? [first, second] : [second, first];
    youngRounds.push({ configured: Math.round(estate.cis.length / configured), v8Default: Math.round(estate.cis.length / v8Default), loadAverage1m: Number(loadavg()[0].toFixed(2)) });
  }
  const loadAfter = loadavg()[0];

  // The obvious alternative: the same rows, bulk INSERTed into bare tables, with the server's durability
  // settings (WAL, synchronous NORMAL: a commit survives a killed process). It used FULL, which made the
  // bare side pay an fsync per batch that the server does not, flattering the ratio.
  const bare = new Database(join(dataDir, 'bare.db'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = NORMAL');
  bare.exec('CREATE TABLE cis (class TEXT, name TEXT, environment TEXT, identifiers TEXT, attributes TEXT); CREATE TABLE rels (type TEXT, from_ref TEXT, to_ref TEXT)');
  const insCi = bare.prepare('INSERT INTO cis VALUES (?, ?, ?, ?, ?)');
  const insRel = bare.prepare('INSERT INTO rels VALUES (?, ?, ?)');
  const writeBatch = bare.transaction((b: Batch) => {
    for (const c of b.cis) insCi.run(c.class, c.name, c.environment ?? null, JSON.stringify(c.identifiers ?? {}), JSON.stringify(c.attributes ?? {}));
    for (const r of b.relations) insRel.run(r.type, JSON.stringify(r.from), JSON.stringify(r.to));
  });
  const bareStart = Date.now();
  const bareCpu = process.cpuUsage();
  for (const b of batches) writeBatch(b);
  const bareSeconds = (Date.now() - bareStart) / 1000;
  const bareCpuUsed = process.cpuUsage(bareCpu);
  const bareCpuSeconds = (bareCpuUsed.user + bareCpuUsed.system) / 1e6;
  bare.close();
  // In process: SQLite into a fresh file; Neo4j into the same database, which the API run has just filled, so
  // every batch finds its CIs and relations already there (an unchanged re-sync, not a first load).
  const inProcessRuns = values['no-breakdown'] ? null : await (async () => {
    const store = await openBenchStore(kind, join(dataDir, 'breakdown.db'));
    try {
      const seen = new Map<string, string>();
      return { first: await breakdown(bodies, store, seen), resync: await breakdown(resyncBodies, store, seen) };
    } finally {
      await store.close();
    }
  })();
  const inProcess = inProcessRuns?.first ?? null, inProcessResync = inProcessRuns?.resync ?? null;
  rmSync(dataDir, { recursive: true, force: true });

  const result = {
    cis: estate.cis.length, relations: estate.relations.length, batches: batches.length,
    cisPerSec: Math.round(estate.cis.length / apiSeconds),
    relationsPerSec: Math.round(estate.relations.length / apiSeconds),
    bareInsertCisPerSec: Math.round(estate.cis.length / bareSeconds),
    ratio: Number(((estate.cis.length / bareSeconds) / (estate.cis.length / apiSeconds)).toFixed(2)),
    // The same comparison in CPU time: the server's (every thread) against the bare insert's, for the first load.
    cpuRatio: Number((apiCpuSeconds / bareCpuSeconds).toFixed(2)),
    serverCpuMsPer1000Cis: Math.round(apiCpuSeconds * 1e6 / estate.cis.length),
    bareCpuMsPer1000Cis: Math.round(bareCpuSeconds * 1e6 / estate.cis.length),
    resyncCisPerSec: Math.round(estate.cis.length / resyncSeconds),
    resyncChangedCisPerSec: Math.round(estate.cis.length / changedSeconds),
    resyncVsFirst: Number((apiSeconds / resyncSeconds).toFixed(2)),
    resyncAfterRestartCisPerSec: Math.round(estate.cis.length / coldSeconds),
    firstLoadDefaultYoungCisPerSec: Math.round(estate.cis.length / defaultYoungSeconds),
    ...(youngRounds.length ? { firstLoadYoungRounds: youngRounds } : {}),
    bytesPerCi: storeBytes === null ? null : Math.round(storeBytes / estate.cis.length),
    apiSeconds, apiCpuSeconds, bareCpuSeconds, resyncSeconds, coldSeconds, changedSeconds, bareSeconds, store: kind, bareInsertStore: 'sqlite',
    // The machine is shared: a load average well above its 2 cores slows every figure here.
    loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) },
    ...(inProcess ? { inProcess: { store: kind, ...(kind === 'neo4j' ? { rows: 'unchanged (re-sent into the database the API run filled)' } : {}), cisPerSec: Math.round(estate.cis.length / inProcess.seconds), msPerBatch: inProcess.perBatch, resyncCisPerSec: Math.round(estate.cis.length / inProcessResync!.seconds), resyncMsPerBatch: inProcessResync!.perBatch } } : {}),
  };
  console.log(`\nthrough the HTTP API on ${kind} (identification, reconciliation, history, provenance, events): ${result.cisPerSec} CIs/s with ${result.relationsPerSec} relations/s (${apiSeconds.toFixed(1)} s)`);
  console.log(`the same first load with the writer thread's young generation at V8's default: ${result.firstLoadDefaultYoungCisPerSec} CIs/s (${defaultYoungSeconds.toFixed(1)} s)`);
  for (const [i, r] of youngRounds.entries()) console.log(`  round ${i + 1}: as configured ${r.configured} CIs/s, V8's default ${r.v8Default} CIs/s (load average ${r.loadAverage1m})`);
  console.log(`unchanged re-sync: ${result.resyncCisPerSec} CIs/s (${resyncSeconds.toFixed(2)} s, ${result.resyncVsFirst}x the first load); 1% changed: ${result.resyncChangedCisPerSec} CIs/s (${changedSeconds.toFixed(1)} s); the first after a restart: ${result.resyncAfterRestartCisPerSec} CIs/s (${coldSeconds.toFixed(2)} s)`);
  if (storeBytes !== null) console.log(`store after the first load: ${(storeBytes / 1e6).toFixed(1)} MB, ${result.bytesPerCi} bytes per CI (its relations, history, provenance and indexes included)`);
  console.log(`bare bulk INSERT into SQLite, same rows${kind === 'neo4j' ? ' (the comparison stays SQLite with --store neo4j)' : ''}: ${result.bareInsertCisPerSec} CIs/s (${bareSeconds.toFixed(1)} s)`);
  console.log(`ratio (bare SQLite / API on ${kind}): ${result.ratio}x; load average ${result.loadAverage1m.before} before, ${result.loadAverage1m.after} after`);
  console.log(`CPU time of the first load: the server's (every thread) ${result.serverCpuMsPer1000Cis} ms per 1,000 CIs, the bare insert's ${result.bareCpuMsPer1000Cis} ms: ${result.cpuRatio}x (moves far less with the machine's load than the wall-clock ratio)`);
  if (inProcess) {
    const p = inProcess.perBatch;
    console.log(`in process on ${kind}, no HTTP${kind === 'neo4j' ? ' (the same rows again, unchanged)' : ''}: ${Math.round(estate.cis.length / inProcess.seconds)} CIs/s; ms per batch: parse ${p.parse}, validate ${p.validate}, read ${p.read}, plan ${p.plan}, write ${p.write}, commit ${p.commit}`);
    const q = inProcessResync!.perBatch;
    console.log(`in process, unchanged re-sync: ${Math.round(estate.cis.length / inProcessResync!.seconds)} CIs/s; ms per batch: parse ${q.parse}, validate ${q.validate}, read ${q.read}, plan ${q.plan}, write ${q.write}, commit ${q.commit}`);
  }
  console.log(`written to ${writeResult('ingest', result)}`);
}
