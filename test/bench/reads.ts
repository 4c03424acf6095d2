/**
 * `npm run bench -- reads [--cis 100000] [--seed 7]`: the reads that once froze the server (issue 10,
 * item 7), each beside the obvious alternative, on the impact benchmark's SQLite estate (built once
 * under data/bench/). For each: wall time, and the longest the event loop was held (what every other
 * request, /healthz included, waited at worst). Writes bench-results/reads.json.
 *
 * - drift: the paged, capped report (server/drift/drift-service.ts, 200 CIs a page as GET /drift reads) vs reading every live CI and
 *   relation first and computing over all of it (what GET /drift did).
 * - diff since before the load: capped at the list limit vs the old default of 5,000 (and the 50,000 a
 *   client could ask for); and the embedded store's diff read in slices (the store now) vs in one synchronous
 *   call (before). `--only diff` runs the diff part alone.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import Database from 'better-sqlite3';
import { diff as sqliteDiff, DIFF_SLICE_MS } from '../../server/store/sqlite/diff.ts';
import { prepareReads } from '../../server/store/sqlite/reads.ts';
import { estateStore } from './impact.ts';
import { writeResult } from './bench-util.ts';
import { driftReport } from '../../server/drift/drift-service.ts';
import { computeDrift } from '../../server/domain/drift.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import type { CiRecord, RelationRecord } from '../../server/model/records.ts';
import type { GraphStore } from '../../server/store/port.ts';

const log = (m: string) => process.stderr.write(`${m}\n`);

/** Runs `work` while a 1 ms timer measures how late it fires: the longest the event loop was held. */
async function measure<T>(work: () => Promise<T>): Promise<{ ms: number; maxStallMs: number; result: T }> {
  let last = performance.now();
  let maxStall = 0;
  const timer = setInterval(() => { const now = performance.now(); maxStall = Math.max(maxStall, now - last); last = now; }, 1);
  const t0 = performance.now();
  const result = await work();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(timer);
  maxStall = Math.max(maxStall, performance.now() - last);
  return { ms: Math.round(ms), maxStallMs: Math.round(maxStall), result };
}

/** What GET /drift did before: every live CI and relation in memory, then one computation. */
async function driftAllAtOnce(store: GraphStore, opts: Parameters<typeof computeDrift>[2]) {
  const cis = new Map<string, CiRecord>();
  const relations = new Map<string, RelationRecord>();
  let cursor: string | undefined;
  do {
    const page = await store.listCis({ lifecycle: 'active', limit: defaultLimits.listLimit, ...(cursor ? { cursor } : {}) });
    for (const c of page.items) cis.set(c.id, c);
    for (const r of await store.relationsOf(page.items.map((c) => c.id))) relations.set(r.id, r);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return computeDrift(relations.values(), cis, opts);
}

/** The embedded store's diff at the list limit, read in slices (now) and in one synchronous call (before), on its own connection. */
async function diffSlices(file: string, from: string, to: string) {
  const db = new Database(file, { readonly: true });
  const st = prepareReads(db);
  // The longest stall counts time the process waited for a CPU too: say how busy the machine was.
  const out: Record<string, unknown> = { loadAverage1m: Number(loadavg()[0].toFixed(1)) };
  log(`load average ${out.loadAverage1m}`);
  for (const [name, sliceMs] of [['in slices', DIFF_SLICE_MS], ['in one call', Infinity], ['in slices again', DIFF_SLICE_MS]] as const) {
    const r = await measure(async () => JSON.stringify(await sqliteDiff(db, st, from, to, defaultLimits.listLimit, sliceMs)).length);
    log(`diff at the list limit (${defaultLimits.listLimit}), ${name}: ${r.ms} ms, event loop held at most ${r.maxStallMs} ms, ${(r.result / 1e6).toFixed(1)} MB of JSON`);
    out[name] = { ms: r.ms, maxStallMs: r.maxStallMs };
  }
  db.close();
  return out;
}

export async function benchReads(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { cis: { type: 'string', default: '100000' }, seed: { type: 'string', default: '7' }, page: { type: 'string', default: '200' }, only: { type: 'string' } } });
  const cis = Number(values.cis);
  const { store, file } = await estateStore('sqlite', cis, Number(values.seed));
  const opts = { now: new Date().toISOString(), days: 7, types: ['DEPENDS_ON'], limit: defaultLimits.listLimit };
  const out: Record<string, unknown> = { estate: `${cis} CIs (the impact benchmark's)`, listLimit: defaultLimits.listLimit };

  const from = '2000-01-01T00:00:00.000Z', to = new Date().toISOString();
  if (values.only === 'diff') { out.diffSlices = await diffSlices(file!, from, to); await store.close(); log(`wrote ${writeResult('reads-diff', out)}`); return; }
  log('drift, paged and capped (the server now)');
  const paged = await measure(() => driftReport(store, opts, Number(values.page)));
  log(`  ${paged.ms} ms, event loop held at most ${paged.maxStallMs} ms; ${paged.result.declaredNotObserved.length}+${paged.result.observedNotDeclared.length} items, truncated ${paged.result.truncated}`);
  if (values.only === 'paged') { await store.close(); return; }
  log('drift, everything read first (before)');
  const whole = await measure(() => driftAllAtOnce(store, opts));
  log(`  ${whole.ms} ms, event loop held at most ${whole.maxStallMs} ms`);
  const same = JSON.stringify(paged.result.declaredNotObserved.map((d) => d.id)) === JSON.stringify(whole.result.declaredNotObserved.map((d) => d.id));
  log(`  same items: ${same}`);
  out.drift = {
    paged: { ms: paged.ms, maxStallMs: paged.maxStallMs, truncated: paged.result.truncated },
    allAtOnce: { ms: whole.ms, maxStallMs: whole.maxStallMs },
    sameItems: same,
  };

  const diffs: Record<string, unknown> = {};
  for (const limit of [defaultLimits.listLimit, 5_000, 50_000]) {
    const r = await measure(async () => JSON.stringify(await store.diff(from, to, limit)).length);
    log(`diff since before the load, limit ${limit}: ${r.ms} ms, event loop held at most ${r.maxStallMs} ms, ${(r.result / 1e6).toFixed(1)} MB of JSON`);
    diffs[String(limit)] = { ms: r.ms, maxStallMs: r.maxStallMs, jsonMb: Number((r.result / 1e6).toFixed(1)) };
  }
  out.diff = diffs;
  out.diffSlices = await diffSlices(file!, from, to);
  await store.close();
  log(`wrote ${writeResult('reads', out)}`);
}
