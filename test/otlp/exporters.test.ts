import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateSync, gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { Metadata } from '@grpc/grpc-js';
import { context, diag, DiagLogLevel, SpanKind, trace, type Span } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { freePort } from '../helpers/child-server.ts';
import { decodeTraceResponse } from '../../server/otlp/otlp-proto.ts';
import { decodeStatus } from '../../server/otlp/rpc-status.ts';

/**
 * The real OpenTelemetry JS SDK, behind a tracer provider, exporting to a running server with each of
 * the three exporters people deploy: OTLP/HTTP protobuf (the SDK default), OTLP/HTTP JSON and OTLP/gRPC,
 * gzip-compressed as the Collector sends by default. Spans of two services become one observed edge.
 */
const require = createRequire(import.meta.url);
const generated = require('otlp-transformer-generated/build/src/generated/root.js');
const ExportTraceServiceRequest = generated.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Partial-success warnings the exporters log through the OpenTelemetry diag logger. */
const warnings: string[] = [];
diag.setLogger({
  error: () => {}, info: () => {}, debug: () => {}, verbose: () => {},
  warn: (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); },
}, DiagLogLevel.WARN);

let server: TestServer;
let grpcPort: number;
let token: string;

beforeAll(async () => {
  grpcPort = await freePort();
  server = await startTestServer({ config: { otlpGrpcPort: grpcPort } });
  token = await server.tokenFor('collector');
});
afterAll(async () => { await server?.close(); });

function provider(service: string, exporter: SpanExporter) {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'exporters' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

/** `caller` calls `callee` `n` times: a client span in one process, the server span under it in the other. */
async function traffic(caller: string, callee: string, exporter: () => SpanExporter, n = 3, extra?: (client: Span) => void) {
  const a = provider(caller, exporter());
  const b = provider(callee, exporter());
  for (let i = 0; i < n; i++) {
    const client = a.getTracer('test').startSpan('GET /items', { kind: SpanKind.CLIENT });
    extra?.(client);
    const handled = b.getTracer('test').startSpan('handle', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), client));
    handled.end();
    client.end();
  }
  await a.forceFlush();
  await b.forceFlush();
  await a.shutdown();
  await b.shutdown();
}

async function edge(from: string, to: string) {
  await server.otlp.flush({ final: true });
  const idOf = async (name: string) => (await server.api(`/api/v1/cis?q=${name}`)).body.items.find((c: { name: string }) => c.name === name)?.id as string | undefined;
  const [a, b] = [await idOf(from), await idOf(to)];
  if (!a || !b) return undefined;
  return (await server.api(`/api/v1/cis/${a}`)).body.relations.outgoing.find((r: { to: string }) => r.to === b);
}

const auth = () => ({ authorization: `Bearer ${token}` });

