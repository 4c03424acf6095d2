/**
 * One autocannon run in a process of its own, so that the load generator shares its event loop and heap
 * with neither the server nor the benchmark (whose million-CI projection and GC pauses made requests
 * look slow that the server had answered). Reads `{url, headers, connections, duration, requests}` as
 * JSON on stdin (and `overallRate`: at most that many requests a second in all, when set), cycles through
 * `requests` ({method, path, body?}), prints one JSON line of results.
 */
export {};

const autocannon = (await import('autocannon' as string)).default as (opts: object) => Promise<any>;

interface LoadRequest { method: 'GET' | 'POST'; path: string; body?: string }
interface LoadSpec { url: string; headers: Record<string, string>; connections: number; duration: number; requests: LoadRequest[]; overallRate?: number }

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const spec = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadSpec;
let next = 0;
const result = await autocannon({
  url: spec.url, connections: spec.connections, duration: spec.duration, headers: spec.headers,
  ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
  requests: [{ setupRequest: (req: object) => ({ ...req, ...spec.requests[next++ % spec.requests.length] }) }],
});
// errors: connection errors and timeouts (autocannon's 10 s) plus non-2xx answers, each also apart.
process.stdout.write(JSON.stringify({
  requestsPerSecond: result.requests.average, p99Ms: result.latency.p99, p50Ms: result.latency.p50,
  errors: result.errors + result.non2xx, timeouts: result.timeouts, non2xx: result.non2xx, requests: result.requests.total,
}) + '\n');
