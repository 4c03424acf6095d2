import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { clock, push } from './contract.ts';

const svc = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });

describe('an embedded store file written before assertions had digests and batch sightings', () => {
  const tempDir = useTempDirs();

  it('opens, gains the column, and re-syncs its old assertions with the same answers', async () => {
    const dir = tempDir('sg-upgrade-');
    const file = join(dir, 'old.db');
    const c = clock();
    let store = new SqliteStore({ file });
    await store.init();
    const t0 = c.now();
    await push(store, { source: 'k8s', scope: 'prod', runId: 'r1', complete: true, cis: [svc('a'), svc('b')] }, { now: () => t0 });
    await store.close();
    // What an older release left: the same rows, without the digest and sighting columns (each row with its own run
    // and sighting), its index by scope, and the batch cache that came before scope_batches.
    const db = new Database(file);
    db.exec(`DROP INDEX assertions_scope_sighting; DROP INDEX assertions_unbatched_seen;
      UPDATE assertions SET run_id = (SELECT sb.run_id FROM scope_batches sb WHERE sb.id = assertions.sighting),
        last_seen = (SELECT sb.last_seen FROM scope_batches sb WHERE sb.id = assertions.sighting) WHERE sighting IS NOT NULL;
      UPDATE assertions SET sighting = NULL; DROP TABLE scope_batches;
      ALTER TABLE assertions DROP COLUMN sighting; ALTER TABLE assertions DROP COLUMN digest;
      CREATE INDEX assertions_scope ON assertions (source, scope, active);
      CREATE TABLE batch_sightings (source TEXT NOT NULL, scope TEXT NOT NULL, anchor TEXT NOT NULL, digest TEXT NOT NULL,
        targets TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (source, scope, anchor)) WITHOUT ROWID`);
    db.close();

    store = new SqliteStore({ file });
    await store.init();
    try {
      const t1 = c.advance(60_000);
      const again = await push(store, { source: 'k8s', scope: 'prod', runId: 'r2', complete: true, cis: [svc('a'), svc('b')] }, { now: () => t1 });
      expect(!again.dryRun && again.result.cis).toEqual({ created: 0, updated: 0, unchanged: 2, retired: 0 });
      const t2 = c.advance(60_000);
      // Now with digests: the next re-sync is a plain re-sighting, and says the same.
      const third = await push(store, { source: 'k8s', scope: 'prod', runId: 'r3', complete: true, cis: [svc('a')], force: true }, { now: () => t2 });
      expect(!third.dryRun && third.result.cis).toEqual({ created: 0, updated: 0, unchanged: 1, retired: 1 });
      const a = (await store.listCis({ limit: 10, q: 'a' })).items.find((x) => x.name === 'a')!;
      const detail = (await store.getCiDetail(a.id))!;
      expect(detail.sources).toEqual([{ source: 'k8s', scope: 'prod', runId: 'r3', firstSeen: t0, lastSeen: t2, active: true, values: { name: 'a', environment: 'prod' } }]);
      // And a fourth, recognised whole by the batch the third remembered, moves the sighting of both.
      const t3 = c.advance(60_000);
      await push(store, { source: 'k8s', scope: 'prod', runId: 'r4', complete: true, cis: [svc('a')], force: true }, { now: () => t3 });
      expect((await store.getCiDetail(a.id))!.sources.map((x) => [x.runId, x.lastSeen])).toEqual([['r4', t3]]);
      expect(await store.lastSeen([a.id])).toEqual(new Map([[a.id, t3]]));
    } finally {
      await store.close();
    }
  });
});
