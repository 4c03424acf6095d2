import { createServer, type Server } from 'node:http';
import { answerClientErrors } from '../api/client-errors.ts';
import { createApp } from '../api/app.ts';
import { createTokenAuth } from '../api/auth.ts';
import { ingestRoutes } from '../api/routes/ingest.ts';
import { createLogger, type LogLevel } from '../log.ts';
import type { GraphStore } from '../store/port.ts';
import type { BatchWriter } from './batch-writer.ts';
import { servedHere } from './ingest-request.ts';
import type { ObserveHttp } from '../ops/metrics.ts';

/** How long a stopping listener waits for the batches it is serving before it cuts their connections. */
const DRAIN_MS = 10_000;

export interface IngestListener {
  port: number;
  /** Batches this listener is serving now (read, written, not yet answered). */
  readonly inFlight: number;
  /** Forget a revoked token at once (the main thread tells this one: it has its own authenticator). */
  forget(tokenId: string): void;
  /** Stops accepting, lets the requests in hand finish (up to DRAIN_MS), then closes. */
  close(): Promise<void>;
}

/**
 * `POST /api/v1/ingest` on a port of its own (SERVICEGRAPH_INGEST_PORT), served where it is started: the ingest
 * writer thread (ingest-thread-main.ts), whose event loop serves nothing else. Under read load a batch sent to the
 * main port waited for the loop that serves reads three times: to be read off its socket (a read's turn, up to a
 * map near a hub), to be handed over, and for its reply; here it waits for none of them. The same app and route
 * as on the main port (createApp, ingestRoutes): the same authentication, role check, body limits, idempotency,
 * answers, errors and Server-Timing; /healthz answers while it listens, and every other path is 404.
 */
export async function listenForIngest(opts: {
  store: GraphStore; writer: BatchWriter; bodyBytes: number; host: string; port: number; logLevel: LogLevel;
  /** Each request, for the HTTP metrics of the process it serves (servicegraph_http_*), which live on the main thread. */
  observeHttp?: ObserveHttp;
  /**
   * Called once a batch was answered and no other is being served here: the writer thread's moment to empty its young
   * generation (idle-scavenge.ts), as it does once the main thread's batches are answered. In a later turn than the
   * reply, so that the reply is on its socket first.
   */
  betweenBatches?: () => void;
}): Promise<IngestListener> {
  const logger = createLogger({ level: opts.logLevel, pretty: false });
  const tokens = createTokenAuth(opts.store, { log: (m) => logger.warn(m) });
  const serve = servedHere(opts.writer);
  let inFlight = 0;
  const served: typeof serve = async (r, timing) => {
    inFlight++;
    try {
      return await serve(r, timing);
    } finally {
      inFlight--;
      if (opts.betweenBatches) setImmediate(() => { if (inFlight === 0) opts.betweenBatches!(); });
    }
  };
  const app = createApp({
    logger, ...(opts.observeHttp ? { metrics: { observeHttp: opts.observeHttp } } : {}), bodyBytes: opts.bodyBytes, authenticate: tokens.authenticate, api: [ingestRoutes({ ingest: served })], root: [],
    health: () => ({ status: 200, body: { ok: true, serves: 'POST /api/v1/ingest' } }),
  });
  const server: Server = createServer(app);
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as { port: number }).port,
    get inFlight() { return inFlight; },
    forget: (id) => tokens.forget(id),
    close: () => new Promise<void>((resolve) => {
      const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      server.close(() => { clearTimeout(cut); resolve(); });
      server.closeIdleConnections();
    }),
  };
}
