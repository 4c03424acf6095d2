/**
 * API answers reshaped for a model's context: the fields an agent reasons with, names beside ids,
 * lists capped with totals. Pure functions over the API's JSON.
 */
export interface CompactCi { id: string; name: string; class: string; environment: string | null; tier: number | null; owner: string | null; lifecycle?: string }

export function compactCi(c: any): CompactCi {
  return {
    id: c.id, name: c.name, class: c.class, environment: c.environment ?? null, tier: c.tier ?? null, owner: c.owner ?? null,
    ...(c.lifecycle && c.lifecycle !== 'active' ? { lifecycle: c.lifecycle } : {}),
  };
}

/** The map as an adjacency list: each node with what it points at (type and target id), in the API's order. */
export function compactMap(g: { nodes: any[]; edges: any[]; truncated: boolean }) {
  const out = new Map<string, { type: string; to: string; state: string }[]>();
  for (const e of g.edges) {
    const list = out.get(e.from) ?? [];
    list.push({ type: e.type, to: e.to, state: e.state });
    out.set(e.from, list);
  }
  let grouped = 0;
  const nodes = g.nodes.map((n) => {
    if (n.group) grouped += n.group.count;
    return {
      id: n.id, name: n.name, class: n.class, tier: n.tier ?? null,
      ...(n.group ? { group: { count: n.group.count, expandKey: n.group.key } } : {}),
      out: out.get(n.id) ?? [],
    };
  });
  return {
    nodes,
    totals: { nodes: g.nodes.length, edges: g.edges.length, groups: g.nodes.filter((n) => n.group).length, cisInGroups: grouped },
    truncated: Boolean(g.truncated),
  };
}

/** The CIs a map holds, by class: a group node counts as its members. */
export function cisByClass(nodes: readonly { class: string; group?: { count: number } }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of nodes) out.set(n.class, (out.get(n.class) ?? 0) + (n.group ? n.group.count : 1));
  return out;
}

const sum = (m: Map<string, number>) => { let n = 0; for (const v of m.values()) n += v; return n; };

/** What a map was asked: the arguments an agent can change to see the rest. */
export interface MapAsk { maxNodes: number; depth: number; direction: string; classes?: string[] }

/**
 * What a cut map left out, for an agent to choose between asking for more and narrowing: the CIs shown of those
 * the same question reaches (`reached`: counted by a larger map, `atLeast` when that one was cut too; null when
 * none was read), why it stopped (the API's words), and the arguments that would show the rest, with the classes
 * that fill the map (a `classes` filter is the narrowing that keeps what matters).
 */
export function mapLeftOut(
  g: { nodes: readonly { class: string; group?: { count: number } }[]; truncation?: { reason: string; message: string } },
  reached: { nodes: readonly { class: string; group?: { count: number } }[]; truncated: boolean } | null,
  ask: MapAsk, maxNodesCap: number,
) {
  const shownCis = sum(cisByClass(g.nodes));
  const all = reached ? cisByClass(reached.nodes) : null;
  const reachedCis = all ? Math.max(sum(all), shownCis) : null;
  const fill = [...(all ?? cisByClass(g.nodes))].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const toSeeMore = [
    ...(ask.maxNodes < maxNodesCap && g.truncation?.reason !== 'edges' ? [`maxNodes up to ${maxNodesCap} (asked ${ask.maxNodes}; a reply keeps about the first few hundred nodes and says what it omitted)`] : []),
    ...(ask.depth > 1 ? [`depth ${ask.depth - 1} (asked ${ask.depth})`] : []),
    ...(ask.direction === 'both' ? ['direction upstream or downstream (asked both)'] : []),
    `classes: only those that matter (${ask.classes?.length ? `asked ${ask.classes.join(', ')}; ` : ''}${all ? 'reached' : 'shown'} by class: ${fill.map(([c, n]) => `${c} ${n}`).join(', ')})`,
  ];
  return {
    shownCis,
    reachedCis, ...(reached?.truncated ? { reachedAtLeast: true } : {}),
    why: g.truncation?.message ?? 'the map reached a cap of the API',
    toSeeMore,
  };
}

