import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { StartedNeo4jContainer } from '@testcontainers/neo4j';
import { storeContract, push } from './contract.ts';
import { findNeo4jTarget, testTimeouts } from './neo4j-target.ts';
import { createNeo4jStore, type Neo4jConfig, type Neo4jStore } from '../../server/store/neo4j/index.ts';
import { runQuery } from '../../server/store/neo4j/run.ts';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import { TopologyService } from '../../server/topology/topology-service.ts';

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
  });
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
});
