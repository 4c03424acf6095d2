import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const svc = (name: string, extra: object = {}) => ({ class: 'service', name, environment: 'prod', ...extra });
const dep = (from: string, to: string) => ({ type: 'DEPENDS_ON', from: { class: 'service', name: from, environment: 'prod' }, to: { class: 'service', name: to, environment: 'prod' } });

/**
 * A collector re-sends the same batches run after run. The ingest route recognises content it validated and
 * wrote before by the digest of its bytes and parses only the batch's header; the content is parsed only when
 * the store no longer recognises the batch whole. Every answer is the one the full parse gives.
 */
describe('POST /api/v1/ingest: content sent again byte for byte', () => {
  let s: TestServer;
  let collector: string;
  beforeAll(async () => {
    // Parses are counted in this process: the batches are written on its main thread here (the writer thread
    // runs the same code, server/ingest/ingest-request.ts).
    s = await startTestServer({ config: { ingestThread: 'off' } });
    collector = await s.tokenFor('collector');
  });
  afterAll(async () => { await s.close(); });

  /** The same content bytes every time (the header members vary), as a collector's encoder writes them. */
  const content = (scope: string) => ({ cis: [svc(`${scope}-a`), svc(`${scope}-b`), svc(`${scope}-c`)], relations: [dep(`${scope}-a`, `${scope}-b`)] });
  const send = (body: object, headers: Record<string, string> = {}) => s.api('/api/v1/ingest', { token: collector, body, headers });
  /** JSON.parse calls on texts as long as a batch body and holding items while `fn` runs (the server runs in this process; replies name no class). */
  async function bigParses<T>(fn: () => Promise<T>, longerThan: number): Promise<[T, number]> {
    const spy = vi.spyOn(JSON, 'parse');
    try {
      const out = await fn();
      return [out, spy.mock.calls.filter(([text]) => typeof text === 'string' && text.length > longerThan && text.includes('"class"')).length];
    } finally {
      spy.mockRestore();
    }
  }
  const sourcesOf = async (name: string) => {
    const ci = (await s.api(`/api/v1/cis?q=${name}`)).body.items.find((x: { name: string }) => x.name === name);
    return (await s.api(`/api/v1/cis/${ci.id}`)).body.sources.map((x: { source: string; runId: string }) => `${x.source} ${x.runId}`);
  };

  it('parses only the header of a batch it wrote before, and answers as the full parse did', async () => {
    const c = content('seen1');
    const size = JSON.stringify(c).length;
    const first = await send({ source: 'kubernetes', scope: 'seen1', runId: 'seen1-r1', complete: true, ...c });
    expect(first.body.cis.created).toBe(3);
    const [again, parses] = await bigParses(() => send({ source: 'kubernetes', scope: 'seen1', runId: 'seen1-r2', complete: true, ...c }), size / 2);
    expect(parses).toBe(0);
    expect(again.body).toMatchObject({ runId: 'seen1-r2', runCompleted: true, cis: { created: 0, updated: 0, unchanged: 3, retired: 0 }, relations: { unchanged: 1 } });
    expect(await sourcesOf('seen1-a')).toEqual(['kubernetes seen1-r2']);
  });

  it('parses the content after all when the store no longer recognises the batch (another source asserted one of its CIs)', async () => {
    const c = content('seen2');
    await send({ source: 'kubernetes', scope: 'seen2', runId: 'seen2-r1', ...c });
    await send({ source: 'backstage', scope: 'seen2', cis: [svc('seen2-b', { owner: 'payments' })] });
    const [again, parses] = await bigParses(() => send({ source: 'kubernetes', scope: 'seen2', runId: 'seen2-r2', ...c }), JSON.stringify(c).length / 2);
    expect(parses).toBe(1);
    expect(again.body).toMatchObject({ cis: { created: 0, updated: 0, unchanged: 3 }, relations: { unchanged: 1 } });
    const sources = await sourcesOf('seen2-b');
    expect(sources).toContain('kubernetes seen2-r2');
    expect(sources.filter((x: string) => x.startsWith('backstage '))).toHaveLength(1);
  });

  it('judges the header of seen content as ever: a bad one is refused with the same problems', async () => {
    const c = content('seen3');
    await send({ source: 'kubernetes', scope: 'seen3', ...c });
    const bad = await send({ source: 'Not A Source', scope: 'seen3', ...c });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems[0].path).toEqual(['source']);
    const extra = await send({ source: 'kubernetes', scope: 'seen3', extra: 1, ...c });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body.error.details.problems)).toContain('extra');
  });

  it('replays a retried request under its Idempotency-Key whichever way its content was read, and refuses the key for another run', async () => {
    const c = content('seen4');
    await send({ source: 'kubernetes', scope: 'seen4', runId: 'seen4-r1', ...c });
    // Content seen: this request is read by its header only, and so is its retry.
    const body = { source: 'kubernetes', scope: 'seen4', runId: 'seen4-r2', ...c };
    const first = await send(body, { 'idempotency-key': 'k-seen4' });
    const retry = await send(body, { 'idempotency-key': 'k-seen4' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    const other = await send({ ...body, runId: 'seen4-r3' }, { 'idempotency-key': 'k-seen4' });
    expect(other.status).toBe(422);
    // New content under a key, then the same bytes again (now seen): the same fingerprint.
    const fresh = { source: 'kubernetes', scope: 'seen4', runId: 'seen4-r4', cis: [svc('seen4-new')] };
    const a = await send(fresh, { 'idempotency-key': 'k-seen4-fresh' });
    const b = await send(fresh, { 'idempotency-key': 'k-seen4-fresh' });
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body).toEqual(a.body);
  });

  it('reads a dry run and content sent in another layout in full, with the same answers', async () => {
    const c = content('seen5');
    await send({ source: 'kubernetes', scope: 'seen5', runId: 'seen5-r1', ...c });
    const dry = await s.api('/api/v1/ingest?dryRun=true', { token: collector, body: { source: 'kubernetes', scope: 'seen5', ...c } });
    expect(dry.body.cis.map((x: { action: string }) => x.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const pretty = await s.api('/api/v1/ingest', { token: collector, body: JSON.stringify({ source: 'kubernetes', scope: 'seen5', runId: 'seen5-r2', ...c }, null, 2) });
    expect(pretty.body).toMatchObject({ cis: { unchanged: 3 }, relations: { unchanged: 1 } });
  });
});
