import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { UnavailableError } from '../domain/errors.ts';

/**
 * /metrics for the whole process group when API workers share the port (SERVICEGRAPH_WORKERS > 1).
 * A scrape reaches one worker, which asks the primary; the primary collects every worker's registry
 * with prom-client's AggregatorRegistry (each worker answers with its metrics as JSON over the cluster
 * IPC channel) and hands back one exposition: counters and histograms summed across workers, gauges by
 * the aggregator each one declares (sum, min, max, average). Prometheus then sees one target, whichever
 * worker answered, and `rate()` over the sums counts every request.
 */

const ASK = 'servicegraph:group-metrics?';
const ANSWER = 'servicegraph:group-metrics';

interface Ask { type: typeof ASK; id: number }
interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }

const isAsk = (m: unknown): m is Ask => typeof m === 'object' && m !== null && (m as Ask).type === ASK && typeof (m as Ask).id === 'number';
const isAnswer = (m: unknown): m is Answer => typeof m === 'object' && m !== null && (m as Answer).type === ANSWER && typeof (m as Answer).id === 'number';

/** In the primary: answer the workers' requests for the group's metrics. */
export function serveGroupMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isAsk(message)) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      // The worker may be stopping: a failed send is ignored (without a callback it would crash the primary).
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer } satisfies Answer, () => {});
    };
    aggregator.clusterMetrics().then((text) => reply({ text }), (e: unknown) => reply({ error: (e as Error).message }));
  });
}

/** The group's metrics could not be gathered: the scrape fails (503) rather than report part of the sums. */
export class GroupMetricsUnavailable extends UnavailableError {}

/**
 * In a worker: `registry` answers the primary's collections, and the returned function gives the
 * group's exposition for a scrape (it rejects with GroupMetricsUnavailable when the primary does not
 * answer within `timeoutMs`: a partial sum would look to Prometheus like counters going backwards).
 */
export function groupMetricsFromWorker(registry: Registry, timeoutMs = 10_000): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's collection requests.
  new AggregatorRegistry();
  const waiting = new Map<number, { resolve(text: string): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    clearTimeout(w.timer);
    if (typeof message.text === 'string') w.resolve(message.text);
    else w.reject(new GroupMetricsUnavailable(`the workers' metrics could not be collected: ${message.error ?? 'no answer'}`));
  });
  return () => new Promise<string>((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new GroupMetricsUnavailable(`the primary process did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    waiting.set(id, { resolve, reject, timer });
    process.send?.({ type: ASK, id } satisfies Ask);
  });
}
