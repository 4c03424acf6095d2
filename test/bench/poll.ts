/**
 * `npm run bench -- poll [--cis 100000] [--batches 20] [--rounds 3]`: how long the change feed's poll holds an API
 * process's event loop when it finds another process's commits. With API workers each process follows the others'
 * batches through the log (a poll a second, SERVICEGRAPH_POLL_MS): at the load benchmark's write rate a poll finds
 * ~15-20 batches. Here another connection commits `--batches` batches of 200 new CIs with 199 relations (the load
 * benchmark's ingest client), then one poll delivers them to a live projection (TopologyService) built from a scratch
 * copy of the impact benchmark's estate: the longest loop turn meanwhile (the widest gap between setImmediate ticks)
 * and the wall and CPU time until all are in, for a feed that delivers a poll's events in one turn (turn budget
 * unbounded, as before stop 29) and one that reads them 8 at a time and delivers them 10 ms of a turn at a time (the defaults). Both projections
 * follow the same log; the order of the two alternates by round. Writes bench-results/poll.json.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import { TopologyService } from '../../server/topology/topology-service.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { IngestBatch } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { percentile, writeResult } from './bench-util.ts';

const log = (m: string) => process.stderr.write(`[bench poll] ${m}\n`);
const round = (x: number) => Math.round(x * 10) / 10;

/** The load benchmark's batch: 200 new services, each depending on the one before. */
function batch(tag: string) {
  const cis = Array.from({ length: 200 }, (_, i) => ({ class: 'service', name: `poll-${tag}-${i}`, environment: 'load', attributes: { batch: tag, slot: i } }));
  const relations = cis.slice(1).map((c, i) => ({ type: 'DEPENDS_ON', from: { class: 'service', name: c.name, environment: 'load' }, to: { class: 'service', name: cis[i].name, environment: 'load' } }));
  return IngestBatch.parse({ source: 'poll-bench', scope: tag, cis, relations });
}

/** Runs `work` while a setImmediate chain ticks: the widest gap between ticks (the longest turn), wall and CPU ms. */
async function timed(work: () => Promise<void>) {
  let last = performance.now(), longest = 0, ticking = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  setImmediate(tick);
  await work();
  const wall = performance.now() - t0;
  ticking = false;
  tick();
  const cpu = process.cpuUsage(cpu0);
  return { longestTurnMs: longest, wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export async function benchPoll(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { cis: { type: 'string', default: '100000' }, batches: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
  const cis = Number(values.cis), batches = Number(values.batches), rounds = Number(values.rounds);
  const source = resolve('data/bench', `impact-${cis}-7.db`);
  if (!existsSync(source)) throw new Error(`${source} is missing: build it first with \`npm run bench -- impact --cis ${cis}\``);
  const scratch = mkdtempSync(join(tmpdir(), 'sg-bench-poll-'));
  const file = join(scratch, 'estate.db');
  // A copy: the shared estate is never written here (the writer below adds batches to the copy).
  copyFileSync(source, file);
  if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${file}-wal`);
  const writer = new SqliteStore({ file });
  const reader = new SqliteStore({ file });
  try {
    await writer.init();
    await reader.init();
    // Before stop 29: pages of 200 events, all delivered in one turn; now: the feed's defaults.
    const modes = { oneTurn: { turnMs: Infinity, pageSize: 200 }, inTurns: { turnMs: undefined, pageSize: undefined } } as const;
    const followers = {} as Record<keyof typeof modes, { feed: ChangeFeed; topology: TopologyService }>;
    for (const [name, mode] of Object.entries(modes) as [keyof typeof modes, { turnMs?: number; pageSize?: number }][]) {
      const feed = new ChangeFeed(reader, 3_600_000, mode.pageSize, Date.now, mode.turnMs);
      const topology = new TopologyService(reader);
      log(`loading the ${cis}-CI projection (${name})`);
      await topology.start(feed);
      feed.start(topology.seq);
      followers[name] = { feed, topology };
    }
    const results: Record<keyof typeof modes, ReturnType<typeof timed> extends Promise<infer T> ? T[] : never> = { oneTurn: [], inTurns: [] };
    for (let r = 0; r < rounds; r++) {
      for (let b = 0; b < batches; b++) await ingest(writer, batch(`${r}-${b}`), { limits: defaultLimits, maxRetireShare: 1 });
      const latest = await writer.latestSeq();
      const order: (keyof typeof modes)[] = r % 2 === 0 ? ['oneTurn', 'inTurns'] : ['inTurns', 'oneTurn'];
      for (const name of order) {
        const { feed, topology } = followers[name];
        const out = await timed(() => feed.poke());
        if (topology.seq !== latest) throw new Error(`${name}: the projection is at ${topology.seq}, not ${latest}`);
        results[name].push(out);
        log(`round ${r + 1}, ${name}: ${batches} batches delivered, longest turn ${round(out.longestTurnMs)} ms, wall ${round(out.wallMs)} ms, CPU ${round(out.cpuMs)} ms (load ${loadavg()[0].toFixed(1)})`);
      }
    }
    const sum = (xs: { longestTurnMs: number; wallMs: number; cpuMs: number }[]) => ({
      longestTurnMs: round(percentile(xs.map((x) => x.longestTurnMs).sort((a, b) => a - b), 50)),
      wallMs: round(percentile(xs.map((x) => x.wallMs).sort((a, b) => a - b), 50)),
      cpuMs: round(percentile(xs.map((x) => x.cpuMs).sort((a, b) => a - b), 50)),
    });
    const a = followers.oneTurn.topology.current.stats(), bStats = followers.inTurns.topology.current.stats();
    if (a.cis !== bStats.cis || a.relations !== bStats.relations) throw new Error(`the two projections differ: ${JSON.stringify(a)} against ${JSON.stringify(bStats)}`);
    const result = {
      cis, batches, rounds, oneTurn: sum(results.oneTurn), inTurns: sum(results.inTurns), perRound: results,
      loadAverage1m: round(loadavg()[0]),
      note: 'median over rounds: the longest event-loop turn while one poll delivered `batches` batches of 200 CIs / 199 relations committed by another connection to a live projection (TopologyService only: the server\'s other listeners, caches, alerts and the live hub, come on top), and the wall and CPU time until all were in; oneTurn = the whole poll in one turn (before stop 29), inTurns = read 8 at a time and delivered 10 ms of a turn at a time, whole events only (the defaults).',
    };
    for (const { feed, topology } of Object.values(followers)) { feed.stop(); topology.stop(); }
    console.log(JSON.stringify(result, null, 2));
    console.log(`written to ${writeResult('poll', result)}`);
  } finally {
    await writer.close();
    await reader.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
