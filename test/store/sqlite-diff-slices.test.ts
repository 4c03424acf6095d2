import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { diff } from '../../server/store/sqlite/diff.ts';
import { prepareReads } from '../../server/store/sqlite/reads.ts';
import { clock, push } from './contract.ts';

const svc = (name: string, v = 1) => ({ class: 'service' as const, name, environment: 'prod', attributes: { v } });
const ref = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });

describe('a diff of many changes on the embedded store', () => {
  const tempDir = useTempDirs();

  it('lets other work run between its slices, and answers exactly as one synchronous read does', async () => {
    const dir = tempDir('sg-diff-');
    const file = join(dir, 'test.db');
    const store = new SqliteStore({ file, synchronous: 'NORMAL' });
    await store.init();
    const c = clock();
    const from = c.at();
    c.advance();
    const names = Array.from({ length: 400 }, (_, i) => `s${i}`);
    await push(store, { source: 'csv', cis: names.map((n) => svc(n)), relations: names.slice(1, 301).map((n, i) => ({ type: 'DEPENDS_ON' as const, from: ref(names[i]), to: ref(n) })) }, { now: c.now });
    const middle = c.at();
    c.advance();
    await push(store, { source: 'csv', cis: names.slice(0, 100).map((n) => svc(n, 2)), relations: [] }, { now: c.now });
    const to = c.advance();

    const db = new Database(file, { readonly: true });
    try {
      const st = prepareReads(db);
      const read = async (a: string, sliceMs: number) => {
        let otherWorkRan = false;
        setImmediate(() => { otherWorkRan = true; });
        const answer = await diff(db, st, a, to, 1000, sliceMs);
        return { answer, otherWorkRan };
      };
      for (const a of [from, middle]) {
        const sliced = await read(a, 0);
        const whole = await read(a, Infinity);
        expect(sliced.otherWorkRan).toBe(true);
        expect(whole.otherWorkRan).toBe(false);
        expect(sliced.answer).toEqual(whole.answer);
        expect(await store.diff(a, to, 1000)).toEqual(whole.answer);
      }
      const all = (await read(from, 0)).answer;
      expect([all.cis.added.length, all.relations.added.length, all.cis.changed.length]).toEqual([400, 300, 0]);
      const later = (await read(middle, 0)).answer;
      expect([later.cis.added.length, later.cis.changed.length]).toEqual([0, 100]);
    } finally {
      db.close();
      await store.close();
    }
  });
});
