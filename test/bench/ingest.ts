import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateEstate } from '../../server/demo/generate-estate.ts';
import type { IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import { freePort, progress, spawnServer, writeResult } from './bench-util.ts';

interface Batch { cis: IngestCi[]; relations: IngestRelation[] }

/**
 * Batches of `batchCis` CIs with the relations whose both ends have been sent by then,
 * so no batch names a CI the store has not seen (the ingest API would rightly refuse it).
 */
function toBatches(cis: IngestCi[], relations: IngestRelation[], batchCis: number): Batch[] {
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

export async function benchIngest(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '100000' }, 'batch-cis': { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, store: { type: 'string', default: 'sqlite' } } });
  const n = Number(values.cis), batchCis = Number(values['batch-cis']);
  console.log(`generating a seeded estate of ${n} CIs...`);
  const estate = generateEstate({ cis: n, seed: Number(values.seed) });
  const batches = toBatches(estate.cis, estate.relations, batchCis);
  const bodies = batches.map((b, i) => JSON.stringify({ source: 'bench', scope: 'bench', runId: 'bench-run', complete: i === batches.length - 1, force: true, cis: b.cis, relations: b.relations }));
  console.log(`${estate.cis.length} CIs, ${estate.relations.length} relations in ${batches.length} batches (~${Math.round(estate.relations.length / batches.length)} relations each), ${(bodies.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(0)} MB of JSON`);

  const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  const token = 'sg_bench_admin';
  const port = await freePort();
  const server = await spawnServer({ SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: token, SERVICEGRAPH_STORE: values.store!, SERVICEGRAPH_WEB_DIST: join(dataDir, 'none') }, port);
  let apiSeconds = 0;
  try {
    const started = Date.now();
    // Two requests in flight: the server commits one while the next is parsed.
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const i = next++;
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: bodies[i] });
        if (!res.ok) throw new Error(`batch ${i}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        progress('ingest through the API', Math.min(next, bodies.length), bodies.length, started);
      }
    };
    // Relations of a batch may name CIs of the batch before, so batches go in order: one at a time.
    await worker();
    apiSeconds = (Date.now() - started) / 1000;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }

  // The obvious alternative: the same rows, bulk INSERTed into bare tables, same durability settings.
  const bare = new Database(join(dataDir, 'bare.db'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = FULL');
  bare.exec('CREATE TABLE cis (class TEXT, name TEXT, environment TEXT, identifiers TEXT, attributes TEXT); CREATE TABLE rels (type TEXT, from_ref TEXT, to_ref TEXT)');
  const insCi = bare.prepare('INSERT INTO cis VALUES (?, ?, ?, ?, ?)');
  const insRel = bare.prepare('INSERT INTO rels VALUES (?, ?, ?)');
  const writeBatch = bare.transaction((b: Batch) => {
    for (const c of b.cis) insCi.run(c.class, c.name, c.environment ?? null, JSON.stringify(c.identifiers ?? {}), JSON.stringify(c.attributes ?? {}));
    for (const r of b.relations) insRel.run(r.type, JSON.stringify(r.from), JSON.stringify(r.to));
  });
  const bareStart = Date.now();
  for (const b of batches) writeBatch(b);
  const bareSeconds = (Date.now() - bareStart) / 1000;
  bare.close();
  rmSync(dataDir, { recursive: true, force: true });

  const result = {
    cis: estate.cis.length, relations: estate.relations.length, batches: batches.length,
    cisPerSec: Math.round(estate.cis.length / apiSeconds),
    relationsPerSec: Math.round(estate.relations.length / apiSeconds),
    bareInsertCisPerSec: Math.round(estate.cis.length / bareSeconds),
    ratio: Number(((estate.cis.length / bareSeconds) / (estate.cis.length / apiSeconds)).toFixed(2)),
    apiSeconds, bareSeconds, store: values.store,
  };
  console.log(`\nthrough the HTTP API (identification, reconciliation, history, provenance, events): ${result.cisPerSec} CIs/s with ${result.relationsPerSec} relations/s (${apiSeconds.toFixed(1)} s)`);
  console.log(`bare bulk INSERT into SQLite, same rows:                                      ${result.bareInsertCisPerSec} CIs/s (${bareSeconds.toFixed(1)} s)`);
  console.log(`ratio (bare / API): ${result.ratio}x`);
  console.log(`written to ${writeResult('ingest', result)}`);
}
