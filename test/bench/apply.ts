import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { ChangeFeed, type ChangeListener } from '../../server/live/change-feed.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { writeResult } from './bench-util.ts';

/**
 * `npm run bench -- apply [--cis 10000,50000] [--demo 20000]`: how long a large change event holds the event loop
 * once it is committed and answered, while it reaches the projection, the caches and the live hub (the change feed's
 * listeners). The real server in this process (writer thread, apply after the reply: the defaults) over the demo
 * estate, one live-hub client connected; a batch of `--cis` new CIs with as many relations is sent, and from its
 * commit reaching this thread until the feed has delivered it: the longest loop turn (a 1 ms timer's late ticks; the
 * reply is sent in that time too), the time until delivered, and each listener's own time in its call; beside it the
 * longest turn before (the request's parse and checks, and the turn receiving the writer thread's copy of the event). Writes bench-results/apply.json.
 */
export async function benchApply(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '10000,50000' }, demo: { type: 'string', default: '20000' } } });
  const sizes = values.cis.split(',').map(Number);
  const log = (m: string) => process.stderr.write(`[bench apply] ${m}\n`);
  // Each listener's time on each event, by where it subscribed (the class that called subscribe).
  const spent = new Map<string, number>();
  const subscribe = ChangeFeed.prototype.subscribe;
  ChangeFeed.prototype.subscribe = function (this: ChangeFeed, fn: ChangeListener) {
    const name = /at (?:new )?(\w+)/.exec(new Error().stack!.split('\n')[2] ?? '')?.[1] ?? 'listener';
    return subscribe.call(this, ((e) => {
      const t = performance.now();
      const out = (fn as (e: unknown) => unknown)(e);
      spent.set(name, (spent.get(name) ?? 0) + performance.now() - t);
      return out;
    }) as ChangeListener);
  };
  const largest = Math.max(...sizes);
  const server = await startTestServer({
    demo: { cis: Number(values.demo) },
    config: { limits: { ...defaultLimits, batchCis: largest, batchRelations: largest, bodyBytes: 256 * 1024 * 1024 } },
  });
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/events?token=${server.adminToken}`);
  let received = 0;
  ws.on('message', () => { received++; });
  await new Promise((r) => ws.once('open', r));
  const out: Record<string, unknown>[] = [];
  try {
    for (const n of sizes) {
      const tag = `apply-${n}-${Date.now().toString(36)}`;
      const svc = (i: number) => ({ class: 'service', name: `${tag}-${i}`, environment: 'bench' });
      const batch = {
        source: 'bench-apply', scope: tag, runId: tag,
        cis: Array.from({ length: n }, (_, i) => ({ ...svc(i), attributes: { i, team: `t${i % 50}` } })),
        relations: Array.from({ length: n }, (_, i) => ({ type: 'DEPENDS_ON', from: svc(i), to: svc((i * 7919 + 1) % n) })),
      };
      const body = JSON.stringify(batch);
      spent.clear();
      const gaps: { end: number; ms: number }[] = [];
      let last = performance.now();
      const tick = setInterval(() => { const t = performance.now(); gaps.push({ end: t, ms: t - last }); last = t; }, 1);
      // When the writer thread's commit reached this thread: from then on the loop's work is the reply and the delivery.
      let offered = Infinity;
      const offer = server.feed.offerAfterReply;
      server.feed.offerAfterReply = (e) => { offered = Math.min(offered, performance.now()); offer.call(server.feed, e); };
      const t0 = performance.now();
      const reply = await server.api('/api/v1/ingest', { body });
      server.feed.offerAfterReply = offer;
      const answered = performance.now();
      if (reply.status !== 200) throw new Error(`ingest answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
      const seq = Number(reply.body.seq);
      while (server.feed.position < seq) await new Promise((r) => setTimeout(r, 1));
      const delivered = performance.now();
      // The turns that ended after the reply came back, until the event was delivered (and the next tick after).
      await new Promise((r) => setTimeout(r, 5));
      clearInterval(tick);
      // Turns that began once the commit had reached this thread: the reply and the delivery (the turn that received
      // the writer's message, its structured-clone copy of the event included, is counted before).
      const longest = Math.max(0, ...gaps.filter((g) => g.end - g.ms >= offered).map((g) => g.ms));
      const longestBefore = Math.max(0, ...gaps.filter((g) => g.end - g.ms < offered).map((g) => g.ms));
      const r = {
        cis: n, relations: n, replyMs: Math.round(answered - t0), deliveredAfterCommitMs: Math.round(delivered - offered),
        longestTurnAfterCommitMs: Math.round(longest), longestTurnUntilCommitMs: Math.round(longestBefore),
        // Each listener's time in its own call (a listener working over several turns: its first turn only).
        listenerMs: Object.fromEntries([...spent].map(([k, v]) => [k, Math.round(v)])), load: Math.round(loadavg()[0] * 100) / 100,
      };
      log(JSON.stringify(r));
      out.push(r);
    }
  } finally {
    ws.close();
    ChangeFeed.prototype.subscribe = subscribe;
    await server.close();
  }
  const result = { demoCis: Number(values.demo), liveClients: 1, wsMessages: received, runs: out };
  console.log(JSON.stringify(result, null, 2));
  log(`wrote ${writeResult('apply', result)}`);
}
