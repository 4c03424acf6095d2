import fc from 'fast-check';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loadConfig } from '../../server/config.ts';

/**
 * Property-based fuzzing of every route the OpenAPI document lists: bodies and query strings derived
 * from each operation's own schema (valid values, boundary values, hostile strings, wrong types, keys
 * named like Object.prototype members), sent with an admin token so every role check passes.
 * For every request: never a 5xx, and a 4xx leaves the change-event log as it was (a refused request
 * changed nothing). A route that registers its operation (server/api/route-table.ts) is fuzzed
 * without any change here. Runs are bounded so the suite stays a few seconds.
 */

type Schema = {
  type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[];
  properties?: Record<string, Schema>; required?: string[]; additionalProperties?: boolean | Schema; items?: Schema | Schema[];
  minimum?: number; maximum?: number; exclusiveMinimum?: number | boolean; exclusiveMaximum?: number | boolean;
  minLength?: number; maxLength?: number; minItems?: number; maxItems?: number; format?: string; pattern?: string; nullable?: boolean;
};
type Operation = { parameters?: { name: string; in: string; schema: Schema; required?: boolean }[]; requestBody?: { content: Record<string, { schema: Schema }> } };

const RUNS_PER_OPERATION = 12;

/** Strings a hostile client sends: control characters, lone surrogates, prototype names, encodings, huge numbers. */
const hostileString = fc.constantFrom(
  '', ' ', 'a\u0000b', 'a\u001fb', '\ud800', 'x\udc00y', '__proto__', 'constructor', 'toString', 'hasOwnProperty',
  '%E0%A4', '%ZZ', '../..', "'; DROP TABLE cis; --", 'MATCH (n) DETACH DELETE n', '${jndi:x}', 'null', 'true', '-1', '1e309',
  'NaN', '9'.repeat(40), 'ci-0', 'W3siYSI6MX0sIngiXQ', 'e30', '2026-13-45T99:99:99Z', 'x'.repeat(3000),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const protoKeys = fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__');

function stringFor(s: Schema): fc.Arbitrary<string> {
  const valid = s.format === 'date-time'
    ? fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
    : fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 20, 20) });
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) });
}

function numberFor(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = typeof s.minimum === 'number' ? s.minimum : -1e6, max = typeof s.maximum === 'number' ? s.maximum : 1e6;
  const inRange = integer ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }) : fc.double({ min, max, noNaN: true });
  return fc.oneof({ weight: 3, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, 0, -1, 2 ** 53, 0.5, -0) });
}

/** Values for a JSON schema: mostly what it describes, sometimes not (wrong types, extra and prototype keys). */
function valueFor(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 4) return anyJson;
  const exact = exactFor(s, depth);
  return fc.oneof({ weight: 6, arbitrary: exact }, { weight: 1, arbitrary: anyJson });
}

function exactFor(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => valueFor(a, depth + 1)));
  if (s.allOf?.length) return valueFor(s.allOf[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const base = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'string': return stringFor(s);
      case 'integer': return numberFor(s, true);
      case 'number': return numberFor(s, false);
      case 'boolean': return fc.boolean();
      case 'null': return fc.constant(null);
      case 'array': {
        const item = Array.isArray(s.items) ? s.items[0] : s.items;
        return fc.array(valueFor(item, depth + 1), { minLength: Math.min(s.minItems ?? 0, 3), maxLength: Math.min(s.maxItems ?? 4, 4) });
      }
      case 'object': case undefined: {
        if (!s.properties && !s.additionalProperties) return anyJson;
        const props = Object.entries(s.properties ?? {});
        const required = new Set(s.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of props) record[k] = valueFor(v, depth + 1);
        const known = fc.record(record, { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k) || Math.random() < 0.5) });
        const extra = typeof s.additionalProperties === 'object'
          ? fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), protoKeys), valueFor(s.additionalProperties, depth + 1), { maxKeys: 3 })
          : fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(protoKeys, anyJson, { maxKeys: 2 }) });
        // Own keys as JSON.parse would make them ("__proto__" included), never prototype changes.
        return fc.tuple(known, extra).map(([a, b]) => JSON.parse(JSON.stringify(Object.assign(Object.create(null), a, b))));
      }
      default: return anyJson;
    }
  })();
  return s.nullable ? fc.oneof(base, fc.constant(null)) : base;
}

