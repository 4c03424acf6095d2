import { parseArgs } from 'node:util';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore, type SqliteOptions } from '../../server/store/sqlite/sqlite-store.ts';
import type { BatchTx } from '../../server/store/port.ts';
import { selectStale } from '../../server/domain/reconcile/retire.ts';
import { MAIN_THREAD_BUSY } from '../../server/store/select-store.ts';
import { retireStale } from '../../server/ingest/retire-stale.ts';
import { ingest, newRunId, planRetirement } from '../../server/ingest/ingest-service.ts';
import { changesOf } from '../../server/domain/reconcile/events.ts';
import { parseIngestBatch } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { DomainError } from '../../server/domain/errors.ts';
import { percentile, writeResult } from './bench-util.ts';

/**
 * `npm run bench -- sweep [--cis 1000000] [--stale 20000]`: the stale sweep and a run's completion on one big scope
 * (the impact benchmark's estate under data/bench/, every assertion in scope bench/bench; copied to a scratch file,
 * never written), the bounded reads against the whole-scope ones they replace, side by side in one run:
 *  1. reads: the whole scope (`scopeAssertions` + `selectStale`, what each sweep step read before) against
 *     `scopeStale` for one part; the scope's active count by `count(*)` against the kept count; `scopeLosing`;
 *  2. a sweep retiring about `--stale` assertions (the scope's oldest batches) through `scopeStale`: wall time,
 *     parts, the longest part and the longest the event loop was held (the sweep runs on this thread, as the
 *     OTLP receiver's does); the whole-scope sweep would read the whole scope once per part (its time: 1.'s read);
 *  3. a collector's batch of 200 CIs completing its run in that scope (what it drops, its removal guard's total).
 * Writes bench-results/sweep.json. With `--hub`, the sweep of the estate's biggest hub instead (benchHubSweep).
 */
