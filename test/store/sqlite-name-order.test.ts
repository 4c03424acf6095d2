import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { compareNameKeys, compareText } from '../../server/store/sqlite/name-order.ts';
import type { CiQuery } from '../../server/store/port.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { push } from './contract.ts';

/**
 * CIs are listed in (name, id) order from each class's range of cis_by_class, merged: a file has no index on
 * (name, id) alone, which a first load wrote at random positions in every batch (schema.sql). A file written with
 * one (cis_by_name) loses it at open and answers the same.
 */
const classes = ['service', 'database', 'host', 'queue'] as const;
const estate = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({
  class: classes[(from + i) % 4], name: `ci-${String(((from + i) * 37) % 61).padStart(2, '0')}`, environment: (from + i) % 3 ? 'prod' : 'dev', owner: (from + i) % 2 ? 'blue' : 'red',
}));
const queries: Omit<CiQuery, 'limit' | 'cursor'>[] = [{}, { lifecycle: 'any' }, { class: ['host', 'queue'] }, { owner: 'red' }, { q: '3' }, { environment: 'dev', class: ['service', 'database'] }];

/** Every query's pages, followed to the end at a few page sizes. */
async function answers(store: SqliteStore): Promise<string[][]> {
  const out: string[][] = [];
  for (const q of queries) {
    for (const limit of [1, 5, 1000]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listCis({ ...q, limit, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((x) => `${x.name}/${x.id}`));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      out.push(seen);
    }
  }
  return out;
}

const indexesOfCis = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], { name: string }>("SELECT name FROM pragma_index_list('cis')").all().map((r) => ({
      name: r.name, columns: db.prepare<[string], { name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(r.name).map((c) => c.name),
    }));
  } finally { db.close(); }
};

describe('CIs in name order on the embedded store', () => {
  const tempDir = useTempDirs();

  it('a new file has no index on (name, id) alone: lists come from cis_by_class, in SQLite\'s order', async () => {
    const file = join(tempDir('sg-names-'), 'test.db');
    const store = new SqliteStore({ file });
    await store.init();
    try {
      await push(store, { source: 'a', cis: estate(0, 60) });
      const indexes = indexesOfCis(file);
      expect(indexes.filter((ix) => ix.columns[0] === 'name')).toEqual([]);
      expect(indexes).toContainEqual({ name: 'cis_by_class', columns: ['class', 'name', 'id'] });
      const db = new Database(file, { readonly: true });
      const sorted = db.prepare<[], { k: string }>("SELECT name || '/' || id AS k FROM cis NOT INDEXED WHERE lifecycle = 'active' ORDER BY name, id").all().map((r) => r.k);
      db.close();
      expect((await answers(store))[0]).toEqual(sorted);
    } finally {
      await store.close();
    }
  });

  it('a file written with cis_by_name loses it at open, lists the same, and writes on without it', async () => {
    const file = join(tempDir('sg-names-'), 'test.db');
    let store = new SqliteStore({ file });
    await store.init();
    await push(store, { source: 'a', cis: estate(0, 60) });
    const before = await answers(store);
    await store.close();
    // The layout before: the same rows with an index on (name, id).
    const db = new Database(file);
    db.exec('CREATE INDEX cis_by_name ON cis (name, id)');
    db.close();
    store = new SqliteStore({ file });
    await store.init();
    try {
      expect(await answers(store)).toEqual(before);
      await push(store, { source: 'a', cis: estate(60, 40) });
      expect(indexesOfCis(file).map((i) => i.name)).not.toContain('cis_by_name');
      expect(indexesOfCis(file)).toContainEqual({ name: 'cis_by_class', columns: ['class', 'name', 'id'] });
      const check = new Database(file, { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      const sorted = check.prepare<[], { k: string }>("SELECT name || '/' || id AS k FROM cis NOT INDEXED WHERE lifecycle = 'active' ORDER BY name, id").all().map((r) => r.k);
      check.close();
      expect((await answers(store))[0]).toEqual(sorted);
    } finally {
      await store.close();
    }
  });

  it('compares names as SQLite does: by code point (UTF-8 bytes), not by UTF-16 code unit', () => {
    const texts = ['', 'a', 'ab', 'b', 'Z', '\u00e9', '\u4e2d', '\uE000', '\uFFFD', '\u{1F600}', '\u{10000}', 'a\u{1F600}', 'a\uFFFD', 'a\uE000x'];
    const db = new Database(':memory:');
    const sqlite = db.prepare<[string], { t: string }>('SELECT value AS t FROM json_each(?) ORDER BY value').all(JSON.stringify(texts)).map((r) => r.t);
    db.close();
    expect([...texts].sort(compareText)).toEqual(sqlite);
    // JavaScript's own order puts the surrogate pairs before U+E000-FFFF.
    expect([...texts].sort()).not.toEqual(sqlite);
    expect(compareNameKeys(['n', 'b'], ['n', 'a'])).toBeGreaterThan(0);
    expect(compareNameKeys(['m', 'z'], ['n', 'a'])).toBeLessThan(0);
    expect(compareNameKeys(['n', 'a'], ['n', 'a'])).toBe(0);
  });
});
