import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { createBatchWriter, type ObserveIngest } from './batch-writer.ts';
import { serveIngest } from './ingest-request.ts';
import { errorToThreadError, type FromThread, type ThreadSettings, type ToThread } from './thread-protocol.ts';
import type { ChangeEvent } from '../model/records.ts';
import type { EncodedChangeEvent } from '../live/change-feed.ts';
import { changesJson } from '../store/sqlite/event-codec.ts';

/**
 * The ingest writer thread (started by ingest-thread.ts through thread-boot.mjs): its own connection to the
 * store file and the batch writer the route would use in-process, serving one request after another. Its event
 * loop serves nothing else, so a batch's parse, validation, planning and COMMIT never wait for reads, and reads
 * never wait for them. The store's own mutex serialises its transactions anyway: one at a time costs nothing.
 */
const port = parentPort!;
const settings = workerData as ThreadSettings;
const send = (m: FromThread) => port.postMessage(m);

const store = new SqliteStore({ file: settings.file, synchronous: settings.synchronous, busy: { waitMs: settings.busyTimeoutMs, retryForMs: 0 } });
await store.init();

// What the writer reports of the request being served (one at a time), sent back with its reply.
let observed: Parameters<ObserveIngest> | null = null;
let event: ChangeEvent | null = null;
const writer = createBatchWriter({
  store, limits: settings.limits, maxRetireShare: settings.maxRetireShare, idempotencyTtlMs: settings.idempotencyTtlMs,
  feed: { offer: (e) => { event = e; } },
  observe: (...a) => { observed = a; },
});

/** Each message with when it arrived (performance.now() on this thread): its wait in the queue is reported. */
const queue: { m: ToThread; at: number }[] = [];
let serving = false;
async function drain(): Promise<void> {
  if (serving) return;
  serving = true;
  try {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { m, at } = next;
      if (m.type === 'close') {
        await store.close();
        send({ type: 'closed' });
        port.close();
        return;
      }
      observed = null;
      event = null;
      const started = performance.now();
      const ms = () => ({ queued: started - at, served: performance.now() - started });
      try {
        const written = await serveIngest(writer, m.request);
        // The changes go as the JSON text the store kept (the main thread parses them once it has replied).
        // (Set by the writer's feed while it served: TypeScript cannot see that.)
        const e = event as ChangeEvent | null;
        const encoded: EncodedChangeEvent | null = e && { seq: e.seq, at: e.at, source: e.source, changesJson: changesJson(e.changes) };
        send({ type: 'reply', id: m.id, observed, ms: ms(), ok: true, written, event: encoded });
      } catch (e) {
        send({ type: 'reply', id: m.id, observed, ms: ms(), ok: false, error: errorToThreadError(e) });
      }
    }
  } finally {
    serving = false;
  }
}

port.on('message', (m: ToThread) => { queue.push({ m, at: performance.now() }); void drain(); });
send({ type: 'ready' });