function queryFor(op: Operation): fc.Arbitrary<string> {
  const params = (op.parameters ?? []).filter((p) => p.in === 'query');
  const record: Record<string, fc.Arbitrary<string | undefined>> = {};
  for (const p of params) {
    record[p.name] = fc.option(valueFor(p.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')), { nil: undefined });
  }
  const junk = fc.option(fc.tuple(fc.oneof(protoKeys, fc.string({ maxLength: 8 })), fc.string({ maxLength: 8 })), { nil: undefined });
  return fc.tuple(fc.record(record), junk).map(([q, extra]) => {
    const parts = Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`);
    if (extra) parts.push(`${encodeURIComponent(extra[0])}=${encodeURIComponent(extra[1])}`);
    return parts.length ? '?' + parts.join('&') : '';
  });
}

/** Path parameters: ids that exist, ids that do not, and raw text that is not valid percent-encoding. */
const pathParam = (known: string[]) => fc.oneof(
  fc.constantFrom(...known),
  fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('%E0%A4', '%ZZ', '%', '%00', '..%2F..', '__proto__', 'constructor'),
);

describe('fuzzing every route of the OpenAPI document', () => {
  let s: TestServer;
  let paths: Record<string, Record<string, Operation>>;
  const known: string[] = [];

  beforeAll(async () => {
    // No timed OTLP flush during the run: the log may change only by the requests themselves.
    s = await startTestServer({ demo: { cis: 200, seed: 7 }, config: { otlp: { ...loadConfig({}).otlp, flushMs: 3_600_000 } } });
    const doc = await s.api('/api/v1/openapi.json');
    paths = doc.body.paths;
    const cis = await s.api('/api/v1/cis?limit=3');
    known.push(...cis.body.items.map((c: { id: string }) => c.id));
    const inc = await s.api('/api/v1/incidents', { body: { title: 'fuzz', urgency: 2, cis: [{ ci: known[0], state: 'down' }] } });
    if (inc.status === 201) known.push(inc.body.id);
  }, 180_000);
  afterAll(async () => { await s?.close(); });

  it('lists operations to fuzz', () => {
    expect(Object.keys(paths).length).toBeGreaterThan(10);
  });

  it('never answers 5xx, and a refused request leaves the change-event log unchanged', async () => {
    const failures: string[] = [];
    for (const [template, methods] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const body = op.requestBody?.content['application/json']?.schema;
        const request = fc.record({
          path: fc.tuple(...(template.match(/\{\w+\}/g) ?? []).map(() => pathParam(known)), fc.constant(0))
            .map((values) => { let i = 0; return template.replace(/\{\w+\}/g, () => String(values[i++])); }),
          query: queryFor(op),
          body: method === 'get' || method === 'delete' ? fc.constant(undefined) : fc.oneof({ weight: 8, arbitrary: valueFor(body) }, { weight: 1, arbitrary: fc.constantFrom('{', '[1,', '"\\ud800"', 'null', '') }),
        });
        await fc.assert(fc.asyncProperty(request, async (r) => {
          const before = await s.store.latestSeq();
          const res = await s.api(r.path + r.query, { method: method.toUpperCase(), body: r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body) });
          const after = await s.store.latestSeq();
          const where = `${method.toUpperCase()} ${r.path}${r.query} ${JSON.stringify(r.body)?.slice(0, 300)}`;
          if (res.status >= 500) { failures.push(`${res.status} ${where}: ${JSON.stringify(res.body).slice(0, 200)}`); return false; }
          if (res.status >= 400 && after !== before) { failures.push(`${res.status} changed the log ${before} → ${after}: ${where}`); return false; }
          if (res.status >= 400) expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
          return true;
        }), { numRuns: RUNS_PER_OPERATION, seed: 20261205, endOnFailure: true }).catch(() => { /* collected in failures */ });
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
