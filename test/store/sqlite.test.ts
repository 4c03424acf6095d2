import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { storeContract } from './contract.ts';

storeContract('embedded SQLite (file, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-store-'));
  const store = new SqliteStore({ file: join(dir, 'test.db'), synchronous: 'NORMAL' });
  await store.init();
  return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});
