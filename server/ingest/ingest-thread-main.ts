import { AsyncLocalStorage } from 'node:async_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { createBatchWriter } from './batch-writer.ts';
import { serveIngest } from './ingest-request.ts';
import { errorToThreadError, type FromThread, type ThreadSettings, type ToThread } from './thread-protocol.ts';
import type { ChangeEvent } from '../model/records.ts';
import type { EncodedChangeEvent } from '../live/change-feed.ts';
import { listenForIngest } from './ingest-listener.ts';
import type { LogLevel } from '../log.ts';
import { changesJson } from '../store/sqlite/event-codec.ts';
import { lendToMainThread, takeWriterPriority } from './writer-priority.ts';
import { idleScavenge } from './idle-scavenge.ts';

/**
 * The ingest writer thread (started by ingest-thread.ts through thread-boot.mjs): its own connection to the
 * store file and the batch writer the route would use in-process, serving one request after another. Its event
 * loop serves nothing else, so a batch's parse, validation, planning and COMMIT never wait for reads, and reads
 * never wait for them. The store's own mutex serialises its transactions anyway: one at a time costs nothing.
 * With SERVICEGRAPH_INGEST_PORT it also listens for batches itself (ingest-listener.ts), so that they do not
 * wait for the main thread's loop either, to be read or answered.
 */
const port = parentPort!;
const settings = workerData as ThreadSettings;
// Ahead of the threads serving reads for the CPU, before any work (writer-priority.ts).
const priority = takeWriterPriority(settings.nice ?? 0);
const send = (m: FromThread) => port.postMessage(m);
/** Counted once the reply is posted: the main thread's turns end early while one waits there (urgent.ts). */
const posted = settings.repliesPosted ? new Int32Array(settings.repliesPosted) : null;
/** The priority the thread took, lent to the main thread until it takes the reply (writer-priority.ts); null: none to lend. */
const lent = !('error' in priority) && priority.nice < 0 ? priority.nice : null;
const reply = (m: Extract<FromThread, { type: 'reply' }>) => {
  if (lent !== null) lendToMainThread(lent);
  send(m);
  if (posted) Atomics.add(posted, 0, 1);
};

const store = new SqliteStore({ file: settings.file, synchronous: settings.synchronous, busy: { waitMs: settings.busyTimeoutMs, retryForMs: 0 } });
await store.init();

/**
 * Where a commit's event goes: a batch handed over by the main thread carries it back in its reply (which the main
 * thread answers before its projection takes it), one that came to this thread's own listener sends it at once.
 * The changes go as the JSON text the store kept (the main thread parses them once it has replied).
 */
const handedOver = new AsyncLocalStorage<{ event: EncodedChangeEvent | null }>();
const writer = createBatchWriter({
  store, limits: settings.limits, maxRetireShare: settings.maxRetireShare, idempotencyTtlMs: settings.idempotencyTtlMs,
  feed: {
    offer(e: ChangeEvent) {
      const event = { seq: e.seq, at: e.at, source: e.source, changesJson: changesJson(e.changes) };
      const request = handedOver.getStore();
      if (request) request.event = event;
      else send({ type: 'committed', event });
    },
  },
  observe: (...observed) => send({ type: 'observed', observed }),
});
/** Each message with when it arrived (performance.now() on this thread): its wait in the queue is reported. */
const queue: { m: Exclude<ToThread, { type: 'forget' }>; at: number }[] = [];
let serving = false;
/**
 * Once every batch is answered (the main thread's queue empty, none in hand on this thread's own port), a young
 * generation holding a batch's leftovers is emptied before the next batch comes, so that no scavenge falls inside one
 * (idle-scavenge.ts): 8 MB is well under a 1,000-CI batch's ~19 MB, and a few small batches (incidents, a handful of
 * CIs) add up to it before one is paid for.
 */
const scavenger = idleScavenge({ minBytes: 8 << 20 });
const betweenBatches = () => {
  if (!serving && queue.length === 0 && (listener?.inFlight ?? 0) === 0) scavenger.maybeScavenge();
};

// SERVICEGRAPH_INGEST_PORT: batches also come straight to this loop, over HTTP.
const listener = settings.listen
  ? await listenForIngest({ store, writer, bodyBytes: settings.limits.bodyBytes, host: settings.listen.host, port: settings.listen.port, logLevel: settings.listen.logLevel as LogLevel,
    observeHttp: (...observed) => send({ type: 'observed-http', observed }), betweenBatches })
  : null;

async function drain(): Promise<void> {
  if (serving) return;
  serving = true;
  try {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { m, at } = next;
      if (m.type === 'close') {
        await listener?.close();
        await store.close();
        send({ type: 'closed' });
        port.close();
        return;
      }
      const started = performance.now();
      const ms = () => ({ queued: started - at, served: performance.now() - started });
      try {
        const request = { event: null as EncodedChangeEvent | null };
        const written = await handedOver.run(request, () => serveIngest(writer, m.request));
        reply({ type: 'reply', id: m.id, ms: ms(), ok: true, written, event: request.event });
      } catch (e) {
        reply({ type: 'reply', id: m.id, ms: ms(), ok: false, error: errorToThreadError(e) });
      }
    }
  } finally {
    serving = false;
  }
  betweenBatches();
}

port.on('message', (m: ToThread) => {
  // A revocation takes effect at once, not after the batches queued.
  if (m.type === 'forget') { listener?.forget(m.tokenId); return; }
  queue.push({ m, at: performance.now() });
  void drain();
});
send({ type: 'ready', port: listener?.port ?? null, priority });
