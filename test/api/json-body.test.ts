import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { MAX_JSON_DEPTH } from '../../server/api/json-depth.ts';

/**
 * JSON bodies as a hostile client sends them: nested past any walk's stack, spelling `__proto__` in another charset
 * or an escape, in charsets no JSON client uses. Every route reads its body through one of two readers (the JSON
 * reader, and the ingest route's raw reader), and OTLP/HTTP's JSON through the first: each is attacked.
 */
describe('JSON bodies', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s.close(); });

  const send = async (path: string, body: Uint8Array | string, contentType = 'application/json', headers: Record<string, string> = {}) => {
    const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${s.adminToken}`, ...headers }, body: typeof body === 'string' ? body : Buffer.from(body) });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) };
  };
  /** A body whose `title` (assess) or a CI's `attributes` (ingest) is `depth - levelsAbove` arrays deep: the body as a whole nests `depth` deep. */
  const nested = (route: 'assess' | 'ingest', depth: number) => route === 'assess'
    ? `{"title":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`
    : `{"source":"manual","cis":[{"class":"service","name":"deep","attributes":{"a":${'['.repeat(depth - 4)}${']'.repeat(depth - 4)}}}]}`;
  const routes = [['assess', '/api/v1/changes/assess'], ['ingest', '/api/v1/ingest']] as const;

  it.each(routes)('%s: a body nesting deeper than 128 levels is refused 400 too_deep; at 128 it is parsed and judged by its schema', async (route, path) => {
    const over = await send(path, nested(route, MAX_JSON_DEPTH + 1));
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'too_deep', details: { limit: MAX_JSON_DEPTH } });
    const at = await send(path, nested(route, MAX_JSON_DEPTH));
    // The schema's own problem, where the nesting is: a batch's attributes nest at most 6 levels, which refuses
    // that CI alone (listed in the reply); the change's title is missing, which refuses the request.
    if (route === 'assess') {
      expect(at.status).toBe(400);
      expect(at.body.error.details.problems[0].path).toEqual(['title']);
    } else {
      expect(at.status).toBe(200);
      expect(at.body.refused).toEqual([{ at: 'cis.0', code: 'too_deep', message: expect.stringMatching(/^attributes: /) }]);
    }
  });

  it.each(routes)('%s: a million brackets are refused 400 too_deep at once, compressed or not', async (_route, path) => {
    const body = '{"a":' + '['.repeat(1_000_000) + ']'.repeat(1_000_000) + '}';
    const started = performance.now();
    for (const r of [await send(path, body), await send(path, gzipSync(body), 'application/json', { 'content-encoding': 'gzip' })]) {
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('too_deep');
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('brackets inside strings are text, not depth', async () => {
    const r = await send('/api/v1/ingest', JSON.stringify({ source: 'manual', cis: [{ class: 'service', name: 'brackets', attributes: { text: '['.repeat(10_000) } }] }));
    expect(r.status).toBe(200);
  });

  const protoBatch = (key: string) => `{"source":"manual","cis":[{"class":"service","name":"p","attributes":{"${key}":{"x":1}}}]}`;

  it.each([
    ['UTF-16LE', 'utf-16le', (t: string) => Buffer.from(t, 'utf16le')],
    ['UTF-16BE', 'utf-16be', (t: string) => Buffer.from(t, 'utf16le').swap16()],
    ['UTF-16 with a big-endian byte order mark', 'utf-16', (t: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()])],
    ['UTF-8 as a \\u escape', 'utf-8', (t: string) => Buffer.from(t.replace('__proto__', '\\u005f_proto__'))],
  ])('a key __proto__ spelled in %s is refused 400 naming where, on every reader', async (_what, charset, encode) => {
    const before = await s.store.latestSeq();
    for (const [path, body] of [['/api/v1/ingest', protoBatch('__proto__')], ['/api/v1/changes/assess', '{"title":"t","type":"normal","window":{"__proto__":{}},"cis":[]}']]) {
      const r = await send(path, encode(body), `application/json; charset=${charset}`);
      expect(r.status, path).toBe(400);
      expect(r.body.error.details.problems[0]).toMatchObject({ code: 'reserved_key' });
      expect(r.body.error.details.problems[0].path.at(-1)).toBe('__proto__');
    }
    const otlp = await send('/v1/traces', encode('{"resourceSpans":[{"__proto__":{}}]}'), `application/json; charset=${charset}`);
    expect(otlp.status).toBe(400);
    expect(await s.store.latestSeq()).toBe(before);
  });

  it('a UTF-16 body is read as the text it spells', async () => {
    const r = await send('/api/v1/ingest', Buffer.from(protoBatch('région'), 'utf16le'), 'application/json; charset=utf-16le');
    expect(r.status).toBe(200);
    const found = await s.api('/api/v1/cis?q=p');
    const ci = found.body.items.find((c: { name: string }) => c.name === 'p');
    expect((await s.api(`/api/v1/cis/${ci.id}`)).body.attributes).toEqual({ région: { x: 1 } });
  });

  it.each(['utf-32', 'utf-32le', 'UTF-32BE', 'utf-7', 'iso-8859-1'])('a body in charset %s is refused 415 on every reader', async (charset) => {
    for (const path of ['/api/v1/ingest', '/api/v1/changes/assess', '/v1/traces']) {
      const r = await send(path, Buffer.from('{}'), `application/json; charset=${charset}`);
      expect(r.status, path).toBe(415);
      expect(r.body.error.code).toBe('unsupported_media_type');
    }
  });
});
