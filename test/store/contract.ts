import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { AUDIT_RECORD, type GraphStore } from '../../server/store/port.ts';
import { ingest, type IngestOptions } from '../../server/ingest/ingest-service.ts';
import { IngestBatch, type IngestBatchInput } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { relationTypeList, type RelationTypeName } from '../../server/model/relations.ts';
import { ConflictError, DomainError, InputError, UnprocessableError } from '../../server/domain/errors.ts';

export interface StoreFixture { store: GraphStore; cleanup(): Promise<void> }

/** A controllable clock so that history tests name exact instants. */
export function clock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let t = start;
  return { now: () => new Date(t).toISOString(), advance: (ms = 1000) => { t += ms; return new Date(t).toISOString(); }, at: () => new Date(t).toISOString() };
}

export async function push(store: GraphStore, batch: IngestBatchInput, opts: Partial<IngestOptions> & { dryRun?: boolean } = {}) {
  return ingest(store, IngestBatch.parse(batch), { limits: defaultLimits, maxRetireShare: 0.2, ...opts });
}

export async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try { await p; } catch (e) { if (e instanceof DomainError) return e; throw e; }
  throw new Error('expected the batch to be rejected');
}

const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });
const ref = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });

async function allActive(store: GraphStore) {
  const out = [];
  let cursor: string | undefined;
  do {
    const page = await store.listCis({ limit: 100, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * The behaviour every GraphStore has. Run by test/store/<store>.test.ts for each adapter;
 * everything goes through the one write path (`ingest`) and the port's reads.
 */
export function storeContract(name: string, make: () => Promise<StoreFixture>) {
  describe(`GraphStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: GraphStore;
    let c: ReturnType<typeof clock>;
    beforeEach(async () => { fx = await make(); store = fx.store; c = clock(); });
    afterEach(async () => { await fx.cleanup(); });

    describe('applying a batch', () => {
      it('creates CIs and relations and reads them back', async () => {
        const out = await push(store, { source: 'kubernetes', cis: [svc('checkout', { tier: 1 }), svc('payments')], relations: [{ type: 'DEPENDS_ON', from: ref('checkout'), to: ref('payments') }] }, { now: c.now });
        expect(out.dryRun).toBe(false);
        if (out.dryRun) return;
        expect(out.result.cis).toEqual({ created: 2, updated: 0, unchanged: 0, retired: 0 });
        expect(out.result.relations.created).toBe(1);
        const cis = await allActive(store);
        expect(cis.map((x) => x.name)).toEqual(['checkout', 'payments']);
        const checkout = cis[0];
        expect(checkout).toMatchObject({ class: 'service', environment: 'prod', tier: 1, lifecycle: 'active', version: 1, validTo: null });
        const rels = await store.relationsOf([checkout.id]);
        expect(rels).toHaveLength(1);
        expect(rels[0]).toMatchObject({ type: 'DEPENDS_ON', from: checkout.id, to: cis[1].id, provenance: ['declared'] });
        // Outgoing only: the dependency is checkout's, not payments'.
        expect((await store.relationsFrom([checkout.id])).map((r) => r.id)).toEqual([rels[0].id]);
        expect(await store.relationsFrom([cis[1].id])).toEqual([]);
      });

      it('stores every relation type of the registry, each read back with its type (MONITORS included)', async () => {
        const types = relationTypeList.map((t) => t.name);
        await push(store, { source: 'a', cis: [svc('hub'), ...types.map((t) => svc(`to-${t}`))], relations: types.map((t) => ({ type: t as RelationTypeName, from: ref('hub'), to: ref(`to-${t}`) })) }, { now: c.now });
        const hub = (await allActive(store)).find((x) => x.name === 'hub')!;
        expect((await store.relationsOf([hub.id])).map((r) => r.type).sort()).toEqual([...types].sort());
        const streamed: string[] = [];
        for await (const chunk of store.streamTopology(undefined, 3)) streamed.push(...chunk.relations.map((r) => r.type));
        expect(streamed.sort()).toEqual([...types].sort());
      });

      it('reports the same batch sent twice as unchanged and writes no new version or event', async () => {
        const batch = { source: 'kubernetes', cis: [svc('checkout')], relations: [] };
        await push(store, batch, { now: c.now });
        const seq = await store.latestSeq();
        c.advance();
        const again = await push(store, batch, { now: c.now });
        expect(!again.dryRun && again.result.cis).toEqual({ created: 0, updated: 0, unchanged: 1, retired: 0 });
        expect(await store.latestSeq()).toBe(seq);
        const [ci] = await allActive(store);
        expect(ci.version).toBe(1);
      });

      it('numbers change events monotonically, one per committed batch', async () => {
        await push(store, { source: 'a', cis: [svc('x')] }, { now: c.now });
        await push(store, { source: 'a', cis: [svc('y')] }, { now: c.now });
        const events = await store.eventsSince(0, 10);
        expect(events.map((e) => e.seq)).toEqual([1, 2]);
        expect(events[1].changes[0]).toMatchObject({ kind: 'ci.created', ci: { name: 'y' } });
        expect(await store.eventsSince(1, 10)).toHaveLength(1);
      });

      it('refuses a relation to an unknown CI by itself and writes the rest of the batch', async () => {
        const { result } = await push(store, { source: 'a', cis: [svc('checkout')], relations: [{ type: 'DEPENDS_ON', from: ref('checkout'), to: ref('ghost') }] });
        expect(result.refused).toEqual([expect.objectContaining({ at: 'relations.0', code: 'unknown_ci' })]);
        expect(result.refused[0].message).toContain('ghost');
        const [checkout] = await allActive(store);
        expect(checkout).toMatchObject({ name: 'checkout' });
        expect(await store.relationsOf([checkout.id])).toEqual([]);
      });

      it('resolves relation ends by id as well as by identifiers', async () => {
        await push(store, { source: 'a', cis: [svc('checkout'), svc('payments')] });
        const [checkout, payments] = await allActive(store);
        await push(store, { source: 'manual', relations: [{ type: 'DEPENDS_ON', from: { id: checkout.id }, to: { id: payments.id } }] });
        const rels = await store.relationsOf([payments.id]);
        expect(rels[0]).toMatchObject({ from: checkout.id, to: payments.id, provenance: ['manual'] });
      });

      it('rolls back everything when the transaction function throws', async () => {
        await expect(store.transact(async (tx) => {
          await tx.write({ now: c.now(), source: 'a', cis: [], relations: [], keys: [{ key: 'k', ciId: 'ci-x' }], run: { runId: 'r', source: 'a', scope: 's', startedAt: c.now(), lastBatchAt: c.now(), completedAt: null, batches: 1 }, event: { at: c.now(), source: 'a', changes: [] } });
          throw new Error('boom');
        })).rejects.toThrow('boom');
        expect(await store.latestSeq()).toBe(0);
        await store.transact(async (tx) => { expect((await tx.lookupKeys(['k'])).size).toBe(0); expect(await tx.getRun('r')).toBeNull(); }, { readOnly: true });
      });
    });

    describe('exactly once, in time order', () => {
      const key = (k: string) => ({ key: `tok-test:${k}`, fingerprint: `fp-${k}` });
      const lastSeenOf = async (id: string) => (await store.lastSeen([id])).get(id);

      it('answers a batch sent again under its idempotency key with the first reply and writes nothing', async () => {
        const batch = { source: 'kubernetes', scope: 'prod', runId: 'run-1', complete: true, cis: [svc('checkout')] };
        const first = await push(store, batch, { now: c.now, idempotency: key('b1') });
        expect(!first.dryRun && first.replayed).toBe(false);
        const [ci] = await allActive(store);
        const seen = await lastSeenOf(ci.id);
        c.advance(60_000);
        const again = await push(store, batch, { now: c.now, idempotency: key('b1') });
        // Without the key this completing batch would meet its own completed run (409 run_completed).
        expect(again).toMatchObject({ dryRun: false, replayed: true, event: null });
        expect(again.result).toEqual(first.result);
        expect(await store.latestSeq()).toBe(1);
        expect(await lastSeenOf(ci.id)).toBe(seen);
        await store.transact(async (tx) => { expect((await tx.getRun('run-1'))!.batches).toBe(1); }, { readOnly: true });
      });

      it('refuses an idempotency key reused for another batch (422) and writes nothing', async () => {
        await push(store, { source: 'a', cis: [svc('x')] }, { now: c.now, idempotency: key('k') });
        const e = await rejection(push(store, { source: 'a', cis: [svc('y')] }, { now: c.now, idempotency: { key: 'tok-test:k', fingerprint: 'other' } }));
        expect(e).toBeInstanceOf(UnprocessableError);
        expect(e.code).toBe('idempotency_key_reused');
        expect((await allActive(store)).map((x) => x.name)).toEqual(['x']);
        expect(await store.latestSeq()).toBe(1);
      });

      it('forgets a key once its time is up, and the same batch is then applied as new', async () => {
        const batch = { source: 'a', runId: 'run-2', cis: [svc('x')] };
        await push(store, batch, { now: c.now, idempotency: key('old'), idempotencyTtlMs: 1000 });
        c.advance(2000);
        const later = await push(store, batch, { now: c.now, idempotency: key('old'), idempotencyTtlMs: 1000 });
        expect(later).toMatchObject({ dryRun: false, replayed: false });
        await store.transact(async (tx) => { expect((await tx.getRun('run-2'))!.batches).toBe(2); }, { readOnly: true });
        // Kept again under the key, from this second application.
        const third = await push(store, batch, { now: c.now, idempotency: key('old'), idempotencyTtlMs: 1000 });
        expect(third).toMatchObject({ replayed: true });
      });

      it('applies a batch once when its committed transaction is run again (a driver retry after a lost COMMIT reply)', async () => {
        // The store commits the first attempt, then runs the same transaction function again, as neo4j-driver
        // does when COMMIT succeeded on the server but its answer never arrived.
        const retrying = Object.create(store) as GraphStore;
        retrying.transact = async (fn, o) => { await store.transact(fn, o); return store.transact(fn, o); };
        const out = await push(retrying, { source: 'a', scope: 's', runId: 'run-3', complete: true, cis: [svc('x'), svc('y')] }, { now: c.now });
        expect(out).toMatchObject({ dryRun: false, replayed: true });
        expect(!out.dryRun && out.result).toMatchObject({ seq: 1, cis: { created: 2 }, runCompleted: true });
        expect(await store.latestSeq()).toBe(1);
        await store.transact(async (tx) => { expect((await tx.getRun('run-3'))!.batches).toBe(1); }, { readOnly: true });
      });

      it('stamps a batch no earlier than the last committed one, whatever its clock says', async () => {
        const late = clock(Date.parse('2026-01-01T00:10:00.000Z'));
        await push(store, { source: 'a', cis: [svc('x', { tier: 1 })] }, { now: late.now });
        // A batch whose clock is behind (it queued on the lock, or another instance's clock lags).
        await push(store, { source: 'a', cis: [svc('x', { tier: 2 })] }, { now: c.now });
        await push(store, { source: 'a', cis: [svc('x', { tier: 3 })] }, { now: c.now });
        const [x] = await allActive(store);
        expect(x.tier).toBe(3);
        const detail = (await store.getCiDetail(x.id))!;
        expect(detail.history.filter((v) => v.validTo === null)).toHaveLength(1);
        for (const v of detail.history) if (v.validTo !== null) expect(v.validTo >= v.validFrom, `version ${v.version}`).toBe(true);
        expect(await store.getCis([x.id], late.now())).toHaveLength(1);
        const events = await store.eventsSince(0, 10);
        expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
        expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort());
        expect(events[2].at >= late.now()).toBe(true);
        // An event appended outside ingest (incidents, changes) with an earlier instant keeps time order too.
        const seq = await store.appendEvent({ at: c.now(), source: null, changes: [{ kind: 'incident.opened', ref: 'i1' }] });
        const [appended] = await store.eventsSince(seq - 1, 1);
        expect(appended.at >= events[2].at).toBe(true);
        await push(store, { source: 'a', cis: [svc('x', { tier: 4 })] }, { now: c.now });
        const [after] = await store.eventsSince(seq, 1);
        expect(after.at >= appended.at).toBe(true);
      });
    });

    describe('refusing a plan that does not match the store', () => {
      it('refuses to update a CI that is not there, instead of creating it, and writes nothing', async () => {
        const t = c.now();
        const ghost = { id: 'ci-ghost', class: 'service', name: 'ghost', environment: 'prod', tier: null, owner: null, lifecycle: 'active' as const, attributes: {}, identifiers: {}, version: 2, validFrom: t, validTo: null };
        await expect(store.transact((tx) => tx.write({
          now: t, source: 'a', keys: [], relations: [], event: { at: t, source: 'a', changes: [] },
          cis: [{ index: 0, action: 'update', matchedBy: null, record: ghost, previous: null, assertions: [], newKeys: [] }],
          run: { runId: 'r', source: 'a', scope: 's', startedAt: t, lastBatchAt: t, completedAt: null, batches: 1 },
        }))).rejects.toThrow(/ci-ghost/);
        expect(await store.getCis(['ci-ghost'])).toEqual([]);
        expect(await store.latestSeq()).toBe(0);
      });
    });

    describe('identification and reconciliation', () => {
      it('makes one CI of a host two sources report by different identifiers', async () => {
        await push(store, { source: 'nmap', cis: [{ class: 'host', name: '10.0.0.7', identifiers: { ip: '10.0.0.7' } }] });
        await push(store, { source: 'netstat', cis: [{ class: 'host', name: 'db-7', identifiers: { fqdn: 'db-7.example.com', ip: '10.0.0.7' } }] });
        await push(store, { source: 'manual', cis: [{ class: 'host', name: 'db-7', identifiers: { serialNumber: 'SN-1', fqdn: 'db-7.example.com' } }] });
        const hosts = await allActive(store);
        expect(hosts).toHaveLength(1);
        expect(hosts[0].identifiers).toEqual({ fqdn: 'db-7.example.com', ip: '10.0.0.7', serialNumber: 'SN-1' });
        const detail = await store.getCiDetail(hosts[0].id);
        expect(detail!.sources.map((s) => s.source).sort()).toEqual(['manual', 'netstat', 'nmap']);
      });

      it('merges attributes by source precedence and keeps the losing values in provenance', async () => {
        await push(store, { source: 'kubernetes', cis: [svc('checkout', { owner: 'team-k8s', attributes: { image: 'checkout:1' } })] });
        await push(store, { source: 'backstage', cis: [svc('checkout', { owner: 'team-commerce', attributes: { lifecycle: 'production' } })] });
        await push(store, { source: 'kubernetes', cis: [svc('checkout', { owner: 'team-other', attributes: { image: 'checkout:2' } })] });
        const [ci] = await allActive(store);
        expect(ci.owner).toBe('team-commerce');
        expect(ci.attributes).toEqual({ image: 'checkout:2', lifecycle: 'production' });
        const detail = await store.getCiDetail(ci.id);
        const k8s = detail!.sources.find((s) => s.source === 'kubernetes')!;
        expect(k8s.values.owner).toBe('team-other');
      });

      it('matches by the first rule the item carries, never moving an identifier from one CI to another', async () => {
        await push(store, { source: 'a', cis: [{ class: 'host', name: 'h1', identifiers: { serialNumber: 'S1' } }, { class: 'host', name: 'h2', identifiers: { fqdn: 'h2.example.com' } }] });
        // Conflicting: serial says h1, fqdn says h2. The serial rule ranks first; h2 keeps its fqdn.
        const out = await push(store, { source: 'b', cis: [{ class: 'host', name: 'h1', identifiers: { serialNumber: 'S1', fqdn: 'h2.example.com' } }] }, { dryRun: true });
        expect(out.dryRun && out.result.cis[0]).toMatchObject({ action: 'update', matchedBy: ['serialNumber'] });
        await push(store, { source: 'b', cis: [{ class: 'host', name: 'h1', identifiers: { serialNumber: 'S1', fqdn: 'h2.example.com' } }] });
        const hosts = await allActive(store);
        expect(hosts).toHaveLength(2);
        const h2 = hosts.find((h) => h.name === 'h2')!;
        const byFqdn = await push(store, { source: 'c', cis: [{ class: 'host', name: 'h2', identifiers: { fqdn: 'h2.example.com' } }] }, { dryRun: true });
        expect(byFqdn.dryRun && byFqdn.result.cis[0]).toMatchObject({ ciId: h2.id, matchedBy: ['fqdn'] });
      });

      it('answers a dry run with what each item would identify with and writes nothing', async () => {
        await push(store, { source: 'a', cis: [svc('checkout')] });
        const seq = await store.latestSeq();
        const out = await push(store, { source: 'b', cis: [svc('checkout'), svc('new-one')] }, { dryRun: true });
        expect(out.dryRun).toBe(true);
        if (!out.dryRun) return;
        expect(out.result.cis.map((x) => [x.name, x.action, x.matchedBy])).toEqual([['checkout', 'unchanged', ['environment', 'name']], ['new-one', 'create', null]]);
        expect(await store.latestSeq()).toBe(seq);
        expect(await allActive(store)).toHaveLength(1);
      });
    });

    describe('runs and staleness', () => {
      const scope = { source: 'kubernetes', scope: 'cluster-a' };
      const five = ['a', 'b', 'c', 'd', 'e'].map((n) => svc(n));

      it('retires what a completed run no longer asserts, keeping its history', async () => {
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five }, { now: c.now });
        const t1 = c.at();
        c.advance();
        const out = await push(store, { ...scope, runId: 'r2', complete: true, cis: five.slice(0, 4) }, { now: c.now });
        expect(!out.dryRun && out.result.cis.retired).toBe(1);
        expect((await allActive(store)).map((x) => x.name)).toEqual(['a', 'b', 'c', 'd']);
        const retired = (await store.listCis({ limit: 10, lifecycle: 'retired' })).items;
        expect(retired.map((x) => [x.name, x.validTo])).toEqual([['e', c.at()]]);
        expect(await store.getCi(retired[0].id, t1)).toMatchObject({ name: 'e' });
        // A start's progress and the room its projection reserves (topologySize, optional) count the live CIs only.
        if (store.topologySize) expect(await store.topologySize()).toEqual({ cis: 4, relations: 0 });
      });

      it('retires nothing while a run is unfinished, even across batches', async () => {
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five });
        await push(store, { ...scope, runId: 'r2', cis: five.slice(0, 2) });
        expect(await allActive(store)).toHaveLength(5);
        await push(store, { ...scope, runId: 'r2', complete: true, cis: five.slice(2, 5) });
        expect(await allActive(store)).toHaveLength(5);
      });

      it('refuses a completion that would retire more than the guard allows unless forced', async () => {
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five });
        const seq = await store.latestSeq();
        const e = await rejection(push(store, { ...scope, runId: 'r2', complete: true, cis: five.slice(0, 3) }));
        expect(e).toBeInstanceOf(ConflictError);
        expect(e.code).toBe('removal_guard');
        expect(await store.latestSeq()).toBe(seq);
        const forced = await push(store, { ...scope, runId: 'r3', complete: true, force: true, cis: five.slice(0, 3) });
        expect(!forced.dryRun && forced.result.cis.retired).toBe(2);
      });

      it('knows when any source last asserted a CI, and forgets a source that stopped asserting it', async () => {
        const t0 = c.now();
        await push(store, { source: 'kubernetes', scope: 'prod', runId: 'k1', cis: [svc('checkout'), svc('payments')], relations: [] }, { now: () => t0 });
        const t1 = c.advance(60_000);
        await push(store, { source: 'backstage', cis: [svc('checkout')], relations: [] }, { now: () => t1 });
        const byName = new Map((await allActive(store)).map((x) => [x.name, x.id]));
        const seen = await store.lastSeen([byName.get('checkout')!, byName.get('payments')!, 'ci-none']);
        expect(Object.fromEntries(seen)).toEqual({ [byName.get('checkout')!]: t1, [byName.get('payments')!]: t0 });
        expect((await store.lastSeen([])).size).toBe(0);
      });

      it('keeps a CI that another source still asserts, dropping only the finished source', async () => {
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five });
        await push(store, { source: 'backstage', cis: [svc('e', { owner: 'team-e' })] });
        await push(store, { ...scope, runId: 'r2', complete: true, cis: five.slice(0, 4) });
        const e = (await allActive(store)).find((x) => x.name === 'e')!;
        expect(e.owner).toBe('team-e');
        const detail = await store.getCiDetail(e.id);
        expect(detail!.sources.find((s) => s.source === 'kubernetes')!.active).toBe(false);
      });

      it('brings a retired CI back, same id, when a source asserts it again', async () => {
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five });
        const id = (await allActive(store)).find((x) => x.name === 'e')!.id;
        await push(store, { ...scope, runId: 'r2', complete: true, cis: five.slice(0, 4) });
        const back = await push(store, { ...scope, runId: 'r3', cis: [svc('e')] });
        expect(!back.dryRun && back.result.cis.updated).toBe(1);
        const e = await store.getCi(id);
        expect(e).toMatchObject({ lifecycle: 'active', validTo: null, version: 2 });
      });

      it('retires the relations of a retired CI', async () => {
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five, relations: [{ type: 'DEPENDS_ON', from: ref('a'), to: ref('e') }] });
        await push(store, { ...scope, runId: 'r2', complete: true, force: true, cis: five.slice(0, 4) });
        const a = (await allActive(store)).find((x) => x.name === 'a')!;
        expect(await store.relationsOf([a.id])).toEqual([]);
      });

      it('takes an unchanged re-sync under a new run as a sighting: run and last sighting move, nothing else', async () => {
        const rels = [{ type: 'DEPENDS_ON' as const, from: ref('a'), to: ref('b') }, { type: 'DEPENDS_ON' as const, from: ref('a'), to: ref('c'), observed: { calls: 5, errors: 1 } }];
        const t0 = c.now();
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five, relations: rels }, { now: () => t0 });
        const seq = await store.latestSeq();
        const t1 = c.advance(60_000);
        const again = await push(store, { ...scope, runId: 'r2', cis: five, relations: rels.slice(0, 1) }, { now: () => t1 });
        expect(!again.dryRun && again.result.cis).toEqual({ created: 0, updated: 0, unchanged: 5, retired: 0 });
        expect(!again.dryRun && again.result.relations).toEqual({ created: 0, updated: 0, unchanged: 1, retired: 0 });
        expect(await store.latestSeq()).toBe(seq);
        const a = (await allActive(store)).find((x) => x.name === 'a')!;
        expect(a.version).toBe(1);
        const detail = (await store.getCiDetail(a.id))!;
        expect(detail.sources).toEqual([{ ...scope, runId: 'r2', firstSeen: t0, lastSeen: t1, active: true, values: { name: 'a', environment: 'prod' } }]);
        expect(detail.history).toHaveLength(1);
        expect(Object.fromEntries(await store.lastSeen([a.id]))).toEqual({ [a.id]: t1 });
        // The observed edge was not re-sent: its counters stay as they were.
        const toC = detail.relations.outgoing.find((r) => r.observed)!;
        expect(toC.observed).toMatchObject({ calls: 5, errors: 1 });
        // The re-sighting counts as asserted in r2: completing r2 with one more batch keeps all five and both relations.
        const done = await push(store, { ...scope, runId: 'r2', complete: true, cis: [], relations: rels.slice(1) }, { now: c.now });
        expect(!done.dryRun && done.result.cis.retired).toBe(0);
        expect(await store.relationsOf([a.id])).toHaveLength(2);
      });

      it('re-ranks sources of equal precedence by last sighting even when the batch re-sent is unchanged', async () => {
        await push(store, { source: 'scanner-a', cis: [svc('checkout', { attributes: { zone: 'a' } })] }, { now: c.now });
        c.advance();
        await push(store, { source: 'scanner-b', cis: [svc('checkout', { attributes: { zone: 'b' } })] }, { now: c.now });
        expect((await allActive(store))[0].attributes).toEqual({ zone: 'b' });
        c.advance();
        const out = await push(store, { source: 'scanner-a', cis: [svc('checkout', { attributes: { zone: 'a' } })] }, { now: c.now });
        expect(!out.dryRun && out.result.cis.updated).toBe(1);
        expect((await allActive(store))[0]).toMatchObject({ attributes: { zone: 'a' }, version: 3 });
      });

      it('refuses more batches for a completed run', async () => {
        await push(store, { ...scope, runId: 'r1', complete: true, cis: five });
        const e = await rejection(push(store, { ...scope, runId: 'r1', cis: five }));
        expect(e).toBeInstanceOf(ConflictError);
        expect(e.code).toBe('run_completed');
      });
    });

    describe('history', () => {
      it('reads any CI and its relations as of an earlier time', async () => {
        await push(store, { source: 'a', cis: [svc('checkout', { attributes: { version: '1' } }), svc('payments')], relations: [{ type: 'DEPENDS_ON', from: ref('checkout'), to: ref('payments') }] }, { now: c.now });
        const t1 = c.at();
        c.advance();
        await push(store, { source: 'a', cis: [svc('checkout', { attributes: { version: '2' } })] }, { now: c.now });
        const [checkout] = await allActive(store);
        expect(checkout.attributes).toEqual({ version: '2' });
        expect((await store.getCi(checkout.id, t1))!.attributes).toEqual({ version: '1' });
        expect(await store.getCi(checkout.id, '2025-12-31T00:00:00.000Z')).toBeNull();
        expect(await store.relationsOf([checkout.id], t1)).toHaveLength(1);
        const detail = await store.getCiDetail(checkout.id);
        expect(detail!.history.map((h) => [h.version, h.data.attributes])).toEqual([[2, { version: '2' }], [1, { version: '1' }]]);
      });

      it('diffs two instants into added, removed and changed', async () => {
        await push(store, { source: 'k', scope: 's', runId: 'r1', complete: true, cis: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => svc(n)) }, { now: c.now });
        const t1 = c.at();
        c.advance();
        await push(store, { source: 'k', scope: 's', runId: 'r2', complete: true, cis: [svc('a', { tier: 2 }), ...['b', 'c', 'd', 'e', 'g'].map((n) => svc(n))] }, { now: c.now });
        const d = await store.diff(t1, c.at(), 100);
        expect(d.cis.added.map((x) => x.name)).toEqual(['g']);
        expect(d.cis.removed.map((x) => x.name)).toEqual(['f']);
        expect(d.cis.changed.map((x) => [x.after.name, x.fields])).toEqual([['a', ['tier']]]);
        expect(d.truncated).toBe(false);
      });

      it('answers every read as of each instant of a life: created, changed twice, retired with its relation, brought back', async () => {
        const rel = (minUp: number) => ({ type: 'DEPENDS_ON' as const, from: ref('web'), to: ref('db'), redundancy: { group: 'g', minUp } });
        const at: string[] = [];
        const step = async (batch: IngestBatchInput) => { c.advance(); await push(store, batch, { now: c.now }); at.push(c.at()); };
        await step({ source: 'k', scope: 's', runId: 'r1', cis: [svc('web', { attributes: { v: 1 } }), svc('db')], relations: [rel(1)] });
        await step({ source: 'k', scope: 's', runId: 'r1', cis: [svc('web', { attributes: { v: 2 } })], relations: [rel(2)] });
        await step({ source: 'k', scope: 's', runId: 'r1', cis: [svc('web', { attributes: { v: 3 } })] });
        await step({ source: 'k', scope: 's', runId: 'r2', complete: true, force: true, cis: [svc('db')] });
        await step({ source: 'k', scope: 's', runId: 'r3', cis: [svc('web', { attributes: { v: 4 } }), svc('db')], relations: [rel(3)] });
        const web = (await store.listCis({ limit: 10, lifecycle: 'any', q: 'web' })).items[0];
        const db = (await store.listCis({ limit: 10, lifecycle: 'any', q: 'db' })).items[0];
        const before = new Date(Date.parse(at[0]) - 1).toISOString();
        const webV = async (t: string) => (await store.getCi(web.id, t))?.attributes.v ?? null;
        expect(await Promise.all([before, ...at].map(webV))).toEqual([null, 1, 2, 3, null, 4]);
        const minUps = async (t: string) => (await store.relationsOf([db.id], t)).map((r) => r.redundancy?.minUp);
        expect(await Promise.all([before, ...at].map(minUps))).toEqual([[], [1], [2], [2], [], [3]]);
        expect((await store.getCis([web.id, db.id], at[3])).map((x) => x.name)).toEqual(['db']);
        expect((await store.getCis([web.id, db.id], at[2])).map((x) => x.name).sort()).toEqual(['db', 'web']);
        const detail = (await store.getCiDetail(web.id))!;
        expect(detail.history.map((h) => [h.version, h.data.attributes, h.validFrom, h.validTo])).toEqual([
          [4, { v: 4 }, at[4], null], [3, { v: 3 }, at[2], at[3]], [2, { v: 2 }, at[1], at[2]], [1, { v: 1 }, at[0], at[1]]]);
        const names = (d: Awaited<ReturnType<GraphStore['diff']>>) => ({
          cis: [d.cis.added.map((x) => x.name).sort(), d.cis.removed.map((x) => x.name).sort(), d.cis.changed.map((x) => [x.after.name, x.fields])],
          relations: [d.relations.added.length, d.relations.removed.length, d.relations.changed.map((x) => [x.before.redundancy?.minUp, x.after.redundancy?.minUp])],
        });
        expect(names(await store.diff(before, at[0], 100))).toEqual({ cis: [['db', 'web'], [], []], relations: [1, 0, []] });
        expect(names(await store.diff(at[0], at[2], 100))).toEqual({ cis: [[], [], [['web', ['attributes']]]], relations: [0, 0, [[1, 2]]] });
        expect(names(await store.diff(at[2], at[3], 100))).toEqual({ cis: [[], ['web'], []], relations: [0, 1, []] });
        expect(names(await store.diff(at[1], at[4], 100))).toEqual({ cis: [[], [], [['web', ['attributes']]]], relations: [0, 0, [[2, 3]]] });
        const topology = async (t: string) => {
          const cis: string[] = []; const rels: unknown[] = [];
          for await (const chunk of store.streamTopology(t, 1)) { cis.push(...chunk.cis.map((x) => x.name)); rels.push(...chunk.relations.map((r) => r.redundancy?.minUp)); }
          return [cis.sort(), rels];
        };
        expect(await Promise.all([before, ...at].map(topology))).toEqual([[[], []], [['db', 'web'], [1]], [['db', 'web'], [2]], [['db', 'web'], [2]], [['db'], []], [['db', 'web'], [3]]]);
      });

      it('streams the live topology and the topology as of a time', async () => {
        await push(store, { source: 'a', cis: [svc('x'), svc('y')], relations: [{ type: 'DEPENDS_ON', from: ref('x'), to: ref('y'), redundancy: { group: 'g', minUp: 1 } }] }, { now: c.now });
        const t1 = c.at();
        c.advance();
        await push(store, { source: 'a', cis: [svc('z')] }, { now: c.now });
        const collect = async (asOf?: string) => {
          const cis: string[] = []; const rels: unknown[] = [];
          for await (const chunk of store.streamTopology(asOf, 2)) { cis.push(...chunk.cis.map((x) => x.name)); rels.push(...chunk.relations); }
          return { cis: cis.sort(), rels };
        };
        const now = await collect();
        expect(now.cis).toEqual(['x', 'y', 'z']);
        expect(now.rels).toEqual([expect.objectContaining({ type: 'DEPENDS_ON', redundancy: { group: 'g', minUp: 1 } })]);
        expect((await collect(t1)).cis).toEqual(['x', 'y']);
      });
    });

    describe('reads', () => {
      it('lists with filters, text search and stable cursor pages', async () => {
        const names = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
        await push(store, { source: 'a', cis: [...names.map((n) => svc(n, { owner: n < 'svc-10' ? 'blue' : 'red' })), { class: 'database', name: 'orders-db', environment: 'prod' }] });
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listCis({ class: ['service'], limit: 10, cursor });
          seen.push(...page.items.map((x) => x.name));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual(names);
        expect((await store.listCis({ owner: 'blue', limit: 100 })).items).toHaveLength(10);
        expect((await store.listCis({ q: 'ORDERS', limit: 100 })).items.map((x) => x.name)).toEqual(['orders-db']);
        expect((await store.listCis({ q: '100%_', limit: 100 })).items).toEqual([]);
      });

      it('lists every class in one (name, id) order, a name shared by several classes included, whatever the page size', async () => {
        const classes = ['service', 'database', 'host', 'queue'] as const;
        const cis = Array.from({ length: 40 }, (_, i) => ({ class: classes[i % 4], name: `n-${String((i * 7) % 13).padStart(2, '0')}`, environment: i % 3 ? 'prod' : 'dev' }));
        await push(store, { source: 'a', cis: [...cis, ...classes.map((k) => ({ class: k, name: 'shared', environment: 'prod' }))] });
        const pages = async (q: { class?: string[]; environment?: string }, limit: number) => {
          const out: { name: string; id: string; class: string }[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.listCis({ ...q, limit, cursor });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            out.push(...page.items.map((x) => ({ name: x.name, id: x.id, class: x.class })));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          return out;
        };
        const whole = await pages({}, 1000);
        expect(whole).toHaveLength(new Set(cis.map((x) => `${x.class}/${x.environment}/${x.name}`)).size + 4);
        const byKey = (a: { name: string; id: string }, b: { name: string; id: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        expect(whole).toEqual([...whole].sort(byKey));
        expect(whole.filter((x) => x.name === 'shared').map((x) => x.class).sort()).toEqual([...classes].sort());
        for (const limit of [1, 2, 3, 7]) expect(await pages({}, limit)).toEqual(whole);
        expect(await pages({ class: ['host', 'database', 'host'] }, 2)).toEqual(whole.filter((x) => x.class === 'host' || x.class === 'database'));
        expect(await pages({ class: ['queue'], environment: 'dev' }, 1)).toEqual((await pages({ environment: 'dev' }, 1000)).filter((x) => x.class === 'queue'));
        expect((await store.listCis({ class: ['api'], limit: 5 })).items).toEqual([]);
      });

      it('reads a hub\'s relations up to a limit, and the relations among a set of CIs, now and as of a time', async () => {
        // dns is needed by five services; checkout also needs payments; a retired edge must not show.
        const callers = ['a', 'b', 'c', 'd', 'e'];
        await push(store, {
          source: 'k', cis: [svc('dns'), svc('payments'), svc('checkout'), ...callers.map((n) => svc(n))],
          relations: [
            ...callers.map((n) => ({ type: 'DEPENDS_ON' as const, from: ref(n), to: ref('dns') })),
            { type: 'DEPENDS_ON', from: ref('checkout'), to: ref('payments') },
            { type: 'DEPENDS_ON', from: ref('checkout'), to: ref('dns') },
          ],
        }, { now: c.now });
        const t1 = c.advance();
        const byName = new Map((await allActive(store)).map((x) => [x.name, x.id]));
        const id = (n: string) => byName.get(n)!;
        expect(await store.relationsOf([id('dns')])).toHaveLength(6);
        expect(await store.relationsOf([id('dns')], undefined, 3)).toHaveLength(3);
        expect(await store.relationsOf([id('dns')], t1, 4)).toHaveLength(4);
        expect(await store.relationsOf([id('dns')], undefined, 0)).toEqual([]);
        const hub = (await store.getCiDetail(id('dns'), 2))!.relations;
        expect([hub.incoming.length + hub.outgoing.length, hub.truncated]).toEqual([2, true]);
        const all = (await store.getCiDetail(id('dns'), 6))!.relations;
        expect([all.incoming.length, all.truncated]).toEqual([6, false]);

        const among = async (names: string[], asOf?: string, limit?: number) =>
          (await store.relationsAmong(names.map(id), asOf, limit)).map((r) => `${[...byName].find(([, v]) => v === r.from)![0]}->${[...byName].find(([, v]) => v === r.to)![0]}`).sort();
        expect(await among(['checkout', 'payments', 'dns'])).toEqual(['checkout->dns', 'checkout->payments']);
        expect(await among(['a', 'dns', 'payments'])).toEqual(['a->dns']);
        expect(await among(['a', 'b'])).toEqual([]);
        expect(await among(['checkout', 'payments', 'dns'], undefined, 1)).toHaveLength(1);

        // The run completes without checkout -> payments: gone now, still there as of t1.
        await push(store, {
          source: 'k', runId: 'r2', complete: true, force: true, cis: [svc('dns'), svc('payments'), svc('checkout'), ...callers.map((n) => svc(n))],
          relations: [...callers.map((n) => ({ type: 'DEPENDS_ON' as const, from: ref(n), to: ref('dns') })), { type: 'DEPENDS_ON', from: ref('checkout'), to: ref('dns') }],
        }, { now: () => c.advance() });
        expect(await among(['checkout', 'payments', 'dns'])).toEqual(['checkout->dns']);
        expect(await among(['checkout', 'payments', 'dns'], t1)).toEqual(['checkout->dns', 'checkout->payments']);
      });

      it('reads each CI once however often it is asked for, now and as of a time', async () => {
        await push(store, { source: 'a', cis: [svc('x'), svc('y')] }, { now: c.now });
        const [x, y] = await allActive(store);
        expect((await store.getCis([x.id, x.id, y.id, x.id])).map((r) => r.name).sort()).toEqual(['x', 'y']);
        expect(await store.getCis([x.id, x.id], c.now())).toHaveLength(1);
      });

      it('keeps tokens by hash and documents by kind', async () => {
        await store.createToken({ id: 't1', hash: 'h1', name: 'ci', role: 'collector', createdAt: c.now() });
        expect(await store.findToken('h1')).toMatchObject({ id: 't1', role: 'collector' });
        expect(await store.findToken('nope')).toBeNull();
        expect(await store.countTokens()).toBe(1);
        await store.createToken({ id: 't2', hash: 'h2', name: 'dba lead', role: 'change-manager', createdAt: c.now(), team: 'dba' });
        expect(await store.findToken('h2')).toMatchObject({ id: 't2', role: 'change-manager', team: 'dba' });
        expect((await store.findToken('h1'))?.team ?? null).toBeNull();
        await store.createToken({ id: 't3', hash: 'h3', name: 'grafana', role: 'viewer', createdAt: c.advance(), expiresAt: '2030-01-01T00:00:00.000Z' });
        expect(await store.findToken('h3')).toMatchObject({ id: 't3', expiresAt: '2030-01-01T00:00:00.000Z', lastUsedAt: null });
        await store.touchToken('t3', c.now());
        expect((await store.listTokens()).map((t) => [t.id, t.expiresAt ?? null, t.lastUsedAt ?? null])).toEqual([
          ['t1', null, null], ['t2', null, null], ['t3', '2030-01-01T00:00:00.000Z', c.now()],
        ]);
        // Never a hash in a listing.
        expect(JSON.stringify(await store.listTokens())).not.toMatch(/"h[123]"/);
        expect(await store.revokeToken('t3')).toBe(true);
        expect(await store.revokeToken('t3')).toBe(false);
        expect(await store.findToken('h3')).toBeNull();
        expect(await store.countTokens()).toBe(2);
        await store.putDoc({ kind: 'incident', id: 'i1', createdAt: c.now(), updatedAt: c.now(), data: { title: 'down' } });
        await store.putDoc({ kind: 'incident', id: 'i1', createdAt: c.now(), updatedAt: c.advance(), data: { title: 'still down' } });
        expect((await store.getDoc('incident', 'i1'))!.data).toEqual({ title: 'still down' });
        expect(await store.listDocs('incident')).toHaveLength(1);
        expect(await store.listDocs('change')).toEqual([]);
      });
      it('writes a token and its audit entry together, and neither when the token change does not happen', async () => {
        const entry = (id: string, kind: string, at: string) => ({ recordId: AUDIT_RECORD, id, at, kind, data: { token: { id: 't1' } } });
        await store.createToken({ id: 't1', hash: 'h1', name: 'ci', role: 'collector', createdAt: c.now() }, entry('a1', 'token.created', c.now()));
        // Same hash: refused, and its entry is not kept either.
        await expect(store.createToken({ id: 't2', hash: 'h1', name: 'dup', role: 'viewer', createdAt: c.now() }, entry('a2', 'token.created', c.advance()))).rejects.toThrow();
        expect(await store.revokeToken('nosuch', entry('a3', 'token.revoked', c.advance()))).toBe(false);
        expect(await store.revokeToken('t1', entry('a4', 'token.revoked', c.advance()))).toBe(true);
        expect((await store.listEntries(AUDIT_RECORD, 10)).map((e) => [e.id, e.kind])).toEqual([['a1', 'token.created'], ['a4', 'token.revoked']]);
        expect(await store.countTokens()).toBe(0);
      });
    });

    describe('records with a timeline (incidents, changes)', () => {
      const doc = (updatedAt: string, title: string) => ({ kind: 'change', id: 'chg-1', createdAt: '2026-01-01T00:00:00.000Z', updatedAt, data: { title } });
      const entry = (at: string, id: string, kind: string, data: unknown = {}) => ({ recordId: 'chg-1', id, at, kind, data });

      it('writes the record, its entries and its event together, and reads the timeline oldest first', async () => {
        const before = await store.latestSeq();
        const t0 = c.now(), t1 = c.advance();
        const out = await store.commitRecord({
          doc: doc(t0, 'patch db'), ifUpdatedAt: null,
          entries: [entry(t0, 'e-00', 'created', { by: 'alice' }), entry(t1, 'e-01', 'note', { text: 'CAB on Tuesday' })],
          event: { at: t0, source: null, changes: [{ kind: 'change.created', ref: 'chg-1' }] },
        });
        expect(out.committed).toBe(true);
        expect(out.seq).toBe(before + 1);
        expect((await store.getDoc('change', 'chg-1'))!.data).toEqual({ title: 'patch db' });
        expect((await store.eventsSince(before, 10)).map((e) => e.changes)).toEqual([[{ kind: 'change.created', ref: 'chg-1' }]]);
        expect(await store.listEntries('chg-1', 10)).toEqual([entry(t0, 'e-00', 'created', { by: 'alice' }), entry(t1, 'e-01', 'note', { text: 'CAB on Tuesday' })]);
        expect(await store.listEntries('chg-2', 10)).toEqual([]);
      });

      it('a write made against an outdated version changes nothing (optimistic concurrency)', async () => {
        const t0 = c.now();
        await store.commitRecord({ doc: doc(t0, 'v1'), ifUpdatedAt: null, entries: [entry(t0, 'e-00', 'created')], event: null });
        const seq = await store.latestSeq();
        // Created twice: the second creator loses.
        expect((await store.commitRecord({ doc: doc(t0, 'other'), ifUpdatedAt: null, entries: [entry(t0, 'e-x', 'created')], event: null })).committed).toBe(false);
        const t1 = c.advance();
        expect((await store.commitRecord({ doc: doc(t1, 'v2'), ifUpdatedAt: t0, entries: [entry(t1, 'e-01', 'status')], event: { at: t1, source: null, changes: [{ kind: 'change.updated', ref: 'chg-1' }] } })).committed).toBe(true);
        // Two writers read v1; the second one's write is refused whole: no doc, no entry, no event.
        const t2 = c.advance();
        expect(await store.commitRecord({ doc: doc(t2, 'stale'), ifUpdatedAt: t0, entries: [entry(t2, 'e-02', 'status')], event: { at: t2, source: null, changes: [{ kind: 'change.updated', ref: 'chg-1' }] } }))
          .toEqual({ committed: false, seq: 0 });
        expect((await store.getDoc('change', 'chg-1'))!.data).toEqual({ title: 'v2' });
        expect((await store.listEntries('chg-1', 10)).map((e) => e.id)).toEqual(['e-00', 'e-01']);
        expect(await store.latestSeq()).toBe(seq + 1);
      });

      it('a long timeline reads its latest entries, still oldest first', async () => {
        const entries = Array.from({ length: 12 }, (_, i) => entry(new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString(), `e-${String(i).padStart(2, '0')}`, 'priority'));
        await store.commitRecord({ doc: doc(c.now(), 'x'), entries, event: null });
        expect((await store.listEntries('chg-1', 5)).map((e) => e.id)).toEqual(['e-07', 'e-08', 'e-09', 'e-10', 'e-11']);
      });
    });
  });
}
