import { precedenceFor } from '../../model/classes.ts';

/** What one source asserted about a CI: the fields it set, nothing more. */
export interface AssertedCiValues {
  name?: string;
  environment?: string;
  tier?: number;
  owner?: string;
  attributes?: Record<string, unknown>;
  identifiers?: Record<string, string>;
}

export interface RankedAssertion<V> {
  source: string;
  lastSeen: string;
  active: boolean;
  values: V;
}

function rank(list: string[], source: string): number {
  const i = list.indexOf(source);
  return i === -1 ? list.length : i;
}

/** The assertion that wins a field: highest source precedence, then most recently seen. */
export function winner<V>(candidates: RankedAssertion<V>[], ciClass: string, field: string): RankedAssertion<V> | undefined {
  const order = precedenceFor(ciClass, field);
  let best: RankedAssertion<V> | undefined;
  for (const c of candidates) {
    if (!best) { best = c; continue; }
    const a = rank(order, c.source), b = rank(order, best.source);
    if (a < b || (a === b && c.lastSeen > best.lastSeen)) best = c;
  }
  return best;
}

export interface MergedCi {
  name: string;
  environment: string;
  tier: number | null;
  owner: string | null;
  attributes: Record<string, unknown>;
  identifiers: Record<string, string>;
}

/**
 * Effective CI values from its active assertions, field by field and attribute by attribute.
 * Losing values stay in each assertion (provenance); nothing is thrown away.
 */
export function mergeCi(ciClass: string, assertions: RankedAssertion<AssertedCiValues>[], fallback: MergedCi): MergedCi {
  const active = assertions.filter((a) => a.active);
  if (active.length === 0) return fallback;
  if (active.length === 1) return mergeSole(active[0].values, fallback);
  const pick = <K extends 'name' | 'environment' | 'tier' | 'owner'>(field: K) =>
    winner(active.filter((a) => a.values[field] !== undefined), ciClass, field)?.values[field];
  // Keys come from input: null-prototype objects and own-property checks (`toString`, `__proto__` are just names).
  const attributes: Record<string, unknown> = Object.create(null);
  const attrKeys = new Set<string>();
  for (const a of active) for (const k of Object.keys(a.values.attributes ?? {})) attrKeys.add(k);
  for (const k of [...attrKeys].sort()) {
    const w = winner(active.filter((a) => a.values.attributes && Object.hasOwn(a.values.attributes, k)), ciClass, k);
    attributes[k] = w!.values.attributes![k];
  }
  const identifiers: Record<string, string> = Object.create(null);
  const idKeys = new Set<string>();
  for (const a of active) for (const k of Object.keys(a.values.identifiers ?? {})) idKeys.add(k);
  for (const k of [...idKeys].sort()) {
    const w = winner(active.filter((a) => a.values.identifiers && Object.hasOwn(a.values.identifiers, k)), ciClass, 'identifier:' + k);
    identifiers[k] = w!.values.identifiers![k];
  }
  return {
    name: (pick('name') as string | undefined) ?? fallback.name,
    environment: (pick('environment') as string | undefined) ?? fallback.environment,
    tier: (pick('tier') as number | undefined) ?? null,
    owner: (pick('owner') as string | undefined) ?? null,
    attributes,
    identifiers,
  };
}

/**
 * One active source (every CI of a first load, most of an estate): its values are the CI's, exactly as the
 * ranking above would pick them field by field, without its per-key filtering and copying.
 */
function mergeSole(v: AssertedCiValues, fallback: MergedCi): MergedCi {
  return {
    name: v.name ?? fallback.name,
    environment: v.environment ?? fallback.environment,
    tier: v.tier ?? null,
    owner: v.owner ?? null,
    attributes: sortedCopy(v.attributes),
    identifiers: sortedCopy(v.identifiers),
  };
}

/** Own keys in sorted order on a null-prototype object (keys come from input). */
function sortedCopy<T>(o: Record<string, T> | undefined): Record<string, T> {
  const out: Record<string, T> = Object.create(null);
  if (o) for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

/** Stable JSON for change detection: object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v);
}
