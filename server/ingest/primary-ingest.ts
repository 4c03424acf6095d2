import cluster from 'node:cluster';
import type { CommittedEvent, EncodedChangeEvent } from '../live/change-feed.ts';
import { IngestThread, type IngestThreadOptions } from './ingest-thread.ts';

/** What the primary sends each API worker for a batch its ingest listener committed. */
const COMMITTED_ELSEWHERE = 'servicegraph.ingest-committed';

/**
 * With API workers (SERVICEGRAPH_WORKERS) and SERVICEGRAPH_INGEST_PORT: the primary's own writer thread listens
 * for batches (one port can have one listener; the workers' threads have none), and each committed event goes to
 * every worker, whose feed takes it as it takes its own (the projection, caches and live hub hear of it without
 * waiting for the feed's poll). The primary's event loop only passes the events on: it serves no reads.
 */
export function startPrimaryIngest(opts: Omit<IngestThreadOptions, 'feed'> & { listen: NonNullable<IngestThreadOptions['listen']> }): Promise<IngestThread> {
  return IngestThread.start({
    ...opts,
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

/** In an API worker: the batches the primary's listener committed reach `feed`. Returns what stops it. */
export function followPrimaryIngest(feed: { offer(event: CommittedEvent): void }): () => void {
  const heard = (m: unknown) => {
    const msg = m as { type?: unknown; event?: EncodedChangeEvent } | null;
    if (msg?.type === COMMITTED_ELSEWHERE && msg.event) feed.offer(msg.event);
  };
  process.on('message', heard);
  return () => { process.off('message', heard); };
}
