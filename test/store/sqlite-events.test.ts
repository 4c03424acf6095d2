import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { openSqliteExport } from '../../server/store/sqlite/export-rows.ts';
import { clock, push } from './contract.ts';

const svc = (name: string) => ({ class: 'service' as const, name, environment: 'prod', attributes: { team: 'payments', note: `the ${name} service` } });

describe('change events in the embedded store', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
  const fileIn = () => { const d = mkdtempSync(join(tmpdir(), 'sg-events-')); dirs.push(d); return join(d, 'store.db'); };

  it('keeps a large event deflated and reads it back exactly; small ones stay text; the migration export gets JSON text', async () => {
    const file = fileIn();
    const store = new SqliteStore({ file });
    await store.init();
    const c = clock();
    const big = await push(store, { source: 'k8s', cis: Array.from({ length: 300 }, (_, i) => svc(`svc-${i}`)) }, { now: c.now });
    const small = await push(store, { source: 'k8s', cis: [svc('one')] }, { now: c.now });
    const events = await store.eventsSince(0, 10);
    expect(events).toEqual([!big.dryRun && big.event, !small.dryRun && small.event]);
    await store.close();

    const db = new Database(file, { readonly: true });
    const rows = db.prepare<[], { seq: number; kind: string; bytes: number }>('SELECT seq, typeof(changes) AS kind, length(changes) AS bytes FROM events ORDER BY seq').all();
    db.close();
    const json = JSON.stringify(events[0].changes).length;
    expect(rows.map((r) => r.kind)).toEqual(['blob', 'text']);
    expect(rows[0].bytes).toBeLessThan(json / 5);

    const exported = openSqliteExport(file);
    try {
      const page = exported.page('events', null, 10);
      expect(page.map((r) => JSON.parse(r.changes as string))).toEqual(events.map((e) => e.changes));
    } finally {
      exported.close();
    }
  });

  it('reads events a release before this one wrote as plain text', async () => {
    const file = fileIn();
    let store = new SqliteStore({ file });
    await store.init();
    const c = clock();
    await push(store, { source: 'k8s', cis: Array.from({ length: 300 }, (_, i) => svc(`svc-${i}`)) }, { now: c.now });
    const [event] = await store.eventsSince(0, 1);
    await store.close();
    const db = new Database(file);
    db.prepare('UPDATE events SET changes = ? WHERE seq = ?').run(JSON.stringify(event.changes), event.seq);
    db.close();
    store = new SqliteStore({ file });
    await store.init();
    try {
      expect(await store.eventsSince(0, 1)).toEqual([event]);
    } finally {
      await store.close();
    }
  });
});
