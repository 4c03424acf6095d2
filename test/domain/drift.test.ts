import { describe, expect, it } from 'vitest';
import { DriftCollector, computeDrift } from '../../server/domain/drift.ts';
import type { RelationRecord } from '../../server/model/records.ts';

const NOW = '2026-03-01T00:00:00.000Z';
const cis = new Map(['web', 'cart', 'db', 'team'].map((n) => [n, { id: n, name: n, class: n === 'team' ? 'team' : 'service', environment: 'default' }]));
function rel(id: string, from: string, to: string, provenance: RelationRecord['provenance'], lastSeen?: string, type = 'DEPENDS_ON'): RelationRecord {
  return {
    id, type, from, to, attributes: {}, redundancy: null, provenance,
    observed: lastSeen ? { calls: 10, errors: 1, lastSeen } : null, version: 1, validFrom: '2026-01-01T00:00:00.000Z', validTo: null,
  };
}
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('drift between declared and observed relations', () => {
  const relations = [
    rel('declared-never-seen', 'web', 'db', ['declared']),
    rel('declared-seen-recently', 'web', 'cart', ['declared', 'observed'], '2026-02-28T00:00:00.000Z'),
    rel('declared-seen-long-ago', 'cart', 'db', ['declared', 'observed'], '2026-01-10T00:00:00.000Z'),
    rel('seen-never-declared', 'cart', 'web', ['observed'], '2026-02-27T00:00:00.000Z'),
    rel('manual-never-seen', 'db', 'web', ['manual']),
    rel('hosting', 'cart', 'db', ['declared'], undefined, 'RUNS_ON'),
  ];

  it('lists declared dependencies not observed within N days, silent longest first', () => {
    const report = computeDrift(relations, cis, { now: NOW, days: 7, types: ['DEPENDS_ON'], limit: 100 });
    expect(ids(report.declaredNotObserved)).toEqual(['declared-never-seen', 'manual-never-seen', 'declared-seen-long-ago']);
    expect(report.declaredNotObserved[2]).toMatchObject({ from: { name: 'cart' }, to: { name: 'db' }, lastObserved: '2026-01-10T00:00:00.000Z', calls: 10 });
  });

  it('lists observed dependencies that no source declared', () => {
    const report = computeDrift(relations, cis, { now: NOW, days: 7, types: ['DEPENDS_ON'], limit: 100 });
    expect(ids(report.observedNotDeclared)).toEqual(['seen-never-declared']);
  });

  it('takes the window from days: a long window forgives the old sighting', () => {
    const report = computeDrift(relations, cis, { now: NOW, days: 60, types: ['DEPENDS_ON'], limit: 100 });
    expect(ids(report.declaredNotObserved)).toEqual(['declared-never-seen', 'manual-never-seen']);
  });

  it('looks only at the relation types asked for, and skips retired relations', () => {
    const retired = { ...rel('retired', 'web', 'db', ['declared']), validTo: '2026-02-01T00:00:00.000Z' };
    const report = computeDrift([...relations, retired], cis, { now: NOW, days: 7, types: ['RUNS_ON'], limit: 100 });
    expect(ids(report.declaredNotObserved)).toEqual(['hosting']);
    expect(computeDrift([retired], cis, { now: NOW, days: 7, types: ['DEPENDS_ON'], limit: 100 }).declaredNotObserved).toEqual([]);
  });

  it('caps each list and says so', () => {
    const report = computeDrift(relations, cis, { now: NOW, days: 7, types: ['DEPENDS_ON'], limit: 1 });
    expect(report.declaredNotObserved).toHaveLength(1);
    expect(report.truncated).toBe(true);
  });
});

describe('drift leaves out what traffic can never show', () => {
  it('skips edges through an API entity: the consumer → provider edge is the one compared', () => {
    const withApi = new Map([...cis, ['orders-api', { id: 'orders-api', name: 'orders-api', class: 'api', environment: 'default' }]]);
    const report = computeDrift([rel('via-api', 'web', 'orders-api', ['declared']), rel('direct', 'web', 'db', ['declared'])], withApi, { now: NOW, days: 7, types: ['DEPENDS_ON'], limit: 100 });
    expect(ids(report.declaredNotObserved)).toEqual(['direct']);
  });
});

describe('drift read page by page (bounded)', () => {
  // 300 declared edges never seen, 300 observed never declared, with distinct silence and traffic.
  const many = Array.from({ length: 300 }, (_, i) => [
    rel(`d-${String(i).padStart(3, '0')}`, 'web', 'db', ['declared', 'observed'], new Date(Date.parse('2026-01-01T00:00:00.000Z') + ((i * 37) % 300) * 60_000).toISOString()),
    { ...rel(`o-${String(i).padStart(3, '0')}`, 'cart', 'web', ['observed'], '2026-02-27T00:00:00.000Z'), observed: { calls: (i * 53) % 300, errors: 0, lastSeen: '2026-02-27T00:00:00.000Z' } },
  ]).flat();
  const opts = { now: NOW, days: 7, types: ['DEPENDS_ON'], limit: 10 };

  it('keeps the same most telling items as one pass over everything, and says it cut', () => {
    const collector = new DriftCollector(opts);
    for (let i = 0; i < many.length; i += 7) collector.add(many.slice(i, i + 7), cis);
    const paged = collector.report();
    const whole = computeDrift(many, cis, { ...opts, limit: 1000 });
    expect(paged.truncated).toBe(true);
    expect(ids(paged.declaredNotObserved)).toEqual(ids(whole.declaredNotObserved).slice(0, 10));
    expect(ids(paged.observedNotDeclared)).toEqual(ids(whole.observedNotDeclared).slice(0, 10));
    expect(whole.truncated).toBe(false);
  });
});