describe('OTLP receivers, with the OpenTelemetry JS SDK exporters as clients', () => {
  it('OTLP/HTTP protobuf, gzip (exporter-trace-otlp-proto): spans of two services become an observed edge', async () => {
    await traffic('proto-web', 'proto-api', () => new ProtoExporter({ url: `${server.url}/v1/traces`, headers: auth(), compression: 'gzip' as never }));
    expect(await edge('proto-web', 'proto-api')).toMatchObject({ type: 'DEPENDS_ON', provenance: ['observed'], observed: { calls: 3 } });
  });

  it('OTLP/HTTP JSON (exporter-trace-otlp-http): the same edge', async () => {
    await traffic('json-web', 'json-api', () => new JsonExporter({ url: `${server.url}/v1/traces`, headers: auth() }));
    expect(await edge('json-web', 'json-api')).toMatchObject({ type: 'DEPENDS_ON', observed: { calls: 3 } });
  });

  it('OTLP/gRPC TraceService/Export, gzip, bearer token in the metadata (exporter-trace-otlp-grpc)', async () => {
    // The scheme in lower case, as a hand-written Collector `headers:` entry may have it: any case is taken.
    const metadata = () => { const m = new Metadata(); m.set('authorization', `bearer ${token}`); return m; };
    await traffic('grpc-web', 'grpc-api', () => new GrpcExporter({ url: `http://127.0.0.1:${grpcPort}`, metadata: metadata(), compression: 'gzip' as never }));
    expect(await edge('grpc-web', 'grpc-api')).toMatchObject({ type: 'DEPENDS_ON', observed: { calls: 3 } });
  });

  it('gRPC without a token, or with a viewer token, is refused and nothing is folded', async () => {
    const before = server.otlp.stats().requests;
    const results: { code?: number }[] = [];
    for (const t of [null, await server.tokenFor('viewer')]) {
      const m = new Metadata();
      if (t) m.set('authorization', `Bearer ${t}`);
      const exporter = new GrpcExporter({ url: `http://127.0.0.1:${grpcPort}`, metadata: m });
      const p = provider('denied', exporter);
      const span = p.getTracer('t').startSpan('x');
      span.end();
      results.push(await new Promise((resolve) => exporter.export([(span as unknown as never)], (r) => resolve({ code: r.code }))));
      await p.shutdown();
    }
    expect(results.map((r) => r.code)).toEqual([1, 1]); // ExportResultCode.FAILED
    expect(server.otlp.stats().requests).toBe(before);
  });

  it('partial success: a span naming its own service as its peer is told back to the exporter, and the others still make edges', async () => {
    warnings.length = 0;
    await traffic('loop', 'loop-callee', () => new ProtoExporter({ url: `${server.url}/v1/traces`, headers: auth() }), 1, (client) => client.setAttribute('peer.service', 'loop'));
    expect(warnings.join('\n')).toMatch(/Partial Success.*cannot relate to itself/);
    expect(await edge('loop', 'loop-callee')).toMatchObject({ observed: { calls: 1 } });
  });

  it('tells an SDK that also exports metrics and logs to the same endpoint that only traces are taken', async () => {
    for (const signal of ['metrics', 'logs']) {
      const proto = await fetch(`${server.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...auth() }, body: Buffer.alloc(0) });
      expect(proto.status).toBe(404);
      expect(decodeStatus(new Uint8Array(await proto.arrayBuffer()))).toMatchObject({ code: 5, message: expect.stringContaining(`OTEL_${signal.toUpperCase()}_EXPORTER=none`) });
      const json = await fetch(`${server.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: '{}' });
      expect(json.status).toBe(404);
      expect((await json.json()).error).toMatchObject({ code: 'not_found', message: expect.stringContaining('traces only') });
    }
  });

  it('answers protobuf with protobuf: an ExportTraceServiceResponse, or a google.rpc.Status on errors', async () => {
    const body = ExportTraceServiceRequest.encode({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] }, scopeSpans: [{ spans: [
        { traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 1), kind: 3 },
        { traceId: Buffer.alloc(0), spanId: Buffer.alloc(8, 2), kind: 2 },
      ] }] }],
    }).finish();
    const post = (b: Uint8Array | Buffer, headers: Record<string, string> = {}) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...auth(), ...headers }, body: Buffer.from(b) });
    const ok = await post(gzipSync(body), { 'content-encoding': 'gzip' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/application\/x-protobuf/);
    expect(decodeTraceResponse(new Uint8Array(await ok.arrayBuffer())).partialSuccess).toMatchObject({ rejectedSpans: 1, errorMessage: expect.stringContaining('traceId') });
    // The Collector's other usual compression is deflate (zlib); zstd and snappy are refused as such.
    expect((await post(deflateSync(body), { 'content-encoding': 'deflate' })).status).toBe(200);
    const zstd = await post(body, { 'content-encoding': 'zstd' });
    expect(zstd.status).toBe(415);
    expect(decodeStatus(new Uint8Array(await zstd.arrayBuffer())).message).toMatch(/zstd/);
    const bad = await post(new Uint8Array([0x0a, 0xff, 0xff, 0x01]));
    expect(bad.status).toBe(400);
    expect(decodeStatus(new Uint8Array(await bad.arrayBuffer()))).toMatchObject({ code: 3, message: expect.stringContaining('protobuf') });
    const anonymous = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body) });
    expect(anonymous.status).toBe(401);
    expect(decodeStatus(new Uint8Array(await anonymous.arrayBuffer())).code).toBe(16);
  });
});
