import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { keyHash } from '../../server/store/sqlite/key-hash.ts';
import { openSqliteExport } from '../../server/store/sqlite/export-rows.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { storeContract, push } from './contract.ts';

/**
 * Identifier keys are found by a 32-bit hash of their text (schema.sql, identifier_key_hashes), which other keys
 * share now and then: a key is never taken for another that shares its hash. The contract holds with every key of
 * the store on one hash, and a file of the layout before (keys in ci_keys, by their text) keeps every key.
 */
storeContract('embedded SQLite, every identifier key on one hash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-keys-'));
  const store = new SqliteStore({ file: join(dir, 'test.db'), keyHash: () => 0 });
  await store.init();
  return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

const host = (name: string, identifiers: Record<string, string> = {}) => ({ class: 'host' as const, name, environment: 'prod', identifiers });
const keyText = (...parts: string[]) => parts.join('\u001f');

async function opened<T>(file: string, opts: { keyHash?: (key: string) => number }, fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore({ file, ...opts });
  await store.init();
  try { return await fn(store); } finally { await store.close(); }
}
const lookup = (store: SqliteStore, keys: string[]) => store.transact((tx) => tx.lookupKeys(keys), { readOnly: true });

describe('identifier keys found by the hash of their text', () => {
  const tempDir = useTempDirs();

  // Keys that share hashes (two buckets) and keys that do not: the same CIs identified, keys surviving a rename.
  for (const [label, hash] of [['its own hash', undefined], ['two hashes shared by every key', (k: string) => k.length % 2]] as const) {
    it(`identifies the same CIs by every key a CI ever claimed, a key surviving a rename (${label})`, async () => {
      await opened(join(tempDir('sg-keys-'), 'store.db'), { keyHash: hash }, async (store) => {
        await push(store, { source: 'a', cis: [host('web-1', { serialNumber: 'S1' }), host('web-2', { serialNumber: 'S2' }), host('db-1', { fqdn: 'db-1.example.com' })] });
        const before = await lookup(store, [keyText('host', 'serialNumber', 'S1'), keyText('host', 'environment+name', 'prod', 'web-1')]);
        const web1 = before.get(keyText('host', 'serialNumber', 'S1'))!;
        expect(before.get(keyText('host', 'environment+name', 'prod', 'web-1'))).toBe(web1);
        // Renamed, still by its serial number: the old name's key stays with it, and the new name's joins it.
        await push(store, { source: 'a', cis: [host('web-1-renamed', { serialNumber: 'S1' })] });
        const byOldName = await push(store, { source: 'b', cis: [host('web-1')] }, { dryRun: true });
        expect(byOldName.dryRun && byOldName.result.cis[0]).toMatchObject({ ciId: web1, matchedBy: ['environment', 'name'] });
        const byNewName = await push(store, { source: 'b', cis: [host('web-1-renamed')] }, { dryRun: true });
        expect(byNewName.dryRun && byNewName.result.cis[0]).toMatchObject({ ciId: web1, matchedBy: ['environment', 'name'] });
        // Keys never asked for before, sharing hashes with stored ones, find nothing and make new CIs.
        const fresh = await push(store, { source: 'b', cis: [host('web-3', { serialNumber: 'S3' }), host('db-2', { fqdn: 'db-2.example.com' })] });
        expect(fresh.dryRun === false && fresh.result.cis).toMatchObject({ created: 2 });
        const all = await lookup(store, [keyText('host', 'serialNumber', 'S1'), keyText('host', 'serialNumber', 'S2'), keyText('host', 'serialNumber', 'S3'),
          keyText('host', 'serialNumber', 'S4'), keyText('host', 'fqdn', 'db-1.example.com'), keyText('host', 'fqdn', 'db-2.example.com')]);
        expect(all.size).toBe(5);
        expect(new Set(all.values()).size).toBe(5);
        expect(all.get(keyText('host', 'serialNumber', 'S1'))).toBe(web1);
      });
    });
  }

  it('writes a key once, appended by its text, with one hash entry (the hash of key-hash.ts)', async () => {
    const file = join(tempDir('sg-keys-'), 'store.db');
    await opened(file, {}, (store) => push(store, { source: 'a', cis: [host('web-1', { serialNumber: 'S1' })] }));
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare('SELECT k.key, h.hash FROM identifier_keys k JOIN identifier_key_hashes h ON h.key_id = k.id ORDER BY k.id').all() as { key: string; hash: number }[];
      expect(rows.map((r) => r.key)).toEqual([keyText('host', 'serialNumber', 'S1'), keyText('host', 'environment+name', 'prod', 'web-1')]);
      for (const r of rows) expect(r.hash).toBe(keyHash(r.key));
      expect(db.prepare('SELECT count(*) AS n FROM ci_keys').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});

describe('a store file whose keys are in ci_keys, by their text (written by stop 28 and before)', () => {
  const tempDir = useTempDirs();
  const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'layout-v22.db.gz');

  it('keeps every key, identifies the same CIs by them, and adds new keys to the appended ones', async () => {
    const file = join(tempDir('sg-keys-'), 'store.db');
    writeFileSync(file, gunzipSync(readFileSync(fixture)));
    const raw = new Database(file, { readonly: true });
    const old = raw.prepare('SELECT key, ci_id FROM ci_keys ORDER BY key').all() as { key: string; ci_id: string }[];
    raw.close();
    expect(old.length).toBeGreaterThan(3);
    await opened(file, {}, async (store) => {
      const found = await lookup(store, old.map((k) => k.key));
      expect([...found.entries()].sort()).toEqual(old.map((k) => [k.key, k.ci_id]));
      // Every service of the file, sent again by a new source: each identified as the CI its old key names.
      const names = old.map((k) => k.key.split('\u001f')).filter((p) => p[0] === 'service').map((p) => p[3]);
      const out = await push(store, { source: 'csv', cis: names.map((name) => ({ class: 'service', name, environment: 'prod' })) }, { dryRun: true });
      expect(out.dryRun && out.result.cis.map((c) => c.ciId)).toEqual(old.filter((k) => k.key.startsWith('service\u001f')).map((k) => k.ci_id));
      await push(store, { source: 'csv', cis: [{ class: 'service', name: 'checkout', environment: 'prod', identifiers: { backstageRef: 'component:checkout' } }] });
    });
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT key, ci_id FROM ci_keys ORDER BY key').all()).toEqual(old);
      const checkout = old.find((k) => k.key === keyText('service', 'environment+name', 'prod', 'checkout'))!.ci_id;
      expect(db.prepare('SELECT key, ci_id FROM identifier_keys').all()).toEqual([{ key: keyText('service', 'backstageRef', 'component:checkout'), ci_id: checkout }]);
    } finally {
      db.close();
    }
    const exported = openSqliteExport(file);
    try {
      expect(exported.count('ci_keys')).toBe(old.length + 1);
      expect(exported.page('ci_keys', null, 100).map((r) => r.key)).toEqual([...old.map((k) => k.key), keyText('service', 'backstageRef', 'component:checkout')].sort());
    } finally {
      exported.close();
    }
  });
});
