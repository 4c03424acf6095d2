import type { DiffResult, FailedCi, GraphResult, ImpactedCi, ImpactMapRequest } from './types.ts';
import type { Overlay } from './graph/elements.ts';

/**
 * Overlays are maps from element id to extra classes; views compute them from API answers and
 * hand them to the map. Pure functions, so "what lights up" is tested without a browser.
 */
export function impactOverlay(failed: readonly FailedCi[], impacted: readonly Pick<ImpactedCi, 'id' | 'state'>[]): Overlay {
  const out = new Map<string, string[]>();
  for (const i of impacted) out.set(i.id, [`impact-${i.state}`]);
  // The failed CIs themselves are marked as such even if the answer lists them too.
  for (const f of failed) out.set(f.ci, [`failed-${f.state}`]);
  return out;
}

/**
 * A blast-radius map's colours from the states the server sent with it: a change's hit CIs filled and
 * the CIs it touches ringed; failed CIs marked as failed and what they hit by its state.
 */
export function blastRadiusOverlay(req: ImpactMapRequest, states: Readonly<Record<string, string>>, touched: readonly string[]): Overlay {
  if ('change' in req) {
    const out = new Map<string, string[]>(Object.keys(states).map((id) => [id, ['blast']]));
    for (const id of touched) out.set(id, [...(out.get(id) ?? []), 'touched']);
    return out;
  }
  return impactOverlay(req.failed, Object.entries(states).map(([id, state]) => ({ id, state: state as ImpactedCi['state'] })));
}

/** Nodes on the paths and the shown edges joining consecutive nodes (either direction). */
export function pathOverlay(graph: GraphResult, paths: readonly (readonly string[])[], cls = 'path'): Overlay {
  const out = new Map<string, string[]>();
  const pairs = new Set<string>();
  for (const p of paths) {
    for (let i = 0; i < p.length; i++) {
      out.set(p[i], [cls]);
      if (i > 0) { pairs.add(`${p[i - 1]}>${p[i]}`); pairs.add(`${p[i]}>${p[i - 1]}`); }
    }
  }
  for (const e of graph.edges) if (pairs.has(`${e.from}>${e.to}`)) out.set(e.id, [cls]);
  return out;
}

export function idsOverlay(ids: Iterable<string>, cls: string): Overlay {
  const out = new Map<string, string[]>();
  for (const id of ids) out.set(id, [cls]);
  return out;
}

export function diffOverlay(diff: DiffResult): Overlay {
  const out = new Map<string, string[]>();
  for (const c of diff.cis.added) out.set(c.id, ['diff-added']);
  for (const c of diff.cis.removed) out.set(c.id, ['diff-removed']);
  for (const c of diff.cis.changed) out.set(c.after.id, ['diff-changed']);
  for (const r of diff.relations.added) out.set(r.id, ['diff-added']);
  for (const r of diff.relations.removed) out.set(r.id, ['diff-removed']);
  for (const r of diff.relations.changed) out.set(r.after.id, ['diff-changed']);
  return out;
}

/** Impacted CIs grouped by tier (1 first, unknown last), for the services list. */
export function byTier<T extends { tier: number | null }>(items: readonly T[]): { tier: number | null; items: T[] }[] {
  const m = new Map<number | null, T[]>();
  for (const i of items) { const l = m.get(i.tier); if (l) l.push(i); else m.set(i.tier, [i]); }
  return [...m.entries()].sort(([a], [b]) => (a ?? 99) - (b ?? 99)).map(([tier, items]) => ({ tier, items }));
}
