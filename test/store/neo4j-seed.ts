import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { push } from './contract.ts';

/** An embedded store with a bit of everything: history, a retired CI, relations, runs, events, tokens, docs, timeline entries. */
export async function seedEmbeddedStore(file: string): Promise<void> {
  const store = new SqliteStore({ file, synchronous: 'NORMAL' });
  await store.init();
  const svc = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });
  const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
  await push(store, { source: 'k8s', scope: 'c1', runId: 'r1', complete: true, cis: names.map(svc), relations: names.slice(1).map((n) => ({ type: 'DEPENDS_ON', from: svc(names[0]), to: svc(n) })) }, { now: () => '2026-01-01T00:00:00.000Z' });
  await push(store, { source: 'k8s', scope: 'c1', runId: 'r2', complete: true, force: true, cis: names.slice(0, 11).map((n) => ({ ...svc(n), tier: 2 })) }, { now: () => '2026-01-02T00:00:00.000Z' });
  await push(store, { source: 'nmap', cis: [{ class: 'host', name: 'h1', identifiers: { ip: '10.0.0.1' } }], relations: [{ type: 'RUNS_ON', from: svc('svc-0'), to: { class: 'host', identifiers: { ip: '10.0.0.1' } } }] }, { now: () => '2026-01-03T00:00:00.000Z' });
  await store.createToken({ id: 't1', hash: 'h1', name: 'admin', role: 'admin', createdAt: '2026-01-01T00:00:00.000Z' });
  await store.putDoc({ kind: 'incident', id: 'i1', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', data: { title: 'x' } });
  await store.appendEvent({ at: '2026-01-04T00:00:00.000Z', source: null, changes: [{ kind: 'incident.opened', ref: 'i1' }] });
  await store.commitRecord({
    doc: { kind: 'change', id: 'c1', createdAt: '2026-01-04T00:00:00.000Z', updatedAt: '2026-01-04T00:00:00.000Z', data: { title: 'y' } },
    entries: ['00', '01', '02', '03'].map((n) => ({ recordId: 'c1', id: `e-${n}`, at: '2026-01-04T00:00:00.000Z', kind: 'note', data: { text: n } })),
    event: null,
  });
  await store.close();
}
