import { describe, it, expect } from 'vitest';
import { classDef } from '../../../server/model/classes.ts';
import { IngestBatch, type IngestBatchInput } from '../../../server/model/ingest.ts';
import { identifierKeys } from '../../../server/domain/reconcile/identify.ts';
import { distinctFrom, planCis } from '../../../server/domain/reconcile/plan-cis.ts';
import type { ExistingCi } from '../../../server/domain/reconcile/types.ts';

const batchOf = (b: Partial<IngestBatchInput>) => IngestBatch.parse({ source: 'aws', scope: 'aws:1:us-east-1', ...b });
const ctx = () => ({ now: '2026-01-01T00:00:00.000Z', runId: 'run-1', newId: (() => { let n = 0; return () => `ci-new-${n++}`; })() });
const instance = (id: string, name: string, ip: string) =>
  ({ class: 'host' as const, name, identifiers: { cloud: 'aws', instanceId: id, ip, fqdn: `ip-${ip.replaceAll('.', '-')}.ec2.internal` } });
const stored = (id: string, identifiers: Record<string, string>, name = 'web'): ExistingCi => ({
  record: { id, class: 'host', name, environment: 'default', tier: null, owner: null, lifecycle: 'active', attributes: {}, identifiers, version: 1, validFrom: '2025-01-01T00:00:00.000Z', validTo: null },
  assertions: [],
});

describe('identity that a cloud id makes distinct', () => {
  it('is declared by the class registry: a cloud instance or resource id, never an address or a name', () => {
    expect(classDef('host').distinctRules).toEqual([['cloud', 'instanceId']]);
    expect(classDef('cloud_resource').distinctRules).toEqual([['cloud', 'resourceId']]);
    expect(classDef('network').distinctRules).toEqual([['cloud', 'resourceId']]);
    expect(classDef('service').distinctRules).toEqual([]);
  });

  it('keeps two instances of one auto-scaling group apart although they share their Name tag', () => {
    const plan = planCis(batchOf({ cis: [instance('i-03', 'web', '10.0.0.3'), instance('i-04', 'web', '10.0.0.4')] }), { keyIndex: new Map(), cis: new Map() }, ctx());
    expect(plan.items.map((i) => i.action)).toEqual(['create', 'create']);
    expect(plan.duplicates).toEqual([]);
    expect(new Set(plan.byIndex).size).toBe(2);
  });

  it('keeps an instance apart from a stored one of another VPC at the same private address', () => {
    const other = stored('ci-a', { cloud: 'aws', instanceId: 'i-a', ip: '172.31.0.5', fqdn: 'ip-172-31-0-5.ec2.internal' });
    const keyIndex = new Map(identifierKeys({ ...instance('i-a', 'web', '172.31.0.5') }).map((k) => [k.key, 'ci-a']));
    const plan = planCis(batchOf({ cis: [instance('i-b', 'web', '172.31.0.5')] }), { keyIndex, cis: new Map([['ci-a', other]]) }, ctx());
    expect(plan.byIndex[0]).not.toBe('ci-a');
    expect(plan.items[0].action).toBe('create');
    // The address and the name stay with the CI that had them first: identifiers never move between CIs.
    expect(plan.items[0].newKeys).toEqual([identifierKeys(instance('i-b', 'web', '172.31.0.5'))[0].key]);
  });

  it('still lets an instance meet the host another collector found at its address, which knows no instance id', () => {
    const scanned = stored('ci-nmap', { ip: '10.0.0.7' }, '10.0.0.7');
    const keyIndex = new Map([[identifierKeys({ class: 'host', name: '10.0.0.7', identifiers: { ip: '10.0.0.7' } })[0].key, 'ci-nmap']]);
    const plan = planCis(batchOf({ cis: [instance('i-07', 'api', '10.0.0.7')] }), { keyIndex, cis: new Map([['ci-nmap', scanned]]) }, ctx());
    expect(plan.byIndex[0]).toBe('ci-nmap');
    expect(plan.items[0].matchedBy).toEqual(['ip']);
  });

  it('is decided only when both sides hold the whole rule', () => {
    const item = instance('i-1', 'web', '10.0.0.1');
    expect(distinctFrom(item, { cloud: 'aws', instanceId: 'i-2' })).toBe(true);
    expect(distinctFrom(item, { cloud: 'aws', instanceId: 'i-1', ip: '10.9.9.9' })).toBe(false);
    expect(distinctFrom(item, { ip: '10.0.0.1' })).toBe(false);
    expect(distinctFrom({ class: 'host', name: 'web', identifiers: { ip: '10.0.0.1' } }, { cloud: 'aws', instanceId: 'i-2' })).toBe(false);
    expect(distinctFrom(item, undefined)).toBe(false);
  });
});
