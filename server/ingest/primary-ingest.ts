import cluster from 'node:cluster';
import type { CommittedEvent, EncodedChangeEvent } from '../live/change-feed.ts';
import { IngestThread, type IngestThreadOptions } from './ingest-thread.ts';
import type { ObserveIngest } from './batch-writer.ts';
import type { ObserveHttp } from '../ops/metrics.ts';

/** What the primary sends each API worker for a batch its ingest listener committed. */
const COMMITTED_ELSEWHERE = 'servicegraph.ingest-committed';
/** What the primary sends one API worker for the metrics of a request its listener served. */
const OBSERVED_ELSEWHERE = 'servicegraph.ingest-observed';

type Observed = { kind: 'ingest'; args: Parameters<ObserveIngest> } | { kind: 'http'; args: Parameters<ObserveHttp> };

/**
 * With API workers (SERVICEGRAPH_WORKERS) and SERVICEGRAPH_INGEST_PORT: the primary's own writer thread listens
 * for batches (one port can have one listener; the workers' threads have none), and each committed event goes to
 * every worker, whose feed takes it as it takes its own (the projection, caches and live hub hear of it without
 * waiting for the feed's poll). The primary's event loop only passes the events on: it serves no reads.
 */
export function startPrimaryIngest(opts: Omit<IngestThreadOptions, 'feed' | 'observe' | 'observeHttp'> & { listen: NonNullable<IngestThreadOptions['listen']> }): Promise<IngestThread> {
  // The primary keeps no metrics of its own (a scrape sums the workers' registries: cluster-metrics.ts), so each
  // request's observations are recorded by one worker, in turn; counted once, they are in the sums.
  let turn = 0;
  const toOneWorker = (observed: Observed) => {
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
    const w = workers[turn++ % Math.max(1, workers.length)];
    // None connected (the group stopping): the observation is lost with the workers' registries anyway.
    w?.send({ type: OBSERVED_ELSEWHERE, observed }, undefined, {}, () => {});
  };
  return IngestThread.start({
    ...opts,
    observe: (...args) => toOneWorker({ kind: 'ingest', args }),
    observeHttp: (...args) => toOneWorker({ kind: 'http', args }),
    feed: {
      offer(event: CommittedEvent) {
        for (const w of Object.values(cluster.workers ?? {})) {
          // A worker starting or stopping meanwhile reads the event from the log (its start, or the next worker's poll).
          if (w?.isConnected()) w.send({ type: COMMITTED_ELSEWHERE, event }, undefined, {}, () => {});
        }
      },
    },
  });
}

/**
 * In an API worker: the batches the primary's listener committed reach `feed`, and the metrics of the requests it
 * served that the primary gave this worker to count reach `metrics`. Returns what stops it.
 */
export function followPrimaryIngest(feed: { offer(event: CommittedEvent): void }, metrics: { observeIngest: ObserveIngest; observeHttp: ObserveHttp }): () => void {
  const heard = (m: unknown) => {
    const msg = m as { type?: unknown; event?: EncodedChangeEvent; observed?: Observed } | null;
    if (msg?.type === COMMITTED_ELSEWHERE && msg.event) feed.offer(msg.event);
    else if (msg?.type === OBSERVED_ELSEWHERE && msg.observed?.kind === 'ingest') metrics.observeIngest(...msg.observed.args);
    else if (msg?.type === OBSERVED_ELSEWHERE && msg.observed?.kind === 'http') metrics.observeHttp(...msg.observed.args);
  };
  process.on('message', heard);
  return () => { process.off('message', heard); };
}