export async function benchSweep(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '1000000' }, stale: { type: 'string', default: '20000' }, hub: { type: 'boolean', default: false }, 'after-only': { type: 'boolean', default: false }, 'step-ms': { type: 'string' } } });
  const cis = Number(values.cis);
  if (values.hub) return benchHubSweep(cis, values['after-only'], values['step-ms'] === undefined ? undefined : Number(values['step-ms']));
  const log = (m: string) => process.stderr.write(`[bench sweep] ${m}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-'));
  const file = join(dir, 'estate.db');
  const load = [loadavg()[0]];
  try {
    const { estate, openMs } = await openEstate(cis);
    let t = performance.now();
    copyFileSync(estate, file);
    const store = new SqliteStore({ file });
    await store.init();
    const [source, scope] = ['bench', 'bench'];
    const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => { const t0 = performance.now(); const v = await fn(); return [v, performance.now() - t0]; };
    const ro = <T>(fn: (tx: BatchTx) => Promise<T>) => store.transact(fn, { readOnly: true });

    // 1. Reads.
    const [all, wholeMs] = await time(() => ro((tx) => tx.scopeAssertions(source, scope)));
    const seen = all.map((a) => a.lastSeen).sort();
    const wanted = Math.min(Number(values.stale), seen.length - 1);
    // The instant the scope's `wanted` oldest sightings fall before (whole batches: about that many).
    const before = new Date(Date.parse(seen[wanted]) + 1).toISOString();
    const [staleAll, selectMs] = await time(async () => selectStale(all, before));
    const [part, partMs] = await time(() => ro((tx) => tx.scopeStale!(source, scope, before, 2001)));
    const db = new Database(file, { readonly: true });
    const [counted, countMs] = await time(async () => db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM assertions WHERE source = ? AND scope = ? AND active = 1').get(source, scope)!.n);
    const runId = db.prepare<[], { run_id: string }>('SELECT run_id FROM runs LIMIT 1').get()?.run_id ?? 'bench-run';
    // The run that sent every batch completing with nothing new: nothing losing, the total is the kept count.
    const [losing, losingMs] = await time(() => ro((tx) => tx.scopeLosing!(source, scope, runId, [])));
    const kept = losing.total, keptMs = losingMs;
    db.close();
    if (kept !== counted) throw new Error(`kept count ${kept} is not the scope's ${counted}`);
    log(`scope ${all.length} active; whole-scope read ${Math.round(wholeMs)} ms + selectStale ${Math.round(selectMs)} ms (${staleAll.length} stale before ${before}); scopeStale part of ${part.length}: ${partMs.toFixed(1)} ms`);
    log(`active count: count(*) ${Math.round(countMs)} ms; scopeLosing with the kept count, for run ${runId}: ${losing.losing.length} losing, total ${kept}, in ${keptMs.toFixed(1)} ms`);
    load.push(loadavg()[0]);

    // 2. The sweep, through the bounded read.
    const watched = watchParts(store);
    t = performance.now();
    const swept = await retireStale(store, { source, scope, before });
    const sweepMs = performance.now() - t;
    const { parts, written, held } = watched.stop();
    const longestPart = Math.max(...parts);
    const sorted = [...parts].sort((a, b) => a - b);
    log(`parts ms: p50 ${Math.round(sorted[Math.floor(sorted.length / 2)])}, p90 ${Math.round(sorted[Math.floor(sorted.length * 0.9)])}, first ${parts.slice(0, 5).map(Math.round).join(' ')}, longest at ${parts.indexOf(longestPart)} writing ${written[parts.indexOf(longestPart)]} items; largest plan ${Math.max(...written)} items`);
    log(`sweep: ${staleAll.length} stale assertions, retired ${swept.cis} CIs and ${swept.relations} relations in ${Math.round(sweepMs)} ms, ${parts.length} parts, longest part ${Math.round(longestPart)} ms, loop held at most ${Math.round(held)} ms`);
    log(`  (the whole-scope sweep read ${all.length} assertions per part of 2,000: ${Math.ceil(staleAll.length / 2000)} x ~${Math.round(wholeMs + selectMs)} ms, before retiring anything)`);
    load.push(loadavg()[0]);

    // 3. Completion: a collector's 200-CI batch completing the estate's run (the removal guard refuses it: it saw little).
    const batch = parseIngestBatch({
      source, scope, runId, complete: true,
      cis: Array.from({ length: 200 }, (_, i) => ({ class: 'service', name: `sweep-bench-${i}`, environment: 'bench' })),
    });
    if (!batch.success) throw batch.error;
    const [outcome, completeMs] = await time(async () => {
      try { return await ingest(store, batch.data, { limits: defaultLimits, maxRetireShare: 0.2 }); } catch (e) { if (e instanceof DomainError) return e.code; throw e; }
    });
    log(`completing batch of 200 in the ${kept}-assertion scope: ${Math.round(completeMs)} ms (${typeof outcome === 'string' ? outcome : 'accepted'})`);
    load.push(loadavg()[0]);
    await store.close();

    const out = {
      cis, scopeActive: all.length, openMs: Math.round(openMs),
      wholeScopeReadMs: Math.round(wholeMs + selectMs), scopeStalePartMs: round(partMs), scopeStalePart: part.length,
      countMs: Math.round(countMs), scopeLosingMs: round(losingMs), losing: losing.losing.length,
      stale: staleAll.length, sweepMs: Math.round(sweepMs), sweptCis: swept.cis, sweptRelations: swept.relations,
      sweepParts: parts.length, largestPartItems: Math.max(...written), longestPartMs: Math.round(longestPart), loopHeldMs: Math.round(held),
      // The sweep before: parts of 2,000, each reading the whole scope first.
      wholeScopeSweepEstimateMs: Math.round(Math.ceil(staleAll.length / 2000) * (wholeMs + selectMs)),
      completeBatchMs: Math.round(completeMs), completeOutcome: typeof outcome === 'string' ? outcome : 'accepted',
      loadAverage: load.map(round),
    };
    console.log(JSON.stringify(out, null, 2));
    log(`wrote ${writeResult('sweep', out)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The sweep's transactions, timed (and each plan's size) as they run, and the longest the event loop went without
 * turning (a 5 ms timer's late ticks) until `stop`.
 */
function watchParts(store: SqliteStore, wal?: string) {
  let held = 0, last = performance.now(), walMax = 0, sampled = 0;
  const tick = setInterval(() => {
    const n = performance.now(); held = Math.max(held, n - last); last = n;
    // The WAL's size every 100 ms or so (checkpointed or not, it must not grow without bound).
    if (wal && n - sampled > 100 && existsSync(wal)) { sampled = n; walMax = Math.max(walMax, statSync(wal).size); }
  }, 5);
  const parts: number[] = [], written: number[] = [];
  const transact = store.transact.bind(store);
  store.transact = (async (fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => {
    const t0 = performance.now();
    // Each part's plan size (CIs and relations it writes), beside its time.
    const counted = (tx: BatchTx): BatchTx => ({ ...tx, write: (plan) => { written.push(plan.cis.length + plan.relations.length); return tx.write(plan); } });
    try { return await transact((tx) => fn(counted(tx)), o); } finally { parts.push(performance.now() - t0); }
  }) as typeof store.transact;
  return {
    stop() {
      clearInterval(tick);
      store.transact = transact;
      return { parts, written, held: Math.max(held, performance.now() - last), walMaxMb: round(walMax / 2 ** 20) };
    },
  };
}

/**
 * `npm run bench -- sweep --hub`: the stale sweep of the estate's CI with the most live relations (on the 1M estate,
 * ~111k dependents), side by side on two copies: before, the hub's part retiring it with every edge in one
 * transaction (what retireStale did until edges went in parts: planRetirement unbounded); after, retireStale. The
 * hub's assertion is handed to a live source (otel/live, last seen an hour ago) in the copies, so that it alone is
 * stale; its edges stay asserted by the estate's collector, and retire as dangling. Wall time, parts, the longest
 * part and the longest the loop was held (the sweep on this thread, as the OTLP receiver's), with the load average.
 * `--after-only`: retireStale alone (the one transaction takes over a minute at 1M). `--step-ms N`: also the sweep in parts
 * sized towards N ms (retireStale's stepMs) instead of its default, checkpointed by the thread. Writes bench-results/sweep-hub.json.
 */
async function benchHubSweep(cis: number, afterOnly: boolean, stepMs?: number) {
  const log = (m: string) => process.stderr.write(`[bench sweep --hub] ${m}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-hub-'));
  const load = [loadavg()[0]];
  try {
    const { estate, openMs } = await openEstate(cis);
    let t = performance.now();
    const src = new Database(estate, { readonly: true });
    t = performance.now();
    const hub = src.prepare<[], { id: string; n: number }>('SELECT to_id AS id, count(*) AS n FROM relations WHERE valid_to IS NULL GROUP BY to_id ORDER BY n DESC LIMIT 1').get()!;
    src.close();
    log(`estate opened in ${Math.round(openMs)} ms; hub ${hub.id} with ${hub.n} live relations in (found in ${Math.round(performance.now() - t)} ms)`);
    const now = new Date().toISOString();
    const copy = (name: string) => {
      const file = join(dir, `${name}.db`);
      copyFileSync(estate, file);
      const db = new Database(file);
      db.transaction(() => {
        const mine = db.prepare<[string], { source: string; scope: string }>('SELECT source, scope FROM assertions WHERE target_id = ? AND active = 1').all(hub.id);
        if (mine.length !== 1) throw new Error(`the hub has ${mine.length} active assertions, expected 1`);
        db.prepare(`UPDATE assertions SET source = 'otel', scope = 'live', run_id = 'bench-hub', last_seen = ?, sighting = NULL
          WHERE target_id = ? AND active = 1`).run(Date.parse(now) - 3_600_000, hub.id);
        db.prepare('UPDATE scope_counts SET active = active - 1 WHERE source = ? AND scope = ?').run(mine[0].source, mine[0].scope);
        db.prepare(`INSERT INTO scope_counts (source, scope, active) VALUES ('otel', 'live', 1) ON CONFLICT (source, scope) DO UPDATE SET active = active + 1`).run();
      })();
      db.close();
      return file;
    };
    const sweep = { source: 'otel', scope: 'live', before: now, now: () => now };
    const measure = async (name: string, run: (store: SqliteStore) => Promise<{ cis: number; relations: number }>, checkpoint: SqliteOptions['checkpoint'] = 'commit') => {
      const file = copy(name);
      // As the server opens its main connection: a write the lock is refused for retries on a timer (never blocking the loop).
      const store = new SqliteStore({ file, checkpoint, busy: MAIN_THREAD_BUSY });
      await store.init();
      const watched = watchParts(store, `${file}-wal`);
      const t0 = performance.now();
      const retired = await run(store);
      const totalMs = performance.now() - t0;
      const { parts, written, held, walMaxMb } = watched.stop();
      const checkpoints = store.walCheckpoint?.report ?? null;
      await store.close();
      rmSync(file, { force: true });
      load.push(loadavg()[0]);
      const sorted = [...parts].sort((a, b) => a - b);
      const out = {
        retired, totalMs: Math.round(totalMs), parts: parts.length, longestPartMs: Math.round(sorted.at(-1)!),
        p50PartMs: round(percentile(sorted, 50)), p90PartMs: round(percentile(sorted, 90)), p99PartMs: round(percentile(sorted, 99)),
        // Where the longest parts fell and what they wrote (a slow part of few items is SQLite's, e.g. a checkpoint).
        slowest: parts.map((ms, i) => ({ i, ms: Math.round(ms), items: written[i] })).sort((a, b) => b.ms - a.ms).slice(0, 5),
        largestPlanItems: Math.max(...written), loopHeldMs: Math.round(held), walMaxMb, checkpoints, load: round(loadavg()[0]),
      };
      log(`${name}: ${JSON.stringify(out)}`);
      return out;
    };
    // Parts with the WAL checkpointed by a thread (the server's main connection), then at commit (SQLite's default).
    const after = await measure('parts', (store) => retireStale(store, sweep), { intervalMs: 250 });
    const afterCheckpointAtCommit = await measure('parts, checkpoint at commit', (store) => retireStale(store, sweep));
    const afterStep = stepMs === undefined ? null : await measure(`parts of ~${stepMs} ms`, (store) => retireStale(store, { ...sweep, stepMs }), { intervalMs: 250 });
    if (JSON.stringify(after.retired) !== JSON.stringify(afterCheckpointAtCommit.retired)) throw new Error(`the sweeps retired ${JSON.stringify(after.retired)} and ${JSON.stringify(afterCheckpointAtCommit.retired)}`);
    const before = afterOnly ? null : await measure('one-transaction', (store) => store.transact(async (tx) => {
      const stale = await tx.scopeStale!(sweep.source, sweep.scope, sweep.before, 2);
      const plan = await planRetirement(tx, stale, sweep.source, sweep.scope, now);
      const runId = newRunId();
      await tx.write({
        now, source: sweep.source, cis: plan.cis, relations: plan.relations, keys: [], event: { at: now, source: sweep.source, changes: changesOf(plan.cis, plan.relations) },
        run: { runId, source: sweep.source, scope: sweep.scope, startedAt: now, lastBatchAt: now, completedAt: now, batches: 1 },
      });
      return plan.wouldRetire;
    }));
    if (before && JSON.stringify(after.retired) !== JSON.stringify(before.retired)) throw new Error(`the sweeps retired ${JSON.stringify(after.retired)} and ${JSON.stringify(before.retired)}`);
    const out = { cis, hub: hub.id, hubRelations: hub.n, openMs: Math.round(openMs), before, after, afterCheckpointAtCommit, afterStep, loadAverage: load.map(round) };
    console.log(JSON.stringify(out, null, 2));
    log(`wrote ${writeResult('sweep-hub', out)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The impact benchmark's estate, opened once where it lies (an older file is converted there, once) so that the
 * copies each run works on start from the same estate, and how long that open took.
 */
async function openEstate(cis: number) {
  const estate = resolve('data/bench', `impact-${cis}-7.db`);
  if (!existsSync(estate)) throw new Error(`${estate} is missing: build it first with \`npm run bench -- impact --cis ${cis}\``);
  const opened = new SqliteStore({ file: estate });
  const t = performance.now();
  await opened.init();
  const openMs = performance.now() - t;
  await opened.close();
  return { estate, openMs };
}
