import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectTraceTexts } from '../../../collectors/otel/index.ts';
import { CollectError } from '../../../collectors/types.ts';
import type { Collected } from '../../../collectors/types.ts';
import { DATA, expectMatchesKey, expectValidBatch, readKey } from '../answer-keys.ts';

const TRACES = `${DATA}/traces`;
const load = (name: string) => ({ file: `${TRACES}/${name}`, text: readFileSync(`${TRACES}/${name}`, 'utf8') });
const nameOf = (r: { class: string; name?: string }) => r.name!;
/** Service-to-service edges: what Jaeger's dependency rule (and so the answer keys) counts. */
const serviceEdges = (c: Collected) => c.relations
  .filter((r) => 'class' in r.to && r.to.class === 'service' && r.attributes?.evidence === 'parent')
  .map((r) => `${nameOf(r.from as never)} -> ${nameOf(r.to as never)}`);
const otherEdges = (c: Collected) => c.relations
  .filter((r) => r.attributes?.evidence !== 'parent')
  .map((r) => `${nameOf(r.from as never)} -> ${(r.to as { class: string }).class}:${nameOf(r.to as never)}`);

describe('otel collector on the Jaeger UI fixtures', () => {
  it.each([
    'jaeger-ui_genaiTestTrace',
    'jaeger-ui_flamegraph_testTrace',
    'jaeger-ui_spansAmongEachOther',
    'jaeger-ui_dependencies_small',
    'jaeger-ui_dependencies_large',
  ])('%s: service edges equal the answer key', (base) => {
    const collected = collectTraceTexts([load(`${base}.json`)]);
    expectMatchesKey(base, readKey(`${TRACES}/${base}.EXPECTED_EDGES.txt`), serviceEdges(collected));
    return expectValidBatch('otel', collected);
  });

  it('genai trace: the two uninstrumented databases become virtual nodes, named by db.namespace', () => {
    const collected = collectTraceTexts([load('jaeger-ui_genaiTestTrace.json')]);
    expect(otherEdges(collected).sort()).toEqual(['metrics-backend -> database:metrics', 'trace-store -> database:jaeger-span']);
    const db = collected.cis.find((c) => c.class === 'database' && c.name === 'metrics');
    expect(db?.attributes).toEqual({ dbSystem: 'clickhouse', dbName: 'metrics' });
  });

  it('genai trace: calls and errors are counted per edge (the k8s-api call that failed)', () => {
    const collected = collectTraceTexts([load('jaeger-ui_genaiTestTrace.json')]);
    const k8s = collected.relations.find((r) => nameOf(r.to as never) === 'k8s-api');
    expect(k8s?.observed).toMatchObject({ calls: 3, errors: 1 });
    expect(k8s?.observed?.lastSeen).toMatch(/^2026-/);
    expect(k8s?.provenance).toBe('observed');
  });

  it('genai trace: every service becomes a CI, including leaves that call nothing', () => {
    const collected = collectTraceTexts([load('jaeger-ui_genaiTestTrace.json')]);
    expect(collected.cis.filter((c) => c.class === 'service')).toHaveLength(10);
  });

  it('dependencies files carry the call counts and leave lastSeen to the server', () => {
    const collected = collectTraceTexts([load('jaeger-ui_dependencies_small.json')]);
    const edge = collected.relations.find((r) => nameOf(r.from as never) === 'Service2');
    expect(edge?.observed).toEqual({ calls: 129216, errors: 0 });
  });

  it('OTLP JSON sample: one service, internal spans only, no edge', () => {
    const collected = collectTraceTexts([load('jaeger-ui_otlp2jaeger-multi-in-combined.otlp.json')]);
    expect(collected.cis.map((c) => `${c.class}:${c.name}`)).toEqual(['service:example-trace']);
    expect(collected.relations).toEqual([]);
  });
});

