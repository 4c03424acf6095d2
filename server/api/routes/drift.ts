import { z } from 'zod';
import { csvList, parseQuery } from '../validate.ts';
import { computeDrift } from '../../domain/drift.ts';
import { RelationTypeName } from '../../model/relations.ts';
import type { CiRecord, RelationRecord } from '../../model/records.ts';
import type { GraphStore } from '../../store/port.ts';
import { DriftReport } from '../../model/drift.ts';
import type { Limits } from '../../model/limits.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

const DriftQuery = z.strictObject({
  days: z.coerce.number().int().min(0).max(3650).default(7),
  types: csvList.pipe(z.array(RelationTypeName).min(1)).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** GET /drift?days=N[&types=DEPENDS_ON,RUNS_ON][&limit=]: declared vs observed relations (viewer). */
export function driftRoutes(ctx: { store: GraphStore; limits: Limits }): ApiRoutes {
  return new RouteTable().route({ method: 'get', path: '/drift', summary: 'Declared relations not observed for N days, and observed relations never declared', role: 'viewer', query: DriftQuery, response: DriftReport }, async (req, res) => {
    const q = parseQuery(DriftQuery, req);
    const { cis, relations } = await liveGraph(ctx.store, ctx.limits.listLimit);
    res.json(computeDrift(relations.values(), cis, {
      now: new Date().toISOString(), days: q.days, types: q.types ?? ['DEPENDS_ON'], limit: q.limit ?? ctx.limits.listLimit,
    }));
  });
}

/**
 * Every live CI and relation, read through the port's list and relationsOf queries page by page
 * (no store-specific query: drift works on SQLite and Neo4j alike).
 */
async function liveGraph(store: GraphStore, pageSize: number): Promise<{ cis: Map<string, CiRecord>; relations: Map<string, RelationRecord> }> {
  const cis = new Map<string, CiRecord>();
  const relations = new Map<string, RelationRecord>();
  let cursor: string | undefined;
  do {
    const page = await store.listCis({ lifecycle: 'active', limit: pageSize, ...(cursor ? { cursor } : {}) });
    for (const c of page.items) cis.set(c.id, c);
    for (const rel of await store.relationsOf(page.items.map((c) => c.id))) relations.set(rel.id, rel);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { cis, relations };
}
