import { ciClasses } from '../../../server/model/classes.ts';
import type { FailState } from '../types.ts';

/**
 * A blast radius shown instead of a neighbourhood: a change's (as it will be implemented; `focus`
 * names the CIs it touches) or that of some failed CIs (`focus` is those CIs).
 */
export type MapImpact = { change: string } | { failed: { ci: string; state: FailState }[] };

/**
 * The map's state in its URL, `/map?focus=<id>[,<id>]&depth=&direction=&classes=&layout=&asOf=&impact=`, so a
 * map survives a reload and works pasted into another tab. The one place that reads and writes it:
 * the router's query on `/map` and `/cis/:id`, followed both ways by `followMapRoute` (map-route.svelte.ts).
 */
export interface MapUrlState {
  focus: string[];
  depth: number;
  direction: 'upstream' | 'downstream' | 'both';
  classes: string[];
  layout: 'layered' | 'force';
  asOf: string | null;
  /** `impact=change:<id>` or `impact=down:<ci>,degraded:<ci>`: the map is that blast radius. */
  impact?: MapImpact | null;
}

export const MAP_PATH = '/map';
const DIRECTIONS = new Set(['upstream', 'downstream', 'both']);
const LAYOUTS = new Set(['layered', 'force']);
const ID = /^[\w:.|-]{1,100}$/;
/** Failed CIs one address names at most (the graph API's cap on `focus`). */
const MAX_IDS = 100;

/** `change:<id>`, or `down:<ci>,degraded:<ci>,…`; null when malformed. */
export function parseImpact(text: string): MapImpact | null {
  if (text.startsWith('change:')) {
    const id = text.slice('change:'.length);
    return ID.test(id) ? { change: id } : null;
  }
  const failed: { ci: string; state: FailState }[] = [];
  const seen = new Set<string>();
  for (const item of text.split(',').slice(0, MAX_IDS)) {
    const m = /^(down|degraded):(.+)$/.exec(item.trim());
    if (!m || !ID.test(m[2]) || seen.has(m[2])) continue;
    seen.add(m[2]);
    failed.push({ ci: m[2], state: m[1] as FailState });
  }
  return failed.length ? { failed } : null;
}

export function impactText(i: MapImpact): string {
  return 'change' in i ? `change:${i.change}` : i.failed.map((f) => `${f.state}:${f.ci}`).join(',');
}

/** What a URL's query says of the map; anything malformed is left out (the map keeps its default). */
export function parseMapUrl(search: string): Partial<MapUrlState> {
  const q = new URLSearchParams(search);
  const out: Partial<MapUrlState> = {};
  const focus = q.get('focus')?.split(',').map((s) => s.trim()).filter((s) => ID.test(s));
  if (focus?.length) out.focus = focus.slice(0, MAX_IDS);
  const depth = Number(q.get('depth'));
  if (q.has('depth') && Number.isInteger(depth) && depth >= 1 && depth <= 8) out.depth = depth;
  const direction = q.get('direction');
  if (direction && DIRECTIONS.has(direction)) out.direction = direction as MapUrlState['direction'];
  const classes = q.get('classes')?.split(',').filter((c) => ciClasses.has(c));
  if (classes?.length) out.classes = classes;
  const layout = q.get('layout');
  if (layout && LAYOUTS.has(layout)) out.layout = layout as MapUrlState['layout'];
  const asOf = q.get('asOf');
  if (asOf && Number.isFinite(Date.parse(asOf))) out.asOf = new Date(asOf).toISOString();
  const impact = q.get('impact');
  const parsed = impact ? parseImpact(impact) : null;
  if (parsed) out.impact = parsed;
  return out;
}

/** The URL of a map state; defaults are left out so that links stay short. */
export function mapUrl(s: MapUrlState): string {
  const text = mapQuery(s);
  return text ? `${MAP_PATH}?${text}` : MAP_PATH;
}

/** A URL's map state with the defaults filled in (what the map shows for it). */
export function mapUrlState(search: string, fallbackFocus: string[] = []): MapUrlState {
  const p = parseMapUrl(search);
  const failed = p.impact && 'failed' in p.impact ? p.impact.failed.map((f) => f.ci) : null;
  return {
    focus: failed ?? p.focus ?? fallbackFocus, depth: p.depth ?? 2, direction: p.direction ?? 'both',
    classes: p.classes ?? [], layout: p.layout ?? 'layered', asOf: p.asOf ?? null, impact: p.impact ?? null,
  };
}

/** The query string (no `?`) of a map state, shared by `/map` and `/cis/:id` (the map behind a CI). */
export function mapQuery(s: MapUrlState): string {
  const q = new URLSearchParams();
  // Failed CIs are the focus of their blast radius: the address names them once.
  const failedImpact = !!s.impact && 'failed' in s.impact;
  if (s.focus.length && !failedImpact) q.set('focus', s.focus.join(','));
  if (s.focus.length && s.depth !== 2) q.set('depth', String(s.depth));
  if (s.focus.length && s.direction !== 'both') q.set('direction', s.direction);
  if (s.classes.length) q.set('classes', s.classes.join(','));
  if (s.layout !== 'layered') q.set('layout', s.layout);
  if (s.asOf) q.set('asOf', s.asOf);
  if (s.impact) q.set('impact', impactText(s.impact));
  return q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}
