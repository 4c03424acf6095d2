import { parseArgs } from 'node:util';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { BatchTx } from '../../server/store/port.ts';
import { selectStale } from '../../server/domain/reconcile/retire.ts';
import { retireStale } from '../../server/ingest/retire-stale.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { parseIngestBatch } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { DomainError } from '../../server/domain/errors.ts';
import { writeResult } from './bench-util.ts';

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
 * Writes bench-results/sweep.json.
 */
export async function benchSweep(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '1000000' }, stale: { type: 'string', default: '20000' } } });
  const cis = Number(values.cis);
  const estate = resolve('data/bench', `impact-${cis}-7.db`);
  if (!existsSync(estate)) throw new Error(`${estate} is missing: build it first with \`npm run bench -- impact --cis ${cis}\``);
  const log = (m: string) => process.stderr.write(`[bench sweep] ${m}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-'));
  const file = join(dir, 'estate.db');
  const load = [loadavg()[0]];
  try {
    // Open once where it lies (an older file is converted there, once), then copy: every run starts from the same estate.
    const opened = new SqliteStore({ file: estate });
    let t = performance.now();
    await opened.init();
    const openMs = performance.now() - t;
    await opened.close();
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
    let held = 0, last = performance.now();
    const tick = setInterval(() => { const n = performance.now(); held = Math.max(held, n - last); last = n; }, 5);
    const parts: number[] = [], written: number[] = [];
    const transact = store.transact.bind(store);
    store.transact = (async (fn: (tx: BatchTx) => Promise<unknown>, o?: { readOnly?: boolean }) => {
      const t0 = performance.now();
      // Each part's plan size (CIs and relations it writes), beside its time.
      const counted = (tx: BatchTx): BatchTx => ({ ...tx, write: (plan) => { written.push(plan.cis.length + plan.relations.length); return tx.write(plan); } });
      try { return await transact((tx) => fn(counted(tx)), o); } finally { parts.push(performance.now() - t0); }
    }) as typeof store.transact;
    t = performance.now();
    const swept = await retireStale(store, { source, scope, before });
    const sweepMs = performance.now() - t;
    clearInterval(tick);
    store.transact = transact;
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
