import { isoOf, isoOrNull } from '../../server/store/sqlite/compact-layout.ts';
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { openSqliteExport } from '../../server/store/sqlite/export-rows.ts';
import { ciFromRow, ciVersionData, relationFromRow, relationVersionData, type CiRow, type RelationRow } from '../../server/store/sqlite/rows.ts';
import { clock, push } from './contract.ts';
import type { IngestBatchInput } from '../../server/model/ingest.ts';

const svc = (name: string, v?: number) => ({ class: 'service' as const, name, environment: 'prod', ...(v === undefined ? {} : { attributes: { v } }) });
const ref = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });
const rel = (minUp: number) => ({ type: 'DEPENDS_ON' as const, from: ref('web'), to: ref('db'), redundancy: { group: 'g', minUp } });

/** Every history answer the store gives at the instants of a small life (before its start too). */
async function answers(store: SqliteStore, instants: string[]) {
  const [web] = (await store.listCis({ limit: 1, lifecycle: 'any', q: 'web' })).items;
  const [db] = (await store.listCis({ limit: 1, lifecycle: 'any', q: 'db' })).items;
  const out: unknown[] = [await store.getCiDetail(web.id), await store.getCiDetail(db.id)];
  for (const t of instants) {
    const topology = [];
    for await (const chunk of store.streamTopology(t, 1)) topology.push(chunk);
    out.push(await store.getCis([web.id, db.id], t), await store.relationsOf([web.id, db.id], t), topology);
    for (const u of instants) if (u > t) out.push(await store.diff(t, u, 100));
  }
  return { web, out };
}

function exported(file: string) {
  const x = openSqliteExport(file);
  try {
    return Object.fromEntries((['ci_versions', 'relation_versions'] as const).map((t) => [t, { count: x.count(t), rows: x.page(t, null, 100), paged: [x.page(t, null, 1), x.page(t, x.keyOf(t, x.page(t, null, 1)[0]), 100)].flat() }]));
  } finally {
    x.close();
  }
}

describe('an embedded store file written when open versions were also kept in the version tables', () => {
  const tempDir = useTempDirs();

  it('exports the same versions before it is opened, converts once when opened, answers exactly as before and takes new versions', async () => {
    const dir = tempDir('sg-open-versions-');
    const file = join(dir, 'old.db');
    const c = clock();
    const instants = [new Date(Date.parse(c.at()) - 1).toISOString()];
    let store = new SqliteStore({ file });
    await store.init();
    const step = async (batch: IngestBatchInput) => { c.advance(); await push(store, batch, { now: c.now }); instants.push(c.at()); };
    await step({ source: 'k', scope: 's', runId: 'r1', cis: [svc('web', 1), svc('db')], relations: [rel(1)] });
    await step({ source: 'k', scope: 's', runId: 'r1', cis: [svc('web', 2)], relations: [rel(2)] });
    await step({ source: 'k', scope: 's', runId: 'r2', complete: true, force: true, cis: [svc('db')] });
    await step({ source: 'k', scope: 's', runId: 'r3', cis: [svc('web', 3)], relations: [rel(3)] });
    const before = await answers(store, instants);
    await store.close();
    const exportedBefore = exported(file);
    expect(exportedBefore.ci_versions.count).toBe(4);
    expect(exportedBefore.relation_versions.count).toBe(3);

    // What the release before left: the open version of each live CI and relation also in its version table.
    const raw = new Database(file);
    raw.transaction(() => {
      for (const r of raw.prepare<[], CiRow>('SELECT * FROM cis WHERE valid_to IS NULL').all()) {
        raw.prepare('INSERT INTO ci_versions VALUES (?, ?, ?, NULL, ?)').run(r.id, r.version, r.valid_from, ciVersionData(ciFromRow(r)));
      }
      for (const r of raw.prepare<[], RelationRow>('SELECT * FROM relations WHERE valid_to IS NULL').all()) {
        raw.prepare('INSERT INTO relation_versions VALUES (?, ?, ?, ?, ?, ?, NULL, ?)').run(r.id, r.version, r.type, r.from_id, r.to_id, r.valid_from, relationVersionData(relationFromRow(r)));
      }
      raw.exec("DELETE FROM meta WHERE key = 'open_versions'; DROP INDEX cis_open_from; DROP INDEX relations_open_from");
    })();
    // Instants as the export gives them: ISO text (the tables keep epoch ms, compact-layout.ts).
    const iso = (rows: unknown[]) => (rows as { valid_from: number; valid_to: number | null }[])
      .map((r) => ({ ...r, valid_from: isoOf(r.valid_from), valid_to: isoOrNull(r.valid_to) }));
    const oldTables = {
      ci_versions: iso(raw.prepare('SELECT * FROM ci_versions ORDER BY ci_id, version').all()),
      relation_versions: iso(raw.prepare('SELECT * FROM relation_versions ORDER BY rel_id, version').all()),
    };
    raw.close();
    // The migration export reads the old layout as it reads the new, and both as the old tables were.
    expect(exported(file)).toEqual(exportedBefore);
    expect(exportedBefore.ci_versions.rows).toEqual(oldTables.ci_versions);
    expect(exportedBefore.relation_versions.rows).toEqual(oldTables.relation_versions);
    expect(exportedBefore.ci_versions.paged).toEqual(oldTables.ci_versions);

    store = new SqliteStore({ file });
    await store.init();
    try {
      expect(await answers(store, instants)).toEqual(before);
      const check = new Database(file, { readonly: true });
      expect(check.prepare('SELECT (SELECT count(*) FROM ci_versions WHERE valid_to IS NULL) + (SELECT count(*) FROM relation_versions WHERE valid_to IS NULL) AS n').get()).toEqual({ n: 0 });
      check.close();
      await step({ source: 'k', scope: 's', runId: 'r3', cis: [svc('web', 4)], relations: [rel(4)] });
      const detail = (await store.getCiDetail(before.web.id))!;
      expect(detail.history.map((h) => [h.version, h.data.attributes])).toEqual([[4, { v: 4 }], [3, { v: 3 }], [2, { v: 2 }], [1, { v: 1 }]]);
      expect((await store.relationsOf([before.web.id])).map((r) => [r.version, r.redundancy?.minUp])).toEqual([[4, 4]]);
      expect((await store.relationsOf([before.web.id], instants[2])).map((r) => [r.version, r.redundancy?.minUp])).toEqual([[2, 2]]);
    } finally {
      await store.close();
    }
    // Opened again: nothing left to convert, the same answers.
    store = new SqliteStore({ file });
    await store.init();
    try {
      expect((await store.getCiDetail(before.web.id))!.history).toHaveLength(4);
    } finally {
      await store.close();
    }
  });
});
