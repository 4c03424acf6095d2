import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const svc = (name: string, extra: object = {}) => ({ class: 'service', name, environment: 'prod', ...extra });
const ref = (name: string) => ({ class: 'service', name, environment: 'prod' });
const dep = (from: string, to: string) => ({ type: 'DEPENDS_ON', from: ref(from), to: ref(to) });

/**
 * One bad record never blocks the good ones: an item that fails validation, or a relation whose end cannot be found,
 * is refused alone and named in the reply (`refused`, by its place in the batch as sent); the rest is written in the
 * batch's one transaction. A run with refused items is not completed, so nothing they stand for is retired.
 */
describe('POST /api/v1/ingest: items refused one by one', () => {
  let s: TestServer;
  let collector: string;
  beforeAll(async () => {
    s = await startTestServer();
    collector = await s.tokenFor('collector');
  });
  afterAll(async () => { await s.close(); });

  const send = (body: object, query = '', headers: Record<string, string> = {}) => s.api(`/api/v1/ingest${query}`, { token: collector, body, headers });
  const find = async (name: string) => (await s.api(`/api/v1/cis?q=${encodeURIComponent(name)}&lifecycle=any&limit=5`)).body.items.find((c: { name: string }) => c.name === name);

  it('writes 499 good CIs of 500 and their relations, and names the bad one with why', async () => {
    const cis: object[] = Array.from({ length: 500 }, (_, i) => svc(`mixed-${i}`));
    cis[3] = svc('mixed-3', { tier: 9 });
    const relations = [dep('mixed-0', 'mixed-1'), dep('mixed-1', 'mixed-2')];
    const before = await s.store.latestSeq();
    const r = await send({ source: 'k8s', scope: 'mixed', cis, relations });
    expect(r.status).toBe(200);
    expect(r.body.refused).toEqual([{ at: 'cis.3', code: 'too_big', message: expect.stringMatching(/^tier: /) }]);
    expect(r.body).toMatchObject({ cis: { created: 499 }, relations: { created: 2 }, runCompleted: false });
    // One transaction, committed before the reply: one event, and the store has the CIs.
    expect(await s.store.latestSeq()).toBe(before + 1);
    expect(r.body.seq).toBe(before + 1);
    expect(await find('mixed-499')).toBeDefined();
    expect(await find('mixed-3')).toBeUndefined();
  });

  it('refuses a relation whose end was refused, saying so, even when an older CI of that name is stored', async () => {
    expect((await send({ source: 'k8s', scope: 'ends', cis: [svc('ends-a'), svc('ends-b')] })).status).toBe(200);
    // ends-b comes again with a bad owner: the relation to it is refused too rather than bound to the stored ends-b.
    const r = await send({ source: 'k8s', scope: 'ends', cis: [svc('ends-a'), svc('ends-b', { owner: '' }), svc('ends-c')],
      relations: [dep('ends-a', 'ends-b'), dep('ends-a', 'ends-c'), dep('ends-c', 'ends-nowhere')] });
    expect(r.status).toBe(200);
    expect(r.body.refused).toEqual([
      { at: 'cis.1', code: 'too_small', message: expect.stringMatching(/^owner: /) },
      { at: 'relations.0', code: 'refused_end', message: 'to: the service it names is cis.1 of this batch, which was refused' },
      { at: 'relations.2', code: 'unknown_ci', message: expect.stringMatching(/^to: no service identified by .*ends-nowhere/) },
    ]);
    expect(r.body.relations.created).toBe(1);
    const a = await s.api(`/api/v1/cis/${(await find('ends-a')).id}`);
    expect(a.body.relations.outgoing.map((x: { to: string }) => a.body.ends[x.to].name)).toEqual(['ends-c']);
  });

  describe('a completing run with refused items completes nothing and retires nothing', () => {
    const names = ['keep-a', 'keep-b', 'keep-c'];
    beforeAll(async () => {
      const first = await send({ source: 'csv', scope: 'keep', runId: 'keep-1', complete: true, cis: names.map((n) => svc(n)) });
      expect(first.body.runCompleted).toBe(true);
    });

    it('in the completing batch itself: the run stays open, what it no longer lists stays live, and the reply says why', async () => {
      // keep-b is sent with a bad tier, keep-c not at all: completing would retire both.
      const r = await send({ source: 'csv', scope: 'keep', runId: 'keep-2', complete: true, cis: [svc('keep-a'), svc('keep-b', { tier: 0 })] });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ runCompleted: false, cis: { retired: 0 }, refused: [{ at: 'cis.1' }] });
      expect(r.body.runNotCompleted).toEqual({ code: 'items_refused', message: expect.stringMatching(/^the run was not completed and nothing was retired: 1 item was refused in this batch/) });
      for (const n of names) expect((await find(n)).lifecycle).toBe('active');
    });

    it('in an earlier batch of the run: its last batch, all good, does not complete it either', async () => {
      const one = await send({ source: 'csv', scope: 'keep', runId: 'keep-3', cis: [svc('keep-a'), svc('keep-b', { environment: '' })] });
      expect(one.body.refused).toHaveLength(1);
      const last = await send({ source: 'csv', scope: 'keep', runId: 'keep-3', complete: true, cis: [svc('keep-a')] });
      expect(last.status).toBe(200);
      expect(last.body).toMatchObject({ runCompleted: false, refused: [], cis: { retired: 0 } });
      expect(last.body.runNotCompleted.message).toMatch(/1 item was refused in earlier batches of this run/);
      for (const n of names) expect((await find(n)).lifecycle).toBe('active');
      // The run stays open: a new run is how what is gone gets retired.
      const next = await send({ source: 'csv', scope: 'keep', runId: 'keep-4', complete: true, force: true, cis: [svc('keep-a'), svc('keep-b')] });
      expect(next.body).toMatchObject({ runCompleted: true, cis: { retired: 1 }, refused: [] });
      expect((await find('keep-c')).lifecycle).toBe('retired');
    });
  });

  it('answers a dry run the same, by the places as sent, and writes nothing', async () => {
    const body = { source: 'csv', scope: 'dry', runId: 'dry-1', complete: true, cis: [{ class: 'nope', name: 'x' }, svc('dry-a'), svc('dry-a')], relations: [dep('dry-a', 'dry-gone')] };
    const before = await s.store.latestSeq();
    const dry = await send(body, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(await s.store.latestSeq()).toBe(before);
    expect(dry.body.cis.map((c: { index: number; name: string }) => [c.index, c.name])).toEqual([[1, 'dry-a'], [2, 'dry-a']]);
    expect(dry.body.duplicates).toEqual({ count: 1, items: [{ index: 2, sameAs: 1 }] });
    expect(dry.body.wouldRetire).toEqual({ cis: 0, relations: 0 });
    const written = await send(body);
    expect(dry.body.refused).toEqual(written.body.refused);
    expect(dry.body.refused.map((x: { at: string }) => x.at)).toEqual(['cis.0', 'relations.0']);
    expect(dry.body.runNotCompleted).toEqual(written.body.runNotCompleted);
    expect(written.body.duplicates).toEqual(dry.body.duplicates);
  });

  it('replays a retried batch with refused items with the same reply, writing it once', async () => {
    const body = { source: 'csv', scope: 'idem', cis: [svc('idem-a'), svc('idem-b', { tier: 'high' })] };
    const first = await send(body, '', { 'idempotency-key': 'idem-refused-1' });
    const seq = await s.store.latestSeq();
    const again = await send(body, '', { 'idempotency-key': 'idem-refused-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.body.refused.map((x: { at: string }) => x.at)).toEqual(['cis.1']);
    expect(await s.store.latestSeq()).toBe(seq);
  });

  it('lists the same refusals every time the same bytes come again', async () => {
    const body = { source: 'csv', scope: 'again', cis: [svc('again-a'), svc('again-b', { tier: 7 })] };
    const first = await send(body);
    const second = await send(body);
    expect(second.body.refused).toEqual(first.body.refused);
    expect(second.body.cis).toMatchObject({ unchanged: 1 });
  });
});
