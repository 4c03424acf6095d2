import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const svc = (name: string, extra: object = {}) => ({ class: 'service', name, environment: 'prod', ...extra });
const ref = (name: string) => ({ class: 'service', name, environment: 'prod' });

describe('POST /api/v1/ingest', () => {
  let s: TestServer;
  let collector: string;
  beforeAll(async () => {
    s = await startTestServer({ config: { limits: { ...(await import('../../server/model/limits.ts')).defaultLimits, bodyBytes: 200_000, batchCis: 50 } } });
    collector = await s.tokenFor('collector');
  });
  afterAll(async () => { await s.close(); });

  const seq = async () => (await s.api('/healthz')).body.seq as number;
  const eventLog = () => s.store.latestSeq();

  it('accepts a valid batch and answers with counts after the commit', async () => {
    const r = await s.api('/api/v1/ingest', { token: collector, body: { source: 'kubernetes', cis: [svc('checkout'), svc('payments')], relations: [{ type: 'DEPENDS_ON', from: ref('checkout'), to: ref('payments') }] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cis: { created: 2 }, relations: { created: 1 }, runCompleted: false });
    expect(r.body.runId).toMatch(/^run-/);
    expect(r.body.seq).toBe(await eventLog());
    expect(await seq()).toBeGreaterThanOrEqual(0);
  });

  describe('refuses a bad item alone, naming it and why, and writes the others (200)', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['an unknown class', { source: 'k', cis: [svc('item-a1'), { class: 'spaceship', name: 'x' }] }, 'cis.1', /class/],
      ['an unknown relation type', { source: 'k', cis: [svc('item-a2'), svc('item-b2')], relations: [{ type: 'LIKES', from: ref('item-a2'), to: ref('item-b2') }] }, 'relations.0', /type/],
      ['a missing name', { source: 'k', cis: [svc('item-a3'), { class: 'service' }] }, 'cis.1', /name/],
      ['a tier out of range', { source: 'k', cis: [svc('item-a4'), svc('item-x4', { tier: 9 })] }, 'cis.1', /tier/],
      ['an unknown field', { source: 'k', cis: [svc('item-a5'), svc('item-x5', { colour: 'blue' })] }, 'cis.1', /colour/],
      ['a malformed minUp', { source: 'k', cis: [svc('item-a6'), svc('item-b6')], relations: [{ type: 'DEPENDS_ON', from: ref('item-a6'), to: ref('item-b6'), redundancy: { group: 'g', minUp: 'half' } }] }, 'relations.0', /redundancy\.minUp/],
      ['a relation to an unknown CI', { source: 'k', cis: [svc('item-a7')], relations: [{ type: 'DEPENDS_ON', from: ref('item-a7'), to: ref('nowhere') }] }, 'relations.0', /^to: no service identified by/],
      ['a relation to an unknown id', { source: 'k', cis: [svc('item-a8')], relations: [{ type: 'DEPENDS_ON', from: ref('item-a8'), to: { id: 'ci-nope' } }] }, 'relations.0', /^to: no CI with id ci-nope/],
      ['a CI related to itself', { source: 'k', cis: [svc('item-a9')], relations: [{ type: 'DEPENDS_ON', from: ref('item-a9'), to: ref('item-a9') }] }, 'relations.0', /a CI cannot relate to itself/],
      ['attributes nested too deep', { source: 'k', cis: [svc('item-a10'), svc('item-x10', { attributes: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } })] }, 'cis.1', /^attributes: attributes nest at most 6/],
    ];
    it.each(cases)('%s', async (_what, body, at, message) => {
      const before = await eventLog();
      const r = await s.api('/api/v1/ingest', { token: collector, body });
      expect(r.status).toBe(200);
      expect(r.body.refused).toEqual([{ at, code: expect.any(String), message: expect.stringMatching(message) }]);
      // The good CIs of the batch are written, in one event.
      expect(r.body.cis.created).toBe((body as { cis: unknown[] }).cis.length - (at.startsWith('cis.') ? 1 : 0));
      expect(await eventLog()).toBe(before + 1);
    });
  });

  describe('rejects a bad batch whole, naming the problem, and writes nothing', () => {
    const cases: [string, unknown, RegExp][] = [
      ['a bad source name', { source: 'Not Valid!', cis: [] }, /source/],
      ['an unknown member of the batch', { source: 'k', cis: [svc('whole-a')], colour: 'blue' }, /colour/],
      ['items that are not a list', { source: 'k', cis: { a: svc('whole-b') } }, /cis/],
      ['a scope that is not text', { source: 'k', scope: 7, cis: [svc('whole-c')] }, /scope/],
      ['too many CIs in one batch', { source: 'k', cis: Array.from({ length: 51 }, (_, i) => svc(`s${i}`)) }, /at most 50 CIs/],
      ['too many CIs in one batch, some of them bad', { source: 'k', cis: Array.from({ length: 51 }, (_, i) => (i % 2 ? svc(`s${i}`) : { class: 'nope' })) }, /at most 50 CIs/],
    ];
    it.each(cases)('%s', async (_what, body, message) => {
      const before = await eventLog();
      const cisBefore = (await s.api('/api/v1/cis?limit=1000')).body.items.length;
      const r = await s.api('/api/v1/ingest', { token: collector, body });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
      expect(r.body.error.code).toEqual(expect.any(String));
      expect(r.body.error.details.problems.length).toBeGreaterThan(0);
      expect(await eventLog()).toBe(before);
      expect((await s.api('/api/v1/cis?limit=1000')).body.items.length).toBe(cisBefore);
    });

    it('malformed JSON', async () => {
      const r = await s.api('/api/v1/ingest', { token: collector, body: '{"source": "k", "cis": [', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_json');
    });

    it('a body over the size limit, with the limit in the answer', async () => {
      const r = await s.api('/api/v1/ingest', { token: collector, body: { source: 'k', cis: [svc('a', { attributes: { blob: 'x'.repeat(250_000) } })] } });
      expect(r.status).toBe(413);
      expect(r.body.error.message).toContain('200000 bytes');
    });
  });

  it('identifies without writing on ?dryRun=true', async () => {
    const before = await eventLog();
    const r = await s.api('/api/v1/ingest?dryRun=true', { token: collector, body: { source: 'backstage', cis: [svc('checkout'), svc('brand-new')] } });
    expect(r.status).toBe(200);
    expect(r.body.dryRun).toBe(true);
    expect(r.body.cis.map((c: any) => [c.name, c.action, c.matchedBy])).toEqual([['checkout', 'unchanged', ['environment', 'name']], ['brand-new', 'create', null]]);
    expect(await eventLog()).toBe(before);
  });

  it('refuses a completion that trips the removal guard with 409 and the numbers', async () => {
    const cis = ['a', 'b', 'c', 'd', 'e'].map((n) => svc(`guard-${n}`));
    await s.api('/api/v1/ingest', { token: collector, body: { source: 'compose', scope: 'shop', runId: 'g1', complete: true, cis } });
    const r = await s.api('/api/v1/ingest', { token: collector, body: { source: 'compose', scope: 'shop', runId: 'g2', complete: true, cis: cis.slice(0, 1) } });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'removal_guard', details: { losing: 4, total: 5 } });
  });
});
