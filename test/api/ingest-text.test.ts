import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Input that would silently change meaning is refused or reported (issue 10, item 9). */
describe('ingest: text that identifies CIs', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s.close(); });

  const ingest = (body: unknown, query = '') => s.api(`/api/v1/ingest${query}`, { body });

  it.each([
    ['a lone surrogate in a name', { class: 'service', name: 'pay\ud800ments' }, ['cis', 0, 'name']],
    ['a control character in a name', { class: 'service', name: 'a\u001fb' }, ['cis', 0, 'name']],
    ['a NUL in an environment', { class: 'service', name: 'x', environment: 'prod\u0000' }, ['cis', 0, 'environment']],
    ['a lone low surrogate in an identifier value', { class: 'host', name: 'h', identifiers: { fqdn: 'h\udc00.example' } }, ['cis', 0, 'identifiers', 'fqdn']],
    ['a control character in an identifier name', { class: 'host', name: 'h', identifiers: { 'serial\u001fNumber': '1' } }, ['cis', 0, 'identifiers', 'serial\u001fNumber']],
    ['a C1 control character in an owner', { class: 'service', name: 'x', owner: 'team\u0085' }, ['cis', 0, 'owner']],
  ])('refuses %s, naming the item and the field, and writes nothing of it', async (_what, ci, path) => {
    const before = await s.store.latestSeq();
    for (const query of ['', '?dryRun=true']) {
      const r = await ingest({ source: 'manual', cis: [ci] }, query);
      expect(r.status).toBe(200);
      expect(r.body.refused.map((x: { at: string }) => x.at)).toEqual(['cis.0']);
      expect(r.body.refused[0].message.startsWith(`${path.slice(2).join('.')}: `)).toBe(true);
    }
    expect(await s.store.latestSeq()).toBe(before);
  });

  it('keeps a well-formed astral character (a surrogate pair) as it is', async () => {
    const r = await ingest({ source: 'manual', cis: [{ class: 'service', name: 'rocket-🚀' }] });
    expect(r.status).toBe(200);
    const found = await s.api(`/api/v1/cis?q=${encodeURIComponent('rocket-🚀')}`);
    expect(found.body.items.map((c: { name: string }) => c.name)).toEqual(['rocket-🚀']);
  });

  it('environment "a\\u001fb" + name "c" and environment "a" + name "b\\u001fc" can no longer meet: both are refused', async () => {
    expect((await ingest({ source: 'manual', cis: [{ class: 'service', environment: 'a\u001fb', name: 'c' }] })).body.refused).toHaveLength(1);
    expect((await ingest({ source: 'manual', cis: [{ class: 'service', environment: 'a', name: 'b\u001fc' }] })).body.refused).toHaveLength(1);
  });

  it('says which items of a batch named the same CI and were merged', async () => {
    const r = await ingest({ source: 'manual', cis: [
      { class: 'service', name: 'dup', environment: 'prod', tier: 2 },
      { class: 'service', name: 'other', environment: 'prod' },
      { class: 'service', name: 'dup', environment: 'prod', tier: 1 },
    ] });
    expect(r.status).toBe(200);
    expect(r.body.duplicates).toEqual({ count: 1, items: [{ index: 2, sameAs: 0 }] });
    expect(r.body.cis.created).toBe(2);
    const dry = await ingest({ source: 'manual', cis: [{ class: 'service', name: 'd2' }, { class: 'service', name: 'd2' }] }, '?dryRun=true');
    expect(dry.body.duplicates).toEqual({ count: 1, items: [{ index: 1, sameAs: 0 }] });
    const single = await ingest({ source: 'manual', cis: [{ class: 'service', name: 'single' }] });
    expect(single.body.duplicates).toBeUndefined();
  });

  it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__defineGetter__'])('merges an attribute named %s asserted by two sources', async (key) => {
    const ci = (source: string, v: number) => ({ source, scope: source, cis: [{ class: 'service', name: `proto-${key}`, attributes: JSON.parse(`{"${key}": ${v}, "plain": ${v}}`) }] });
    expect((await ingest(ci('manual', 1))).status).toBe(200);
    expect((await ingest(ci('csv', 2), '?dryRun=true')).status).toBe(200);
    expect((await ingest(ci('csv', 2))).status).toBe(200);
    const found = await s.api(`/api/v1/cis?q=proto-${key}`);
    const detail = await s.api(`/api/v1/cis/${found.body.items[0].id}`);
    expect(Object.getOwnPropertyDescriptor(detail.body.attributes, key)?.value).toBe(1); // manual outranks csv
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an attribute named __proto__ rather than dropping it', async () => {
    const r = await ingest(JSON.parse('{"source": "manual", "cis": [{"class": "service", "name": "p", "attributes": {"__proto__": {"polluted": 1}}}]}'));
    // Refused before the body is read as a batch (json-body.ts): the whole body, as any body holding one.
    expect(r.status).toBe(400);
    expect(r.body.error.details.problems[0].path).toEqual(['cis', 0, 'attributes', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
