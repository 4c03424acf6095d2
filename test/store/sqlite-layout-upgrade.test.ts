import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { answers, writeHistory } from './layout-history.ts';
import { clock, push } from './contract.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
type Recorded = { at: string[]; answers: unknown };
const recordedOf = (name: string) => JSON.parse(gunzipSync(readFileSync(join(fixtures, `${name}.answers.json.gz`))).toString('utf8')) as Recorded;
const recorded = recordedOf('layout-v21');
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

async function opened<T>(file: string, fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore({ file });
  await store.init();
  try { return await fn(store); } finally { await store.close(); }
}

/** How the hot tables keep their rows (compact-layout.ts), counted. */
function layoutOf(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT
        (SELECT count(*) FROM assertions WHERE typeof(first_seen) = 'text' OR typeof(last_seen) = 'text') AS textInstants,
        (SELECT count(*) FROM assertions WHERE typeof(vals) = 'integer') AS maskedVals,
        (SELECT count(*) FROM assertions) AS assertions,
        (SELECT count(*) FROM scope_batches WHERE typeof(targets) = 'text' OR typeof(last_seen) = 'text') AS textBatches,
        (SELECT type FROM pragma_table_info('assertions') WHERE name = 'first_seen') AS instants`).get() as Record<string, number | string | null>;
  } finally {
    db.close();
  }
}

/** A fresh copy of a committed store file (test/store/fixtures, build-layout-fixture.ts) in a temp dir. */
function fixtureFile(tempDir: (prefix: string) => string, name: string): string {
  const file = join(tempDir('sg-layout-'), 'store.db');
  writeFileSync(file, gunzipSync(readFileSync(join(fixtures, `${name}.db.gz`))));
  return file;
}

/**
 * Both stores (the fixture's, reopened by this code, and one this code writes the same history into) take one more
 * re-sent batch and an edit, and answer the same about them.
 */
async function goesOnTakingBatches(file: string, fresh: string, rec: Recorded) {
  await opened(fresh, (store) => writeHistory(store));
  const c = clock(Date.parse(rec.at[rec.at.length - 1]) + 60_000);
  const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });
  const batch = (runId: string, cis: object[]) => ({ source: 'kubernetes', scope: 'prod', runId, complete: true, force: true, cis, relations: [] } as never);
  const next = async (f: string) => opened(f, async (store) => {
    const t1 = c.at();
    const again = await push(store, { source: 'backstage', scope: 'default', runId: 'b2', cis: [svc('checkout', { owner: 'web-team' })] } as never, { now: () => t1 });
    const t2 = new Date(Date.parse(t1) + 60_000).toISOString();
    const edit = await push(store, batch('r6', [svc('checkout', { tier: 1, attributes: { zone: 'c' } }), svc('payments')]), { now: () => t2 });
    const id = (await store.listCis({ limit: 10, q: 'checkout' } as never)).items[0].id;
    const d = (await store.getCiDetail(id))!;
    return plain({ again, edit, sources: d.sources, history: d.history.map((h) => h.data), lastSeen: [...(await store.lastSeen([id])).values()] });
  });
  const [old, neu] = [await next(file), await next(fresh)];
  const withoutIds = (x: unknown) => JSON.parse(JSON.stringify(x).replace(/"(ci|rel)-[a-z0-9]+"/g, '"<id>"'));
  expect(withoutIds(old)).toEqual(withoutIds(neu));
  expect(old.sources.map((s: { source: string; values: object }) => [s.source, s.values])).toEqual([
    ['backstage', { name: 'checkout', environment: 'prod', owner: 'web-team' }],
    ['kubernetes', { name: 'checkout', environment: 'prod', tier: 1, attributes: { zone: 'c' } }],
  ]);
}

describe('an embedded store file of the layout before the compact one (stop 21)', () => {
  const tempDir = useTempDirs();
  const oldFile = () => fixtureFile(tempDir, 'layout-v21');

  it('is converted once when opened and answers exactly as it did: details, history, as-of, diff, lastSeen, topology, events, export', async () => {
    const file = oldFile();
    expect(layoutOf(file)).toMatchObject({ instants: 'TEXT', maskedVals: 0 });
    expect(layoutOf(file).textInstants).toBeGreaterThan(0);
    const got = await opened(file, (store) => answers(store, file, recorded.at));
    expect(plain(got)).toEqual(recorded.answers);
    const after = layoutOf(file);
    expect(after).toMatchObject({ instants: 'INTEGER', textInstants: 0, textBatches: 0 });
    // Values another source or the merge made differ from the row stay text: not every one becomes a mask.
    expect(after.maskedVals).toBeGreaterThan(0);
    expect(after.maskedVals).toBeLessThan(after.assertions as number);
    // Opened again: nothing left to convert, the same answers.
    expect(plain(await opened(file, (store) => answers(store, file, recorded.at)))).toEqual(recorded.answers);
    expect(layoutOf(file)).toEqual(after);
  });

  it('goes on taking batches: its last batch is recognised whole, and an edit reads the same as on a new store', async () => {
    await goesOnTakingBatches(oldFile(), join(tempDir('sg-layout-fresh-'), 'store.db'), recorded);
  });
});

describe('an embedded store file of the compact layout (stop 22), the base of any later layout', () => {
  const tempDir = useTempDirs();
  const v22 = recordedOf('layout-v22');

  it('opens and answers exactly as it did when written: details, history, as-of, diff, lastSeen, topology, events, export', async () => {
    const file = fixtureFile(tempDir, 'layout-v22');
    const before = layoutOf(file);
    expect(before).toMatchObject({ instants: 'INTEGER', textInstants: 0, textBatches: 0 });
    expect(before.maskedVals).toBeGreaterThan(0);
    expect(plain(await opened(file, (store) => answers(store, file, v22.at)))).toEqual(v22.answers);
    // Opened again (whatever a later layout converted once is not converted twice): the same answers.
    const after = layoutOf(file);
    expect(plain(await opened(file, (store) => answers(store, file, v22.at)))).toEqual(v22.answers);
    expect(layoutOf(file)).toEqual(after);
  });

  it('goes on taking batches: its last batch is recognised whole, and an edit reads the same as on a new store', async () => {
    await goesOnTakingBatches(fixtureFile(tempDir, 'layout-v22'), join(tempDir('sg-layout-fresh-'), 'store.db'), v22);
  });
});
