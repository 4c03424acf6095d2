import { describe, it, expect } from 'vitest';
import neo4j from 'neo4j-driver';
import type { CiRecord, RelationRecord } from '../../server/model/records.ts';
import type { WritePlan } from '../../server/store/port.ts';
import type { CiPlanItem, RelationPlanItem, StoredAssertion } from '../../server/domain/reconcile/types.ts';
import { labelOf, relTypeOf, writeRows, ciRow } from '../../server/store/neo4j/write-rows.ts';
import { ciFromProps, ciFromVersion, relationFromProps, relationFromVersion } from '../../server/store/neo4j/records.ts';
import { neo4jBatchTx } from '../../server/store/neo4j/batch-tx.ts';
import { fakeTx } from './neo4j-fake-tx.ts';

const now = '2026-01-01T00:00:10.000Z';
const ci = (id: string, extra: Partial<CiRecord> = {}): CiRecord => ({
  id, class: 'load_balancer', name: id, environment: 'prod', tier: 2, owner: null, lifecycle: 'active',
  attributes: { port: 443 }, identifiers: { endpoint: `${id}.example.com` }, version: 1, validFrom: now, validTo: null, ...extra,
});
const rel = (id: string, extra: Partial<RelationRecord> = {}): RelationRecord => ({
  id, type: 'DEPENDS_ON', from: 'a', to: 'b', attributes: {}, redundancy: { group: 'g', minUp: '50%' }, provenance: ['declared'],
  observed: null, version: 1, validFrom: now, validTo: null, ...extra,
});
const assertion = (targetId: string): StoredAssertion => ({
  targetId, source: 'k8s', scope: 's', runId: 'r1', firstSeen: now, lastSeen: now, active: true, values: { name: targetId },
});
const ciItem = (action: CiPlanItem['action'], record: CiRecord): CiPlanItem => ({ index: 0, action, matchedBy: null, record, previous: null, assertions: [assertion(record.id)], newKeys: [] });
const relItem = (action: RelationPlanItem['action'], record: RelationRecord, touchOnly = false): RelationPlanItem => ({ index: 0, action, record, previous: null, assertions: [assertion(record.id)], touchOnly });

const plan = (cis: CiPlanItem[], relations: RelationPlanItem[], withEvent = true): WritePlan => ({
  now, source: 'k8s', cis, relations, keys: [{ key: 'k1', ciId: 'a' }],
  run: { runId: 'r1', source: 'k8s', scope: 's', startedAt: now, lastBatchAt: now, completedAt: null, batches: 3 },
  event: withEvent ? { at: now, source: 'k8s', changes: [{ kind: 'ci.created', ci: ci('a') }] } : null,
});

