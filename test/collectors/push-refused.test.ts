import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushCollected } from '../../collectors/push-client.ts';
import { describeRefused } from '../../collectors/refused-items.ts';
import type { IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const svc = (name: string): IngestCi => ({ class: 'service', name, environment: 'prod' });
const dependsOn = (from: string, to: string): IngestRelation => ({ type: 'DEPENDS_ON', from: { class: 'service', name: from, environment: 'prod' }, to: { class: 'service', name: to, environment: 'prod' } });

describe('describeRefused', () => {
  const batch = { cis: [svc('a'), svc('b')], relations: [dependsOn('a', 'b')] };

  it('names each item the server refused by its place in the batch, with the server\'s reason', () => {
    expect(describeRefused(batch, [
      { at: 'cis.1', code: 'custom', message: 'name: U+202E is not accepted' },
      { at: 'relations.0', code: 'refused_end', message: 'to: the service it names is cis.1 of this batch, which was refused' },
    ])).toEqual([
      { kind: 'ci', item: 'service/b', reasons: ['name: U+202E is not accepted'] },
      { kind: 'relation', item: 'service/a -DEPENDS_ON-> service/b', reasons: ['to: the service it names is cis.1 of this batch, which was refused'] },
    ]);
  });

  it('names an item the batch does not hold by the server\'s own words', () => {
    expect(describeRefused(batch, [{ at: 'cis.7', code: 'x', message: 'bad' }])).toEqual([{ kind: 'ci', item: 'cis.7', reasons: ['bad'] }]);
  });
});

describe('a collector run with a record the server refuses', () => {
  let s: TestServer;
  let collector: string;
  beforeAll(async () => {
    s = await startTestServer();
    collector = await s.tokenFor('collector');
  });
  afterAll(async () => { await s.close(); });

  const names = Array.from({ length: 10 }, (_, i) => `refused-run-${i}`);
  const push = (cis: IngestCi[], relations: IngestRelation[]) =>
    pushCollected({ scope: 'refused-run', cis, relations, warnings: [] }, { server: s.url, token: collector, source: 'manual', backoffMs: 1, sleep: async () => {} });

  it('applies the good records, lists the refused ones, and retires nothing', async () => {
    const first = await push(names.map(svc), [dependsOn(names[0], names[1])]);
    expect(first).toMatchObject({ runCompleted: true, refused: [], cis: { created: 10 } });

    // The next run no longer sees refused-run-9, adds a CI whose name hides a right-to-left override and a relation
    // to it, and a good new CI and relation: the good ones land; the bad CI is refused, and then the relation to it.
    const evil = 'invoice\u202Egnp.exe';
    const second = await push([...names.slice(0, 9).map(svc), svc(evil), svc('refused-run-new')],
      [dependsOn(names[0], names[1]), dependsOn(names[0], evil), dependsOn(names[0], 'refused-run-new')]);
    expect(second.runCompleted).toBe(false);
    expect(second.notCompleted).toMatch(/not completed and nothing was retired/);
    // The refused name is shown with its hidden character spelled out, as the reason for refusing it.
    expect(second.refused.map((r) => [r.kind, r.item])).toEqual([
      ['ci', 'service/invoice\\u202Egnp.exe'],
      ['relation', `service/${names[0]} -DEPENDS_ON-> service/invoice\\u202Egnp.exe`],
    ]);
    expect(second.refused[0].reasons.join()).toMatch(/U\+202E/);
    expect(second.cis).toMatchObject({ created: 1, retired: 0 });
    expect(second.relations).toMatchObject({ created: 1, retired: 0 });

    const listed = (await s.api('/api/v1/cis?q=refused-run&limit=50')).body.items as { name: string; lifecycle?: string }[];
    expect(listed.map((c) => c.name).sort()).toEqual([...names, 'refused-run-new'].sort());
    // Had the run completed, refused-run-9 (no longer seen) would be retired; the refused CI may be the same thing renamed.
    expect((await s.api(`/api/v1/cis?q=${names[9]}&limit=5`)).body.items[0]).not.toMatchObject({ lifecycle: 'retired' });
  });
});
