import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { StartedNeo4jContainer } from '@testcontainers/neo4j';
import { storeContract, push } from './contract.ts';
import { findNeo4jTarget, testTimeouts } from './neo4j-target.ts';
import { createNeo4jStore, type Neo4jConfig, type Neo4jStore } from '../../server/store/neo4j/index.ts';
import { runQuery } from '../../server/store/neo4j/run.ts';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import { TopologyService } from '../../server/topology/topology-service.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { openSqliteExport } from '../../server/store/sqlite/export-rows.ts';
import { migrateSqliteToNeo4j } from '../../server/store/neo4j/migrate.ts';
import type { GraphStore } from '../../server/store/port.ts';
import { seedEmbeddedStore } from './neo4j-seed.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const target = await findNeo4jTarget();
// The one line a run without Neo4j prints.
if (target.kind === 'none') console.log(`Neo4j store tests skipped: ${target.reason}`);

describe.skipIf(target.kind === 'none')('Neo4j store', () => {
  let container: StartedNeo4jContainer | undefined;
  let config: Neo4jConfig;
  const open: Neo4jStore[] = [];

  /** A store on the shared test database, emptied first (Community Edition has one user database). */
  async function freshStore(): Promise<Neo4jStore> {
    const store = createNeo4jStore({ ...config, ...testTimeouts });
    await store.writeTransaction((tx) => runQuery(tx, 'delete-all'));
    return store;
  }
  const another = () => { const s = createNeo4jStore({ ...config, ...testTimeouts }); open.push(s); return s; };

  beforeAll(async () => {
    if (target.kind === 'env') config = target.config;
    else {
      const { Neo4jContainer } = await import('@testcontainers/neo4j');
      container = await new Neo4jContainer('neo4j:5.26-community').withPassword('servicegraph-test').start();
      config = { uri: container.getBoltUri(), user: container.getUsername(), password: container.getPassword(), database: 'neo4j' };
    }
    const first = createNeo4jStore({ ...config, ...testTimeouts });
    try { await first.init(); } finally { await first.close(); }
  }, 300_000); // a first image pull can take minutes
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await container?.stop();
  });

  storeContract('Neo4j 5', async () => {
    const store = await freshStore();
    return { store, cleanup: () => store.close() };
  });

  describe('replicas', () => {
    it('a second instance sees the first one\'s writes in its projection within 2 s, by following the event log', async () => {
      const a = await freshStore(); open.push(a);
      const b = another();
      const feedA = new ChangeFeed(a, 200);
      const feedB = new ChangeFeed(b, 200);
      const topoA = new TopologyService(a);
      const topoB = new TopologyService(b);
      await topoA.start(feedA); feedA.start(topoA.seq);
      await topoB.start(feedB); feedB.start(topoB.seq);
      try {
        const out = await push(a, {
          source: 'kubernetes',
          cis: [{ class: 'service', name: 'checkout', environment: 'prod' }, { class: 'database', name: 'orders-db', environment: 'prod' }],
          relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'checkout', environment: 'prod' }, to: { class: 'database', name: 'orders-db', environment: 'prod' } }],
        });
        const seq = !out.dryRun ? out.result.seq : 0;
        const started = Date.now();
        while (topoB.seq < seq && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 50));
        expect(topoB.seq).toBe(seq);
        const checkout = (await a.listCis({ limit: 10, q: 'checkout' })).items[0];
        expect(topoB.current.nodeOf(checkout.id)).toBeDefined();
        expect(topoB.current.stats()).toMatchObject({ cis: 2, relations: 1 });
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        feedA.stop(); feedB.stop(); topoA.stop(); topoB.stop();
      }
    });

    it('numbers events from two instances writing at once without a gap or a repeat', async () => {
      const a = await freshStore(); open.push(a);
      const b = another();
      await Promise.all(Array.from({ length: 10 }, (_, i) => push(i % 2 ? a : b, { source: 'a', cis: [{ class: 'service', name: `s${i}`, environment: 'prod' }] })));
      const events = await b.eventsSince(0, 100);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    });

    it('makes one CI when two instances identify the same new item at once', async () => {
      const a = await freshStore(); open.push(a);
      const b = another();
      const item = { source: 'a', cis: [{ class: 'host', name: 'db-1', identifiers: { fqdn: 'db-1.example.com' } }] };
      await Promise.all([push(a, item), push(b, { ...item, source: 'b' })]);
      expect((await a.listCis({ limit: 10 })).items).toHaveLength(1);
    });
  });
  describe('migration from the embedded store', () => {
    /** Everything a reader can see, in a comparable form. */
    async function snapshot(store: GraphStore) {
      const cis = (await store.listCis({ limit: 1000, lifecycle: 'any' })).items;
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      // Relation order within a CI's detail is not part of the contract.
      const details = (await Promise.all(cis.map((c) => store.getCiDetail(c.id))))
        .map((d) => d && { ...d, relations: { outgoing: d.relations.outgoing.sort(byId), incoming: d.relations.incoming.sort(byId) } });
      const topo: unknown[] = [];
      for await (const chunk of store.streamTopology(undefined, 5)) topo.push(...chunk.cis.map((c) => c.id), ...chunk.relations.map((r) => r.id));
      return {
        cis, details, topology: topo.map(String).sort(),
        diff: await store.diff('2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z', 100),
        asOf: await store.getCis(cis.map((c) => c.id), '2026-01-01T12:00:00.000Z'),
        events: await store.eventsSince(0, 1000), token: await store.findToken('h1'), docs: await store.listDocs('incident'),
      };
    }
    const sortDiff = <T extends { cis: Record<string, { id?: string; after?: { id: string } }[]>; relations: Record<string, { id?: string; after?: { id: string } }[]> }>(d: T) => {
      const key = (x: { id?: string; after?: { id: string } }) => x.id ?? x.after!.id;
      for (const part of [d.cis, d.relations]) for (const k of Object.keys(part)) part[k].sort((a, b) => key(a).localeCompare(key(b)));
      return d;
    };

    it('copies an embedded store, history included, so that every read answers the same; the log continues', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sg-migrate-'));
      const file = join(dir, 'servicegraph.db');
      try {
        await seedEmbeddedStore(file);
        const embedded = new SqliteStore({ file });
        await embedded.init();
        const target = await freshStore(); open.push(target);
        const source = openSqliteExport(file);
        try {
          const out = await migrateSqliteToNeo4j(source, target, { batchSize: 5 });
          expect(out.counts.filter((c) => !c.ok)).toEqual([]);
        } finally { source.close(); }
        const [a, b] = [await snapshot(embedded), await snapshot(target)];
        expect(b.cis).toEqual(a.cis);
        expect(b.details).toEqual(a.details);
        expect(b.topology).toEqual(a.topology);
        expect(sortDiff(b.diff)).toEqual(sortDiff(a.diff));
        expect(b.asOf.sort((x, y) => x.id.localeCompare(y.id))).toEqual(a.asOf.sort((x, y) => x.id.localeCompare(y.id)));
        expect(b.events).toEqual(a.events);
        expect(b.token).toEqual(a.token);
        expect(b.docs).toEqual(a.docs);
        const last = await embedded.latestSeq();
        await embedded.close();
        const next = await push(target, { source: 'manual', cis: [{ class: 'team', name: 'payments' }] });
        expect(!next.dryRun && next.result.seq).toBe(last + 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