describe('write rows (pure shaping of a plan into query parameters)', () => {
  it('opens a version for created CIs and closes the old one first for updated, restored and retired ones', () => {
    const rows = writeRows(plan([
      ciItem('create', ci('a')), ciItem('update', ci('b', { version: 2 })), ciItem('restore', ci('c', { version: 3 })),
      ciItem('retire', ci('d', { lifecycle: 'retired', validTo: now })), ciItem('unchanged', ci('e')),
    ], []));
    expect(rows.closeCiVersions).toEqual(['b', 'c', 'd']);
    expect(rows.createCis.map((r) => r.id)).toEqual(['a']);
    expect(rows.updateCis.map((r) => r.id)).toEqual(['b', 'c', 'd']);
    expect(rows.ciVersions.map((v) => [v.ciId, v.version.toNumber()])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(rows.assertions.map((a) => [a.targetId, a.kind])).toEqual(['a', 'b', 'c', 'd', 'e'].map((id) => [id, 'ci']));
  });

  it('writes a touched relation without a version, and retires relations like CIs', () => {
    const rows = writeRows(plan([], [
      relItem('create', rel('r1')), relItem('unchanged', rel('r2'), true), relItem('unchanged', rel('r3')),
      relItem('retire', rel('r4', { validTo: now })),
    ]));
    expect(rows.createRelations.map((r) => r.id)).toEqual(['r1']);
    expect(rows.updateRelations.map((r) => r.id)).toEqual(['r2', 'r4']);
    expect(rows.relationVersions.map((v) => v.relId)).toEqual(['r1']);
    expect(rows.closeRelationVersions).toEqual(['r4']);
    expect(rows.assertions.every((a) => a.kind === 'relation')).toBe(true);
  });

  it('sends integers as driver Integers and nested values as JSON text', () => {
    const row = ciRow(ci('a'));
    expect(neo4j.isInt(row.props.version)).toBe(true);
    expect(neo4j.isInt(row.props.tier)).toBe(true);
    expect(row.props.attributes).toBe('{"port":443}');
    expect(row.label).toBe('LoadBalancer');
    const rows = writeRows(plan([], [relItem('create', rel('r1'))]));
    expect(rows.createRelations[0].props.redundancy).toBe('{"group":"g","minUp":"50%"}');
    expect(neo4j.isInt(rows.run.batches)).toBe(true);
    expect(JSON.parse(rows.event!.changes)[0].kind).toBe('ci.created');
  });

  it('reads back what it wrote: current records and versions round-trip', () => {
    const c = ci('a', { owner: 'team', attributes: { nested: { x: [1, 2] } } });
    const r = writeRows(plan([ciItem('create', c)], [relItem('create', rel('r1', { observed: { calls: 3, errors: 1, lastSeen: now } }))]));
    const asStored = (p: Record<string, unknown>) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null).map(([k, v]) => [k, neo4j.isInt(v) ? (v as { toNumber(): number }).toNumber() : v]));
    expect(ciFromProps(asStored(r.createCis[0].props))).toEqual(c);
    expect(ciFromVersion(asStored({ ...r.ciVersions[0] }))).toEqual(c);
    const relation = rel('r1', { observed: { calls: 3, errors: 1, lastSeen: now } });
    const relProps = { ...asStored(r.createRelations[0].props), type: 'DEPENDS_ON', from: 'a', to: 'b' };
    expect(relationFromProps(relProps)).toEqual(relation);
    expect(relationFromVersion(asStored({ ...r.relationVersions[0] }))).toEqual({ ...relation, observed: null });
  });

  it('takes labels and relationship types from the registries only', () => {
    expect(labelOf('k8s_workload')).toBe('K8sWorkload');
    expect(() => labelOf('Robert`) DETACH DELETE n //')).toThrow(/no Neo4j label/);
    expect(relTypeOf('RUNS_ON')).toBe('RUNS_ON');
    expect(() => relTypeOf('KNOWS')).toThrow(/unknown relation type/);
  });
});

describe('the write transaction against a recording transaction', () => {
  it('runs the statements in order, each with exactly the parameters it uses', async () => {
    const written = (p: Record<string, unknown>) => [{ written: (p.rows as unknown[]).length }];
    const { tx, calls, problems } = fakeTx({ 'update-cis': written, 'create-relations': written, 'update-relations': written, 'append-event': () => [{ seq: 7 }] });
    const seq = await neo4jBatchTx(tx).write(plan(
      [ciItem('create', ci('a')), ciItem('update', ci('b', { version: 2 }))],
      [relItem('create', rel('r1')), relItem('retire', rel('r2', { validTo: now }))],
    ));
    expect(seq).toBe(7);
    expect(problems).toEqual([]);
    expect(calls.map((c) => c.name)).toEqual([
      'set-last-batch-at', 'close-ci-versions', 'create-cis', 'update-cis', 'merge-ci-versions', 'merge-keys', 'close-relation-versions',
      'create-relations', 'update-relations', 'merge-relation-versions', 'upsert-assertions', 'upsert-runs', 'append-event',
    ]);
  });

  it('skips statements with no rows and writes no event when the plan has none', async () => {
    const { tx, calls } = fakeTx();
    expect(await neo4jBatchTx(tx).write(plan([], [], false))).toBe(0);
    expect(calls.map((c) => c.name)).toEqual(['set-last-batch-at', 'merge-keys', 'upsert-runs']);
  });

  it('refuses a batch whose relation ends were not all found', async () => {
    const { tx } = fakeTx({ 'create-relations': () => [{ written: 0 }] });
    await expect(neo4jBatchTx(tx).write(plan([], [relItem('create', rel('r1'))]))).rejects.toThrow(/refusing a partial batch/);
  });

  it('refuses to create a CI or relation the plan says to update (MERGE would have; SQLite throws too)', async () => {
    const { tx } = fakeTx({ 'update-cis': () => [{ written: 0 }] });
    await expect(neo4jBatchTx(tx).write(plan([ciItem('update', ci('ghost', { version: 2 }))], []))).rejects.toThrow(/CIs to update: found 0 of 1 .*ghost/);
    const second = fakeTx({ 'update-relations': () => [{ written: 0 }] });
    await expect(neo4jBatchTx(second.tx).write(plan([], [relItem('retire', rel('r9', { validTo: now }))]))).rejects.toThrow(/relations to update: found 0 of 1 .*r9/);
  });
});
