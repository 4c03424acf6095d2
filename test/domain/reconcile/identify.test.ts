import { describe, it, expect } from 'vitest';
import { identifierKeys, matchByRules } from '../../../server/domain/reconcile/identify.ts';
import { mergeCi, winner } from '../../../server/domain/reconcile/merge.ts';
import { guardRetirement, selectLosing, selectStale } from '../../../server/domain/reconcile/retire.ts';
import { requiredUp } from '../../../server/model/relations.ts';

describe('identifier keys', () => {
  it('lists every rule the item carries, strongest first', () => {
    const keys = identifierKeys({ class: 'host', name: 'db-7', identifiers: { fqdn: 'db-7.example.com', ip: '10.0.0.7' } });
    expect(keys.map((k) => k.rule)).toEqual([['fqdn'], ['ip'], ['environment', 'name']]);
  });

  it('is the text stores keep: class, rule and values joined by the unit separator, so files written before still match', () => {
    const keys = identifierKeys({ class: 'host', name: 'vm-1', environment: 'prod', identifiers: { cloud: 'aws', instanceId: 'i-1' } });
    expect(keys.map((k) => k.key)).toEqual(['host\u001fcloud+instanceId\u001faws\u001fi-1', 'host\u001fenvironment+name\u001fprod\u001fvm-1']);
    expect(() => identifierKeys({ class: 'no-such-class', name: 'x' })).toThrow('unknown CI class no-such-class');
  });

  it('needs every value of a rule, so a partial rule does not match', () => {
    const keys = identifierKeys({ class: 'host', name: 'vm-1', identifiers: { cloud: 'aws' } });
    expect(keys.map((k) => k.rule)).toEqual([['environment', 'name']]);
  });

  it('uses the default environment when the item names none, so sources that know only a name still meet', () => {
    const a = identifierKeys({ class: 'service', name: 'checkout' });
    const b = identifierKeys({ class: 'service', name: 'checkout', environment: 'default' });
    expect(a.map((k) => k.key)).toEqual(b.map((k) => k.key));
  });

  it('keeps classes apart: a service and a database of the same name are two CIs', () => {
    const s = identifierKeys({ class: 'service', name: 'orders' });
    const d = identifierKeys({ class: 'database', name: 'orders' });
    expect(s[0].key).not.toBe(d[0].key);
  });

  it('matches by the first rule the index knows', () => {
    const keys = identifierKeys({ class: 'host', name: 'db-7', identifiers: { serialNumber: 'S1', fqdn: 'db-7.example.com' } });
    const index = new Map([[keys[1].key, 'ci-fqdn']]);
    expect(matchByRules(keys, (k) => index.get(k))).toEqual({ ciId: 'ci-fqdn', rule: ['fqdn'] });
    index.set(keys[0].key, 'ci-serial');
    expect(matchByRules(keys, (k) => index.get(k))).toEqual({ ciId: 'ci-serial', rule: ['serialNumber'] });
  });
});

describe('merging by source precedence', () => {
  const a = (source: string, lastSeen: string, values: object, active = true) => ({ source, lastSeen, active, values });
  const fallback = { name: 'x', environment: 'default', tier: null, owner: null, attributes: {}, identifiers: {} };

  it('lets backstage own `owner` over kubernetes whatever arrived last', () => {
    const merged = mergeCi('service', [a('kubernetes', '2026-01-02', { owner: 'k8s-team' }), a('backstage', '2026-01-01', { owner: 'commerce' })], fallback);
    expect(merged.owner).toBe('commerce');
  });

  it('takes the most recent among sources of equal rank', () => {
    const w = winner([a('alpha', '2026-01-01', {}), a('beta', '2026-01-03', {}), a('gamma', '2026-01-02', {})], 'service', 'anything');
    expect(w?.source).toBe('beta');
  });

  it('merges attributes key by key and ignores inactive assertions', () => {
    const merged = mergeCi('service', [
      a('kubernetes', '2026-01-01', { attributes: { image: 'a:1', replicas: 3 } }),
      a('manual', '2026-01-01', { attributes: { image: 'a:2' } }),
      a('csv', '2026-01-05', { attributes: { cost: 10 } }, false),
    ], fallback);
    expect(merged.attributes).toEqual({ image: 'a:2', replicas: 3 });
  });
});

const T1 = '2026-01-01T00:00:00.000Z';

describe('run completion', () => {
  it('a stale sweep drops the assertions last seen before its cut-off, whatever their run', () => {
    const stale = selectStale([
      { targetId: 'old', kind: 'ci', runId: 'r1', lastSeen: '2026-01-01T00:00:00.000Z' },
      { targetId: 'fresh', kind: 'relation', runId: 'r1', lastSeen: '2026-01-08T00:00:00.000Z' },
    ], '2026-01-07T00:00:00.000Z');
    expect(stale.map((a) => a.targetId)).toEqual(['old']);
  });

  it('drops what earlier runs asserted and this run did not', () => {
    const { losing, total } = selectLosing(
      [{ targetId: 'a', kind: 'ci', runId: 'r1', lastSeen: T1 }, { targetId: 'b', kind: 'ci', runId: 'r2', lastSeen: T1 }, { targetId: 'c', kind: 'ci', runId: 'r1', lastSeen: T1 }],
      new Set(['c', 'd']), 'r2');
    expect(losing.map((l) => l.targetId)).toEqual(['a']);
    expect(total).toBe(4);
  });

  it.each([
    [1, 10, false, null], [2, 10, false, null], [3, 10, false, 'removal_guard'], [3, 10, true, null], [1, 1, false, 'removal_guard'], [0, 0, false, null],
  ])('guard: losing %i of %i (force %s) → %s', (losing, total, force, code) => {
    expect(guardRetirement(losing, total, 0.2, force)?.code ?? null).toBe(code);
  });
});

describe('redundancy arithmetic', () => {
  it.each([
    [1, 3, 1], [2, 3, 2], [5, 3, 3], ['67%', 3, 3], ['66%', 3, 2], ['50%', 4, 2], ['50%', 3, 2], ['100%', 5, 5], ['0%', 4, 0],
  ] as const)('minUp %s of %i providers needs %i up', (minUp, size, need) => {
    expect(requiredUp(minUp, size)).toBe(need);
  });
});
