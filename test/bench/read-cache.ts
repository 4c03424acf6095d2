import { parseArgs } from 'node:util';
import { topologyFrom } from '../../server/topology/build.ts';
import { ReadCache, type ReadCacheOptions } from '../../server/topology/read-cache.ts';
import { writeResult } from './bench-util.ts';

/**
 * `npm run bench -- read-cache [--keys 2000] [--workers 2] [--entries 1000] [--rounds 20]`: the read cache's policy
 * (server/topology/read-cache.ts) replayed over the 1M load bench's order of `/graph` requests, without a server:
 * `keys` focus CIs asked for in turn (`(i * 7919) % keys`, as load.ts cycles them) `rounds` times, each request to a
 * worker at random (autocannon's connections each stay with one worker, and which connection sends the next request
 * is a matter of timing), each worker with a cache of its own (`entries` answers, the server's default). Then the same
 * with a burst: every `keys / 2` requests a new focus (an incident's service) asked for 20 times among the others.
 * Hit rates of the cache as built (W-TinyLFU: window in front of the admission), of plain TinyLFU (no window) and of
 * plain LRU (all window). Prints and writes bench-results/read-cache.json.
 */
export async function benchReadCache(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: {
    keys: { type: 'string', default: '2000' }, workers: { type: 'string', default: '2' },
    entries: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '20' },
  } });
  const keys = Number(values.keys), workers = Number(values.workers), entries = Number(values.entries), rounds = Number(values.rounds);
  const policies: Record<string, ReadCacheOptions> = {
    'w-tinylfu': { maxEntries: entries },
    tinylfu: { maxEntries: entries, windowEntries: 0 },
    lru: { maxEntries: entries, windowEntries: entries },
  };
  const out: Record<string, { hitRate: number; burstHitRate: number; cycleHitRateDuringBursts: number }> = {};
  for (const [name, opts] of Object.entries(policies)) {
    const plain = replay(opts, keys, workers, rounds, 0);
    const burst = replay(opts, keys, workers, rounds, 20);
    out[name] = { hitRate: plain.cycle, burstHitRate: burst.burst, cycleHitRateDuringBursts: burst.cycle };
  }
  const result = {
    keys, workers, entriesPerWorker: entries, rounds, policies: out,
    note: 'Simulated, not measured on a server: hit rates of the read cache\'s policies over the load bench\'s request order. hitRate: all requests of the cycle; burstHitRate: the asks for a new focus asked for 20 times at once (across workers), the first ask on each worker being a miss at best; cycleHitRateDuringBursts: the cycle\'s own requests in that run.',
  };
  console.log(JSON.stringify(result, null, 2));
  process.stderr.write(`[bench read-cache] wrote ${writeResult('read-cache', result)}\n`);
}

const topo = topologyFrom([{ id: 'c0', class: 'service', name: 'c0', environment: 'prod', tier: null, owner: null, attributes: {} }], []);

/** Hit rates of the cycle's requests and of the bursts' (`burst` asks for each new key; 0: none). */
function replay(opts: ReadCacheOptions, keys: number, workers: number, rounds: number, burst: number): { cycle: number; burst: number } {
  const caches = Array.from({ length: workers }, () => new ReadCache<number>(opts));
  const random = mulberry32(7);
  const ask = (key: string): boolean => {
    const cache = caches[Math.floor(random() * workers)];
    if (cache.get(topo, key) !== undefined) return true;
    cache.set(topo, key, topo.version, 1, [0], 1);
    return false;
  };
  const hits = { cycle: 0, cycleAsks: 0, burst: 0, burstAsks: 0 };
  let bursting = -1, left = 0;
  for (let i = 0; i < rounds * keys; i++) {
    if (burst && i % (keys / 2) === 0) { bursting++; left = burst; }
    // The burst's asks come between the cycle's, as readers of both are served side by side.
    if (left > 0) { left--; hits.burstAsks++; if (ask(`incident ${bursting}`)) hits.burst++; }
    hits.cycleAsks++;
    if (ask(`map ${(i * 7919) % keys}`)) hits.cycle++;
  }
  const rate = (n: number, of: number) => (of ? Math.round((1000 * n) / of) / 1000 : 0);
  return { cycle: rate(hits.cycle, hits.cycleAsks), burst: rate(hits.burst, hits.burstAsks) };
}

/** A seeded generator (the same routing in every run and for every policy). */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
