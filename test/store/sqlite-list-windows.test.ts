import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { listCis } from '../../server/store/sqlite/reads.ts';
import type { CiQuery } from '../../server/store/port.ts';
import { push } from './contract.ts';

const classes = ['service', 'database', 'host', 'queue'] as const;
const owners = ['blue', 'red', 'green'];

/** Every page of `q`, one after the other, as a client follows nextCursor. */
async function pages(db: Database.Database, q: Omit<CiQuery, 'limit' | 'cursor'>, limit: number, sliceMs: number, window: number) {
  const out: string[] = [];
  let cursor: string | undefined;
  let otherWorkRan = false;
  setImmediate(() => { otherWorkRan = true; });
  do {
    const page = await listCis(db, { ...q, limit, ...(cursor ? { cursor } : {}) }, sliceMs, window);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items.map((x) => `${x.name}/${x.id}`));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { out, otherWorkRan };
}

describe('a CI list whose filter no index serves, on the embedded store', () => {
  const tempDir = useTempDirs();

  it('walks the name order in windows, lets other work run between them, and pages exactly as one statement does', async () => {
    const file = join(tempDir('sg-list-'), 'test.db');
    const store = new SqliteStore({ file, synchronous: 'NORMAL' });
    await store.init();
    // Names repeat across classes (one name, several CIs), matches are spread over the whole order.
    const cis = Array.from({ length: 240 }, (_, i) => ({
      class: classes[i % 4], name: `ci-${String((i * 37) % 97).padStart(3, '0')}`, environment: i % 5 ? 'prod' : 'dev', owner: owners[i % 3],
    }));
    // Names past the BMP and just below its end, in different classes: the classes' ranges are merged in SQLite's
    // order (UTF-8 bytes), which JavaScript's own string order is not for these.
    const far = [{ class: 'queue' as const, name: 'ci-050\u{1F600}' }, { class: 'host' as const, name: 'ci-050\uFFFD' }, { class: 'service' as const, name: 'ci-050\uE000' }];
    await push(store, { source: 'a', cis: [...cis, ...far.map((c) => ({ ...c, environment: 'dev', owner: 'red' })), { class: 'database', name: 'orders-db', environment: 'prod', owner: 'blue' }] });
    const db = new Database(file, { readonly: true });
    try {
      const all = (await pages(db, { lifecycle: 'any' }, 1000, Infinity, 1e9)).out;
      expect(all).toHaveLength(244);
      // SQLite's own order of the whole table (sorted, no index).
      expect(all).toEqual(db.prepare<[], { k: string }>("SELECT name || '/' || id AS k FROM cis NOT INDEXED ORDER BY name, id").all().map((r) => r.k));
      const queries: Omit<CiQuery, 'limit' | 'cursor'>[] = [
        { q: '7' }, { q: 'ORDERS' }, { q: 'nothing-like-it' }, { owner: 'red' }, { environment: 'dev' },
        { class: ['queue'], q: '1' }, { class: ['host', 'database'], owner: 'green' }, { class: ['service'], environment: 'dev', q: '0' },
        { lifecycle: 'retired' }, { lifecycle: 'any', q: '-09' },
      ];
      for (const q of queries) {
        // One statement over the whole order: the answer the windows must give.
        const whole = await pages(db, q, 1000, Infinity, 1e9);
        expect(whole.otherWorkRan).toBe(false);
        for (const limit of [1, 3, 7, 1000]) {
          const windowed = await pages(db, q, limit, 0, 4);
          expect(windowed.out, JSON.stringify({ q, limit })).toEqual(whole.out);
          expect(windowed.otherWorkRan, JSON.stringify({ q, limit })).toBe(true);
        }
        // And what the store itself answers with its own window.
        expect((await store.listCis({ ...q, limit: 1000 })).items.map((x) => `${x.name}/${x.id}`)).toEqual(whole.out);
      }
      expect((await pages(db, { q: '7' }, 1000, 0, 4)).out.every((x) => x.split('/')[0].includes('7'))).toBe(true);
      expect((await pages(db, { q: 'nothing-like-it' }, 10, 0, 4)).out).toEqual([]);
      expect((await pages(db, { owner: 'red' }, 1000, 0, 4)).out).toHaveLength(83);
      // Filtered walks merge the classes they walked in SQLite's order too (the names above are red and dev).
      const sorted = (where: string) => db.prepare<[], { k: string }>(`SELECT name || '/' || id AS k FROM cis NOT INDEXED WHERE ${where} ORDER BY name, id`).all().map((r) => r.k);
      for (const limit of [1, 7, 1000]) {
        expect((await pages(db, { owner: 'red' }, limit, 0, 4)).out).toEqual(sorted("owner = 'red' AND lifecycle = 'active'"));
        expect((await pages(db, { environment: 'dev', lifecycle: 'any' }, limit, Infinity, 1e9)).out).toEqual(sorted("environment = 'dev'"));
      }
    } finally {
      db.close();
      await store.close();
    }
  });

  it('stops between windows once its signal is aborted, rejecting with the reason, and only then', async () => {
    const file = join(tempDir('sg-list-'), 'test.db');
    const store = new SqliteStore({ file, synchronous: 'NORMAL' });
    await store.init();
    await push(store, { source: 'a', cis: Array.from({ length: 200 }, (_, i) => ({ class: 'service' as const, name: `svc-${String(i).padStart(3, '0')}` })) });
    const db = new Database(file, { readonly: true });
    try {
      const gone = new Error('the client left');
      const ac = new AbortController();
      // 50 windows of 4 to walk, a turn between each: the abort lands after the first.
      const walk = listCis(db, { q: 'nothing-like-it', limit: 10 }, 0, 4, ac.signal);
      setImmediate(() => ac.abort(gone));
      await expect(walk).rejects.toBe(gone);
      // Not aborted: the same walk reads the whole order and answers.
      const found = await listCis(db, { q: 'svc-19', limit: 100 }, 0, 4, new AbortController().signal);
      expect(found.items.map((x) => x.name)).toEqual(Array.from({ length: 10 }, (_, i) => `svc-19${i}`));
      expect(found.nextCursor).toBeNull();
      // An index-served list is one statement: a signal already aborted does not refuse it.
      const aborted = AbortSignal.abort(gone);
      expect((await listCis(db, { limit: 5 }, 0, 4, aborted)).items).toHaveLength(5);
    } finally {
      db.close();
      await store.close();
    }
  });
});