describe('otel collector on OTLP JSON', () => {
  const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const request = (service: string, spans: object[], env?: string) => ({
    resourceSpans: [{
      resource: { attributes: [attr('service.name', service), ...(env ? [attr('deployment.environment.name', env)] : [])] },
      scopeSpans: [{ scope: { name: 'x' }, spans }],
    }],
  });
  const s = (spanId: string, over: object = {}) => ({ traceId: 'ab'.repeat(16), spanId, name: 'op', kind: 2, startTimeUnixNano: '1711138246940000000', endTimeUnixNano: '1711138247116321958', status: {}, ...over });

  it('pairs spans across requests and services, in JSON lines as the Collector file exporter writes', () => {
    const text = [
      JSON.stringify(request('frontend', [s('01', { kind: 3 }), s('03', { kind: 'SPAN_KIND_CLIENT', attributes: [attr('db.system', 'redis'), attr('server.address', 'valkey-cart')] })], 'prod')),
      JSON.stringify(request('cart', [s('02', { parentSpanId: '01', status: { code: 2 } })], 'prod')),
    ].join('\n');
    const collected = collectTraceTexts([{ file: 'x.jsonl', text }]);
    expect(collected.relations.map((r) => ({ to: r.to, observed: r.observed }))).toEqual([
      { to: { class: 'service', name: 'cart', environment: 'prod' }, observed: { calls: 1, errors: 1, lastSeen: '2024-03-22T20:10:47.116Z' } },
      { to: { class: 'cache', name: 'valkey-cart', environment: 'prod' }, observed: { calls: 1, errors: 0, lastSeen: '2024-03-22T20:10:47.116Z' } },
    ]);
  });

  it('rejects truncated JSON naming the file and line', () => {
    const text = readFileSync(`${TRACES}/jaeger-ui_otlp2jaeger-multi-in-combined.otlp.json`, 'utf8').slice(0, 700);
    expect(() => collectTraceTexts([{ file: 'cut.json', text }])).toThrow(CollectError);
    expect(() => collectTraceTexts([{ file: 'cut.json', text }])).toThrow(/^cut\.json:\d+: invalid JSON/);
  });

  it('rejects a span without a spanId, naming the line of the span and its path', () => {
    const text = JSON.stringify(request('a', [s('01'), { traceId: 'ab', kind: 2, endTimeUnixNano: '1' }]), null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"traceId": "ab"')) + 1;
    expect(() => collectTraceTexts([{ file: 'bad.json', text }])).toThrow(`bad.json:${line - 1}: resourceSpans[0].scopeSpans[0].spans[1].spanId: is missing`);
  });

  it('names the line of a malformed Jaeger span in a real fixture', () => {
    const text = readFileSync(`${TRACES}/jaeger-ui_spansAmongEachOther.json`, 'utf8').replace('"processID": "p2"', '"processID": "p9"');
    const line = text.split('\n').findIndex((l) => l.includes('"processID": "p9"')) + 1;
    expect(() => collectTraceTexts([{ file: 'j.json', text }])).toThrow(new RegExp(`^j\\.json:${line}: \\$\\.spans\\[\\d+\\]\\.processID: no process "p9"`));
  });

  it('rejects an unknown span kind and a document of another kind', () => {
    expect(() => collectTraceTexts([{ file: 'k.json', text: JSON.stringify(request('a', [s('01', { kind: 9 })])) }])).toThrow(/unknown span kind 9/);
    expect(() => collectTraceTexts([{ file: 'o.json', text: '{"kind": "Deployment"}' }])).toThrow(/^o\.json: not OTLP JSON traces/);
  });

  it('names the line of a broken document in a JSON-lines file', () => {
    const text = `${JSON.stringify(request('a', [s('01')]))}\n{"resourceSpans": [\n`;
    expect(() => collectTraceTexts([{ file: 'l.jsonl', text }])).toThrow(/^l\.jsonl:2: invalid JSON/);
  });
});