/**
 * Impacted services, most critical tier first (the API's order), each with its tier, state and the
 * reason in words, plus the totals: one list, so a reply cut to fit loses the least critical first.
 */
export function compactImpact(r: { impacted: any[]; services: any[]; summary: any; total: number; truncated: boolean; asOf?: string | null }, limit: number) {
  const why = new Map<string, { depth: number; reason: string }>();
  for (const c of r.impacted) why.set(c.id, { depth: c.depth, reason: c.reason });
  const services = r.services.slice(0, limit).map((s) => ({ id: s.id, name: s.name, class: s.class, tier: s.tier ?? null, owner: s.owner, state: s.state, ...why.get(s.id) }));
  const s = r.summary;
  return {
    summary: {
      impactedCis: r.total, down: s.down, degraded: s.degraded, maintenance: s.maintenance, services: s.services,
      servicesByTier: s.byTier, worstTier: s.worstTier, worstTierState: s.worstTierState,
      downtimeCostPerHour: s.downtimeCostPerHour, users: s.users,
    },
    services,
    truncated: Boolean(r.truncated) || services.length < s.services,
  };
}

/** Root cause with each path read by name ("checkout-db → checkout-api"): ids alone made an agent look up every CI. */
export function compactRootCause(r: { candidates: any[]; suppressed: string[]; since: string; nodes: Record<string, { name: string }> }) {
  const named = (p: string[]) => p.map((id) => r.nodes[id]?.name ?? id).join(' → ');
  return {
    since: r.since,
    candidates: r.candidates.map((c) => ({
      id: c.id, name: c.name, class: c.class, tier: c.tier, score: Math.round(c.score * 1000) / 1000,
      explains: c.explains, dependents: c.dependents,
      paths: c.paths.slice(0, 5).map(named), ...(c.paths.length > 5 ? { morePaths: c.paths.length - 5 } : {}),
      recentChanges: c.recentChanges.slice(0, 10),
    })),
    suppressed: r.suppressed,
    truncated: false,
  };
}

/** A diff, optionally kept to some CIs (a relation stays when either end is kept), each kind capped. */
export function compactDiff(d: any, keep: Set<string> | null, limit: number) {
  const ciOk = (c: any) => !keep || keep.has(c.id);
  const relOk = (r: any) => !keep || keep.has(r.from) || keep.has(r.to);
  let truncated = Boolean(d.truncated);
  const cap = <T>(xs: T[]): T[] => { if (xs.length > limit) truncated = true; return xs.slice(0, limit); };
  const rel = (r: any) => ({ id: r.id, type: r.type, from: r.from, to: r.to });
  const cis = {
    added: cap(d.cis.added.filter(ciOk)).map(compactCi),
    removed: cap(d.cis.removed.filter(ciOk)).map(compactCi),
    changed: cap(d.cis.changed.filter((x: any) => ciOk(x.after))).map((x: any) => ({
      ...compactCi(x.after), fields: x.fields,
      changes: Object.fromEntries(x.fields.filter((f: string) => f !== 'attributes').map((f: string) => [f, { from: x.before[f] ?? null, to: x.after[f] ?? null }])),
    })),
  };
  const relations = {
    added: cap(d.relations.added.filter(relOk)).map(rel),
    removed: cap(d.relations.removed.filter(relOk)).map(rel),
    changed: cap(d.relations.changed.filter((x: any) => relOk(x.after))).map((x: any) => ({ ...rel(x.after), fields: x.fields })),
  };
  return {
    cis, relations,
    counts: { cisAdded: cis.added.length, cisRemoved: cis.removed.length, cisChanged: cis.changed.length, relationsAdded: relations.added.length, relationsRemoved: relations.removed.length, relationsChanged: relations.changed.length },
    truncated,
  };
}
