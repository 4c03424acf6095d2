import { z } from 'zod';
import { CiClassName } from '../../model/classes.ts';
import { csvList, isoTime, parseQuery } from '../validate.ts';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import type { GraphStore } from '../../store/port.ts';
import type { Limits } from '../../model/limits.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { clientGone } from '../client-gone.ts';
import { ciRelations, relationsToRead } from '../../domain/graph-view/ci-relations.ts';
import { CiDetail, CiRecord, type RelationEnd } from '../../model/records.ts';
import { cursorParam } from '../../model/paging.ts';

export const ListCisQuery = z.object({
  class: csvList.pipe(z.array(CiClassName)).optional(),
  q: z.string().max(200).optional(),
  environment: z.string().max(100).optional(),
  owner: z.string().max(200).optional(),
  lifecycle: z.enum(['active', 'retired', 'any']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  cursor: cursorParam(2).optional(),
});

const CiQuery = z.strictObject({ asOf: isoTime.optional() });

type Deps = { store: GraphStore; limits: Limits };

export function ciRoutes(ctx: Deps): ApiRoutes {
  const r = new RouteTable();
  r.route({ method: 'get', path: '/cis', summary: 'List and search CIs (cursor pagination)', role: 'viewer', query: ListCisQuery, response: z.object({ items: z.array(CiRecord), nextCursor: z.string().nullable() }) }, async (req, res) => {
    const q = parseQuery(ListCisQuery, req);
    if (q.limit > ctx.limits.listLimit) throw new InputError(`limit is at most ${ctx.limits.listLimit}`, { limit: ctx.limits.listLimit }, 'limit_exceeded');
    res.json(await ctx.store.listCis(q, { signal: clientGone(req, res) }));
  });
  r.route({ method: 'get', path: '/cis/:id', summary: 'One CI with sources, relations and history', role: 'viewer', query: CiQuery, response: CiDetail }, async (req, res) => {
    const { asOf } = parseQuery(CiQuery, req);
    const id = String(req.params.id);
    if (asOf) {
      const ci = await ctx.store.getCi(id, asOf);
      if (!ci) throw new NotFoundError(`no CI ${id} at ${asOf}`);
      const limit = ctx.limits.listLimit;
      const relations = ciRelations(id, await ctx.store.relationsOf([id], asOf, relationsToRead(limit)), limit);
      res.json({ ...ci, relations, ends: await relationEnds(ctx, relations, asOf) });
      return;
    }
    // A hub has hundreds of thousands of relations: the panel lists the first page, the map groups the rest.
    const detail = await ctx.store.getCiDetail(id, ctx.limits.listLimit);
    if (!detail) throw new NotFoundError(`no CI ${id}`);
    res.json({ ...detail, ends: await relationEnds(ctx, detail.relations) });
  });
  return r;
}

/** Names and classes of the CIs a relation list points at, so a client can show names instead of ids. */
async function relationEnds(ctx: Deps, rels: Pick<CiDetail['relations'], 'outgoing' | 'incoming'>, asOf?: string): Promise<Record<string, RelationEnd>> {
  const ids = [...new Set([...rels.outgoing.map((x) => x.to), ...rels.incoming.map((x) => x.from)])];
  const ends: Record<string, RelationEnd> = {};
  for (const c of await ctx.store.getCis(ids, asOf)) ends[c.id] = { name: c.name, class: c.class, lifecycle: c.lifecycle };
  return ends;
}
