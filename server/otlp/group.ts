import cluster, { type Worker } from 'node:cluster';
import type { FoldSpan } from '../../common/otel/span.ts';
import type { Logger } from '../log.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphStore } from '../store/port.ts';
import { OtlpReceiver, type FoldStats, type RemoteFold } from './receiver.ts';
import type { OtlpSettings } from './settings.ts';

/**
 * One fold for the process group when API workers share the ports (SERVICEGRAPH_WORKERS > 1).
 * node:cluster hands each connection to some worker, and every exporter (each SDK, each of a
 * Collector's connections) has its own: the client span of a call and the server span under it
 * usually reach different workers. Folded there, they would never pair and the edge would be lost.
 * So workers decode and check spans and answer the exporter (partial success as usual), and hand the
 * accepted spans to the primary, whose one receiver pairs, flushes and sweeps; it tells the workers
 * its figures and warning every second, for /metrics and for the replies.
 */

const SPANS = 'servicegraph:otlp-spans';
const STATE = 'servicegraph:otlp-state';

interface SpansMessage { type: typeof SPANS; spans: FoldSpan[] }
interface StateMessage { type: typeof STATE; stats: FoldStats; warning: string | null }

const isSpans = (m: unknown): m is SpansMessage => typeof m === 'object' && m !== null && (m as SpansMessage).type === SPANS && Array.isArray((m as SpansMessage).spans);
const isState = (m: unknown): m is StateMessage => typeof m === 'object' && m !== null && (m as StateMessage).type === STATE && typeof (m as StateMessage).stats === 'object';

/**
 * In an API worker: the receiver's link to the group's fold. At most `maxInFlight` hand-overs may wait
 * in the IPC channel; beyond, requests are refused as retryable instead of queueing without bound.
 */
export function joinOtlpGroup(maxInFlight = 64): RemoteFold {
  let inFlight = 0;
  let last: { stats: FoldStats; warning: string | null } | null = null;
  process.on('message', (m: unknown) => { if (isState(m)) last = { stats: m.stats, warning: m.warning }; });
  return {
    send(spans) {
      if (!process.send || !process.connected || inFlight >= maxInFlight) return false;
      inFlight++;
      process.send({ type: SPANS, spans } satisfies SpansMessage, undefined, {}, () => { inFlight--; });
      return true;
    },
    state: () => last,
  };
}

const ignore = () => {};

/** In the primary: the group's one receiver, fed by the workers; `stop` makes its final flush. */
export function startGroupFold(deps: {
  store: GraphStore; limits: Limits; maxRetireShare: number; settings: OtlpSettings; logger?: Pick<Logger, 'warn' | 'error' | 'info'>; reportMs?: number;
}): { receiver: OtlpReceiver; stop(): Promise<void> } {
  const receiver = new OtlpReceiver({ store: deps.store, limits: deps.limits, maxRetireShare: deps.maxRetireShare, settings: deps.settings, logger: deps.logger });
  receiver.start();
  const onMessage = (_worker: Worker, m: unknown) => { if (isSpans(m)) receiver.acceptFolded(m.spans); };
  cluster.on('message', onMessage);
  const report = () => {
    const message: StateMessage = { type: STATE, ...receiver.foldState() };
    // A worker stopping may close its channel at any moment: a failed send is ignored (with no callback it
    // would be an 'error' event on the Worker, and unhandled, the end of the primary).
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send(message, ignore);
  };
  const timer = setInterval(report, deps.reportMs ?? 1_000);
  timer.unref();
  return {
    receiver,
    async stop() {
      clearInterval(timer);
      cluster.off('message', onMessage);
      await receiver.stop();
    },
  };
}
